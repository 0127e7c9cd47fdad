"""Measure the director's screen and the wall on a full week: time to first render and bytes sent.

    python bench/director_first_render.py [--events 50000] [--runs 5] [--sizes 1280x720,1920x1080]

Writes a generated week (run.py demo-data) into a temporary database, starts run.py on it, and
opens /director and /wall in headless Chromium (Debian's) several times at each screen size.
Prints, per run and as medians: the time from navigation to the page's first full render (cold,
and reloaded with a warm cache), the page's own render time after its data arrived, the bytes of
content the browser received (all files, and the API JSON alone; unzipped), and the server's /api/state time.  A
benchmark, not a test: it asserts nothing.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from week import write_week  # noqa: E402

from tests.conftest import CHROMIUM_ARGS, Server, chromium_path  # noqa: E402

CODE = "bench-director"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1280x720,1920x1080", help="screen sizes, WIDTHxHEIGHT, comma-separated")
    args = parser.parse_args()
    sizes = [tuple(int(n) for n in size.split("x")) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        db, seconds = write_week(tmp, args.events)
        print(f"generated week: {args.events} events requested, {seconds:.1f} s, "
              f"database {os.path.getsize(db) / 1e6:.1f} MB")
        server = Server(db, codes_env=f"director={CODE}").start()  # run.py, as the tests start it
        url = server.url
        try:
            headers = {"Authorization": f"Bearer {CODE}"}
            count = len(requests.get(url + "/api/events?last=1", headers=headers).json()["events"]) and \
                requests.get(url + "/api/events?last=1", headers=headers).json()["events"][0]["seq"]
            state_ms = []
            for _ in range(args.runs + 1):
                t = time.perf_counter()
                requests.get(url + "/api/state", headers=headers).raise_for_status()
                state_ms.append((time.perf_counter() - t) * 1000)
            runs = {(path, size): [render_once(url, path=path, size=size) for _ in range(args.runs)]
                    for path in ("/director", "/wall") for size in sizes}
            on_screen = event_to_screen(url, 20)
        finally:
            server.stop()
    print(f"events in the log: {count}")
    print(f"/api/state: first after start (run.py folded the log before serving) {state_ms[0]:.0f} ms; "
          f"then (kept current) median {statistics.median(state_ms[1:]):.0f} ms")
    for (path, (width, height)), measured in runs.items():
        print(f"{path} at {width}×{height}:")
        for key, label in [("navigation_to_ready_ms", "navigation → first full render"),
                           ("warm_ready_ms", "reload with a warm cache → first full render"),
                           ("page_render_ms", "page script: data fetch + draw"),
                           ("bytes_total", "bytes of content received, all files (cold cache, unzipped)"),
                           ("bytes_api", "bytes of content received, API JSON (unzipped)")]:
            values = [r[key] for r in measured if r[key] is not None]
            if not values:
                continue
            unit = "ms" if key.endswith("ms") else "B"
            print(f"  {label}: median {statistics.median(values):,.0f} {unit} "
                  f"(runs: {', '.join(f'{v:,.0f}' for v in values)})")
    on_screen.sort()
    print(f"submit by another client → shown in the feed: median {statistics.median(on_screen):.0f} ms, "
          f"worst {on_screen[-1]:.0f} ms ({len(on_screen)} events)")


def event_to_screen(url, count):
    """Submit moves from a python-socketio client and time until each shows in the page's feed."""
    import uuid

    import socketio

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        page.goto(f"{url}/login?code={CODE}")
        page.wait_for_selector("body[data-connection='live']", timeout=60000)
        # The page notes when each probe appears (same machine, same wall clock as this script).
        page.evaluate("""() => { window.seenAt = {};
            new MutationObserver(() => document.querySelectorAll('#feed .feed-text').forEach(n => {
                const m = n.textContent.replace(/[\\u2066-\\u2069]/g, "").match(/latency probe (\\S+)/);
                if (m && !(m[1] in window.seenAt)) window.seenAt[m[1]] = Date.now(); })
            ).observe(document.getElementById('feed'), {childList: true, subtree: true}); }""")
        client = socketio.Client()
        client.connect(url, auth={"code": CODE}, transports=["websocket"])
        for _ in range(count):
            event_id = str(uuid.uuid4())
            start = time.time() * 1000
            ack = client.call("submit", {"id": event_id, "kind": "note", "text": f"latency probe {event_id}"})
            page.wait_for_selector(f"#feed >> text=latency probe {event_id}", timeout=10000)
            times.append(page.evaluate(f"window.seenAt['{event_id}']") - start)
            assert ack["ok"], ack
            page.wait_for_timeout(300)
        client.disconnect()
        browser.close()
    return times


def body_size(response) -> int:
    """Return the bytes of a response's content (unzipped); 0 for one the browser no longer holds."""
    try:
        return len(response.body())
    except Exception:  # noqa: BLE001 (a benchmark: an unreadable body is left out, not fatal)
        return 0


def render_once(url, code=CODE, path="/director", size=(1920, 1080)):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        page = context.new_page()
        page.goto(f"{url}/login?code={code}", wait_until="commit")  # the session cookie, then the page itself
        page.wait_for_load_state()
        responses = []  # Chromium reports no body size for files it streams: the bodies are measured after
        page.on("response", lambda response: responses.append(response))
        start = time.perf_counter()
        page.goto(url + path, wait_until="commit")
        page.wait_for_selector("body[data-ready='1']", timeout=60000)
        ready = (time.perf_counter() - start) * 1000
        page_ms = page.evaluate("window.excon.firstRenderMs ?? null")
        page.wait_for_timeout(300)
        cold_bytes = [(r.url, body_size(r)) for r in list(responses) if r.status == 200]
        start = time.perf_counter()
        page.reload(wait_until="commit")
        page.wait_for_selector("body[data-ready='1']", timeout=60000)
        warm = (time.perf_counter() - start) * 1000
        browser.close()
    sizes = cold_bytes
    return {"navigation_to_ready_ms": ready, "warm_ready_ms": warm, "page_render_ms": page_ms,
            "bytes_total": sum(s for _, s in sizes), "bytes_api": sum(s for u, s in sizes if "/api/" in u)}


if __name__ == "__main__":
    main()
