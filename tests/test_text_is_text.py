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
    assert page.evaluate("[...document.scripts].every(s => s.src && s.src.startsWith(location.origin))")


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
