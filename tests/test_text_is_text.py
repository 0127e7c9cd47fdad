"""Script and event-handler payloads in every text field render as text on every page."""

import pytest

from .conftest import new_id

PAYLOADS = ['<img src=x onerror="window.__pwned=1">', '<script>window.__pwned=2</script>',
            '"><svg onload="window.__pwned=3">', "javascript:window.__pwned=4", "<b onmouseover=window.__pwned=5>x</b>"]
EVIL = " ".join(PAYLOADS)


@pytest.fixture
def poisoned(server):
    director, observer, alpha = server.connect("director"), server.connect("observer"), server.connect("team:alpha")
    submit = lambda client, **f: client.submit({"id": new_id(), **f})  # noqa: E731
    assert submit(director, kind="clock", op="start")["ok"]
    assert submit(director, kind="inject", inject="AH-1", adhoc=True, title=EVIL, description=EVIL,
                  teams=["alpha"], site="club")["ok"]
    assert submit(director, kind="inject_skip", inject="I-03", reason=EVIL)["ok"]
    assert submit(director, kind="inject_defer", inject="I-04", reason=EVIL)["ok"]
    action = {"id": new_id(), "kind": "action", "team": "alpha", "action_type": "plan", "site": "club", "text": EVIL,
              "inject": "AH-1"}
    assert alpha.submit(action)["ok"]
    rating = {"id": new_id(), "kind": "evaluation", "objective": "obj-identify", "team": "alpha", "rating": "S",
              "note": EVIL, "tag": "strength", "bookmark": True, "site": "club"}
    assert observer.submit(rating)["ok"]
    assert submit(observer, kind="amend", target=rating["id"], note=EVIL + " (amended)", reason=EVIL)["ok"]
    assert submit(observer, kind="note", text=EVIL, bookmark=True, team="alpha")["ok"]
    assert submit(alpha, kind="retract", target=action["id"], reason=EVIL)["ok"]
    alert = {"id": new_id(), "kind": "safety", "text": EVIL, "site": "club"}
    assert alpha.submit(alert)["ok"]
    return server


def assert_inert(view, page):
    assert page.evaluate("window.__pwned") is None
    assert view.dialogs == [] and view.errors == []
    assert page.locator("img[src=x], svg[onload], b[onmouseover]").count() == 0
    # Scripts come from ExCon only; the one inline <script> is the page's catalog, data the browser never runs.
    assert page.evaluate("[...document.scripts].every(s => (s.src && s.src.startsWith(location.origin))"
                         " || (s.id === 'page-messages' && s.type === 'application/json' && !s.src))")


@pytest.mark.parametrize("role, path, ready", [
    ("director", "/director", "body[data-ready='1']"),
    ("screen", "/director", "body[data-ready='1']"),
    ("director", "/debrief", "body[data-ready='1']"),
    ("observer", "/observe", "body[data-ready='1']"),
    ("team:alpha", "/team", "body[data-ready='1']"),
])
def test_every_page_shows_user_text_as_text(open_page, poisoned, role, path, ready):
    view = open_page(role)
    page = view.page
    page.goto(poisoned.url + path)
    page.wait_for_selector(ready, timeout=15000)
    page.wait_for_timeout(1500)
    if path == "/debrief":  # to the end, where everything has happened
        page.evaluate("() => { const s = document.getElementById('scrub'); s.value = s.max; "
                      "s.dispatchEvent(new Event('input')); }")
        page.wait_for_timeout(1500)
    page.mouse.move(300, 300)
    page.mouse.move(900, 500)
    text = page.inner_text("body")
    if path != "/observe":
        assert PAYLOADS[0] in text  # shown, as text
    assert_inert(view, page)


def test_the_report_escapes_user_text(poisoned):
    html = poisoned.get("/api/export/report.html", "director").text
    assert '<img src=x onerror="window.__pwned=1">' not in html
    assert "&lt;img src=x onerror=" in html


RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: what it precedes is drawn backwards, to the end of its isolate
PDI = "\u2069"  # POP DIRECTIONAL ISOLATE: typed by the writer, it would end an isolate around the text
BIDI = f"{RLO}reversed by the writer{PDI}{RLO}and again"

