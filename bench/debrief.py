"""Measure the debrief on a generated week: /api/state at random instants, scrubbing, exports.

    python bench/debrief.py [--events 100000] [--instants 200]

Writes a week (run.py demo-data) into a temporary database, starts run.py on it and prints:
/api/state?at= times at random instants (the first requests build the kept states), the
browser's frame time while replaying at 600× and while jumping the scrubber (request → drawn),
the report draft's, the AAR/IP .docx's, a day's hot wash's and the CSV export's time and size, and the database size;
the report draft's time to open in Chromium and its A4 print length, with and without its annexes; the .docx's A4
length with and without its observation annex, where LibreOffice (`soffice`) is installed to lay it out.
Asserts nothing.
"""

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from week import write_week  # noqa: E402

from tests.conftest import CHROMIUM_ARGS, Server, chromium_path  # noqa: E402

CODE = "bench-director"


def timed(fn):
    t = time.perf_counter()
    result = fn()
    return (time.perf_counter() - t) * 1000, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--instants", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db, gen_s = write_week(tmp, args.events)
        server = Server(db, codes_env=f"director={CODE}").start()  # run.py, as the tests start it
        url = server.url
        try:
            s = requests.Session()
            s.headers["Authorization"] = f"Bearer {CODE}"
            first = s.get(url + "/api/events?limit=1").json()["events"][0]["ts"]
            last = s.get(url + "/api/events?last=1").json()["events"][0]
            start = datetime.fromisoformat(first)
            end = datetime.fromisoformat(last["ts"])
            rng = random.Random(1)
            instants = [start + (end - start) * rng.random() for _ in range(args.instants)]
            def state_at(at):
                return s.get(url + "/api/state", params={"at": at.isoformat()}).raise_for_status()

            cold = [timed(lambda at=at: state_at(at))[0] for at in instants[:20]]
            warm = [timed(lambda at=at: state_at(at))[0] for at in instants]
            report_ms, report = timed(lambda: s.get(url + "/api/export/report.html"))
            aar_ms, aar = timed(lambda: s.get(url + "/api/export/aar.docx"))
            hotwash_ms, hotwash = timed(lambda: s.get(url + "/hotwash?day=3"))
            csv_ms, csv = timed(lambda: s.get(url + "/api/export/events.csv"))
            frames = browser_frames(url)
            report_file = Path(tmp) / "report.html"
            report_file.write_bytes(report.content)
            opened_ms, pages_all, pages_body = report_in_print(report_file)
            aar_file = Path(tmp) / "aar.docx"
            aar_file.write_bytes(aar.content)
            aar_pages = docx_pages(aar_file)
        finally:
            server.stop()
        size = os.path.getsize(db)
    print(f"generated week: {last['seq']} events in {gen_s:.1f} s; database {size / 1e6:.1f} MB")
    print(f"/api/state?at= first 20 requests (building kept states): median {statistics.median(cold):.0f} ms, "
          f"worst {max(cold):.0f} ms")
    print(f"/api/state?at= {len(warm)} random instants: median {statistics.median(warm):.1f} ms, "
          f"p95 {sorted(warm)[int(len(warm) * 0.95)]:.1f} ms, worst {max(warm):.1f} ms")
    for name, values in frames.items():
        values.sort()
        print(f"browser frame ({name}, request → drawn): median {statistics.median(values):.0f} ms, "
              f"p95 {values[int(len(values) * 0.95)]:.0f} ms, {len(values)} frames")
    print(f"report draft: {report_ms / 1000:.2f} s, {len(report.content) / 1e6:.1f} MB "
          f"(charts inline SVG); events.csv: {csv_ms / 1000:.2f} s, {len(csv.content) / 1e6:.1f} MB")
    print(f"AAR/IP .docx: {aar_ms / 1000:.2f} s, {len(aar.content) / 1e3:.0f} kB; hot wash of day 3: {hotwash_ms / 1000:.2f} s, "
          f"{len(hotwash.content) / 1e3:.0f} kB")
    print(f"report draft in Chromium: opens in {opened_ms:.0f} ms; prints {pages_all} A4 pages, {pages_body} without its annexes")
    if aar_pages:
        print(f"AAR/IP .docx laid out by LibreOffice: {aar_pages[0]} A4 pages, {aar_pages[1]} without its observation annex")
    else:
        print("AAR/IP .docx pages: not measured (LibreOffice's soffice is not installed)")


PDF_PAGE = re.compile(rb"/Type\s*/Page[^s]")


def report_in_print(path: Path):
    """Open the report draft from its file; return (ms to load, A4 pages, A4 pages without the annexes)."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page()
        started = time.perf_counter()
        page.goto(path.as_uri())
        opened = (time.perf_counter() - started) * 1000
        whole = len(PDF_PAGE.findall(page.pdf(format="A4", prefer_css_page_size=True)))  # the plan on pages turned across
        page.evaluate("document.querySelectorAll('.annex').forEach((annex) => annex.remove())")
        body = len(PDF_PAGE.findall(page.pdf(format="A4", prefer_css_page_size=True)))
        browser.close()
    return opened, whole, body


def docx_pages(path: Path):
    """Return (A4 pages, A4 pages without the appendix of picked observations and what follows it) of the .docx as
    LibreOffice lays it out, or None without LibreOffice."""
    if not shutil.which("soffice"):
        return None
    from docx import Document

    def pages(docx: Path) -> int:
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(docx.parent), str(docx)],
                       check=True, capture_output=True, timeout=600)
        return len(PDF_PAGE.findall(docx.with_suffix(".pdf").read_bytes()))

    doc = Document(path)
    body, cut = doc.element.body, False
    for child in list(body):
        text = "".join(node.text or "" for node in child.iter() if node.tag.endswith("}t"))
        cut = cut or (text.startswith("Appendix") and "observations picked" in text)
        if cut and not child.tag.endswith("}sectPr"):
            body.remove(child)
    short = path.with_name("aar-body.docx")
    doc.save(short)
    return pages(path), pages(short)


def browser_frames(url):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        page.goto(f"{url}/login?code={CODE}")
        page.goto(f"{url}/debrief")
        page.wait_for_selector("body[data-ready='1']", timeout=60000)
        page.select_option("#day-view", "")  # the whole week on the scrubber
        page.select_option("#speed", "600")
        page.click("#play")
        page.wait_for_timeout(15000)
        page.click("#play")
        page.wait_for_timeout(500)
        play = page.evaluate("window.excon.frames.splice(0)")
        for n in range(40):
            page.evaluate(f"() => {{ const s = document.getElementById('scrub'); "
                          f"s.value = s.min * 1 + (s.max - s.min) * {(n * 37 % 100) / 100}; "
                          f"s.dispatchEvent(new Event('input')); }}")
            page.wait_for_timeout(400)
        scrub = page.evaluate("window.excon.frames.splice(0)")
        browser.close()
    return {"replay at 600×": play[1:], "scrubber jumps": scrub}


if __name__ == "__main__":
    main()
