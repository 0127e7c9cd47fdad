"""Measure what it costs a phone to open /observe and /team cold: bytes over the network and time to a usable form.

    python bench/phone_load.py [--runs 5] [--events 20000]

Starts run.py on a generated exercise (run.py demo-data, so that the page's state and recent events are a
week's, not an empty log's), then opens each phone page in headless Chromium (Debian's) with an empty
cache, as a 390×844 phone: on the LAN as it is, and throttled to DevTools' "Fast 3G" (562.5 ms round trip,
1.44 Mbit/s down, 675 kbit/s up); the first time, from the QR code's address (its login and redirect
included), and on a later day, already logged in (cache and service worker left out).  Per run it prints
the bytes the browser received until the form was usable (compressed, as they crossed the network) and
the time from navigation to that moment — the page has drawn its form with the exercise's teams,
objectives and sites (`body[data-ready]`).  Medians at the end.  A benchmark, not a test: it asserts nothing.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from week import write_week  # noqa: E402

from tests.conftest import CHROMIUM_ARGS, CODES, Server, chromium_path  # noqa: E402

FAST_3G = {"offline": False, "latency": 562.5, "downloadThroughput": 180_000, "uploadThroughput": 84_375}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def open_cold(browser, url, role, path, throttle, logged_in):
    """Open a phone page with an empty cache; return (bytes received, ms to a usable form, requests).

    logged_in: the phone has its login already (a later day), else it comes from the QR code's address."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    if logged_in:
        page.goto(f"{url}/login?code={CODES[role]}&next={path}")
        page.wait_for_selector("body[data-ready='1']", timeout=60000)
        page.goto(f"{url}/healthz")  # off the page; the service worker stays out of it (cache disabled below)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.setBypassServiceWorker", {"bypass": True})
    if throttle:
        cdp.send("Network.emulateNetworkConditions", FAST_3G)
    received = {"bytes": 0, "requests": 0}

    def finished(params):
        received["bytes"] += params["encodedDataLength"]
        received["requests"] += 1
    cdp.on("Network.loadingFinished", finished)
    start = time.perf_counter()
    page.goto(f"{url}{path}" if logged_in else f"{url}/login?code={CODES[role]}&next={path}")
    page.wait_for_selector("body[data-ready='1']", timeout=60000)
    ms = (time.perf_counter() - start) * 1000
    usable = dict(received)
    context.close()
    return usable["bytes"], ms, usable["requests"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db, _seconds = write_week(tmp, args.events)
        server = Server(db).start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
                rows = []
                for role, path in (("observer", "/observe"), ("team:alpha", "/team")):
                    for throttle in (False, True):
                        for logged_in in (False, True):
                            runs = [open_cold(browser, server.url, role, path, throttle, logged_in) for _ in range(args.runs)]
                            how = f"{'Fast 3G' if throttle else 'LAN':8} {'logged in' if logged_in else 'from QR':9}"
                            for n, (size, ms, count) in enumerate(runs, 1):
                                print(f"{path:9} {how} run {n}: {size / 1024:6.1f} kB in {count} requests, "
                                      f"usable after {ms:6.0f} ms")
                            rows.append((path, how, *(statistics.median(r[i] for r in runs) for i in (0, 1))))
                browser.close()
        finally:
            server.stop()
    print("\nmedians (empty cache, 390×844 phone; 'from QR': the login from the QR code's address and its redirect included):")
    for path, how, size, ms in rows:
        print(f"  {path:9} {how} {size / 1024:6.1f} kB, usable after {ms:6.0f} ms")


if __name__ == "__main__":
    main()
