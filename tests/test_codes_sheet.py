"""The code sheet's QR codes carry an address phones can reach."""

import json
import re

from control.web.codes_sheet import is_loopback, reachable_base

from .test_run import run


def test_a_loopback_address_becomes_the_lan_address_with_its_port():
    assert reachable_base("http://127.0.0.1:5077/", "192.168.1.20") == ("http://192.168.1.20:5077/", None)
    assert reachable_base("https://localhost/", "10.0.0.5") == ("https://10.0.0.5/", None)
    assert reachable_base("http://192.168.1.20:5000/", "10.0.0.5") == ("http://192.168.1.20:5000/", None)


def test_without_a_lan_address_the_sheet_says_phones_cannot_reach_it():
    url, warning = reachable_base("http://[::1]:5000/", None)
    assert url == "http://[::1]:5000/" and "no phone can reach" in str(warning)


def test_what_counts_as_this_machine_only():
    assert is_loopback("127.0.0.1") and is_loopback("127.3.2.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("192.168.1.20") and not is_loopback("excon.local")


def test_the_sheet_opened_from_disk_is_styled_and_prints_on_one_a4_page(tmp_path, raw_scenario, browser):
    """Without a roster (shared codes only) the whole sheet is one A4 page, styled from the file alone."""
    raw_scenario.pop("people", None)
    raw_scenario.pop("assignments", None)
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(raw_scenario), encoding="utf-8")
    sheet = tmp_path / "codes.html"
    result = run("codes", "--db", str(tmp_path / "x.db"), "--scenario", str(scenario), "--sheet", str(sheet),
                 "--url", "http://10.0.0.5:5000")
    assert result.returncode == 0, result.stderr
    context = browser.new_context()
    requests = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.goto(sheet.as_uri())
    cards = page.locator(".code-card")
    assert cards.count() == 9  # director, controller, observer, screen and the five team tablets
    style = page.eval_on_selector(".code-card", "c => getComputedStyle(c).borderTopStyle")
    assert style == "solid"  # the sheet's own style applies, from the file
    pdf = page.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
    width, height = map(float, re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert (round(width), round(height)) == (595, 842)  # A4 in points, as the sheet's @page asks
    assert requests == [sheet.as_uri()]  # nothing else loaded
    context.close()