# Every text node that holds the override must keep it inside an isolate: between U+2068 and U+2069
# in the same node, or as the whole text of an element that is isolated by its style; and no node
# may hold a U+2069 of its own, which would end the isolate around it early.
CONTAINED = """() => {
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue;
    if (!text.includes("\\u202e")) continue;
    const parent = node.parentElement;
    const style = getComputedStyle(parent).unicodeBidi;
    const byStyle = ["isolate", "plaintext", "isolate-override"].includes(style) && parent.textContent === text;
    let depth = 0, ok = true;
    for (const ch of text) {
      if ("\\u2066\\u2067\\u2068".includes(ch)) depth += 1;
      else if (ch === "\\u2069") { depth -= 1; if (depth < 0) ok = false; }
      else if (ch === "\\u202e" && depth <= 0 && !byStyle) ok = false;
    }
    if (!ok || depth !== 0) bad.push(text.slice(0, 80));
  }
  return bad;
}"""

# In the feed line of the action, ExCon's "(answers AH-1)" after the writer's text still reads left to right.
LEFT_TO_RIGHT_AFTER = """() => {
  const line = [...document.querySelectorAll(".feed-text")].find((e) => e.textContent.includes("answers"));
  const node = [...line.childNodes].find((n) => n.nodeType === 3 && n.nodeValue.includes("answers"));
  const at = node.nodeValue.lastIndexOf("answers");
  const x = (i) => {
    const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1); return r.getBoundingClientRect().left;
  };
  return x(at) < x(at + 6);
}"""


@pytest.fixture
def overridden(server):
    director, observer, alpha = server.connect("director"), server.connect("observer"), server.connect("team:alpha")
    submit = lambda client, **f: client.submit({"id": new_id(), **f})  # noqa: E731
    assert submit(director, kind="clock", op="start")["ok"]
    assert submit(director, kind="inject", inject="AH-1", adhoc=True, title=BIDI, description=BIDI,
                  teams=["alpha"], site="club")["ok"]
    assert submit(director, kind="inject_skip", inject="I-03", reason=BIDI)["ok"]
    assert submit(alpha, kind="action", team="alpha", action_type="plan", site="club", text=BIDI, inject="AH-1")["ok"]
    assert submit(observer, kind="evaluation", objective="obj-identify", team="alpha", rating="S", note=BIDI,
                  bookmark=True)["ok"]
    assert submit(observer, kind="note", text=BIDI, bookmark=True, team="alpha")["ok"]
    assert submit(alpha, kind="safety", text=BIDI, site="club")["ok"]
    return server


@pytest.mark.parametrize("role, path", [("director", "/director"), ("director", "/debrief"),
                                        ("observer", "/observe"), ("team:alpha", "/team")])
def test_a_bidi_override_in_user_text_stays_in_its_place(open_page, overridden, role, path):
    view = open_page(role)
    page = view.page
    if path == "/observe":  # something in my log too
        page.goto(overridden.url + path)
        page.wait_for_selector("body[data-ready='1']", timeout=15000)
        page.select_option("select[name=team]", "alpha")
        page.select_option("select[name=objective]", "obj-identify")
        page.click("label.rating-P")
        page.fill("textarea[name=note]", BIDI)
        page.click("#entry-form [type=submit]")
        page.wait_for_selector("#mylog-list .state-saved", timeout=15000)
    page.goto(overridden.url + path)
    page.wait_for_selector("body[data-ready='1']", timeout=15000)
    page.wait_for_timeout(1000)
    if path == "/debrief":
        page.evaluate("() => { const s = document.getElementById('scrub'); s.value = s.max; "
                      "s.dispatchEvent(new Event('input')); }")
        page.wait_for_timeout(1500)
    assert RLO in page.inner_text("body")  # the writer's text is there, as written
    assert page.evaluate(CONTAINED) == []
    if path == "/director":
        assert page.evaluate(LEFT_TO_RIGHT_AFTER)


def test_the_report_isolates_user_text_and_wraps_long_words(open_page, overridden):
    observer = overridden.connect("observer")
    long_word = "x" * 10_000
    assert observer.submit({"id": new_id(), "kind": "evaluation", "objective": "obj-identify", "team": "alpha",
                            "rating": "M", "note": long_word, "tag": "improvement"})["ok"]
    view = open_page("director", viewport={"width": 1280, "height": 900})
    page = view.page
    html = overridden.get("/api/export/report.html", "director").text
    page.set_content(html)
    assert page.evaluate(CONTAINED) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
