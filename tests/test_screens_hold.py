"""The director's screen and the wall hold on the projectors venues have, from 1280×720 to 4K, in
English and Russian: no text cut off, none over other text, none too small to read (bounding boxes
in headless Chromium, tests/layout_check.py)."""

import pytest

from control.eventlog import EventLog
from control.weekgen import write_week

from .conftest import Page, Server, new_id
from .layout_check import layout_problems

SIZES = [(1280, 720), (1366, 768), (1920, 1080), (2560, 1440), (3840, 2160)]
CASES = [(w, h, "en") for w, h in SIZES] + [(1280, 720, "ru"), (1920, 1080, "ru")]
LONG = ("The interpreter for the Vietnamese-speaking workers arrived forty minutes late, so the first interviews "
        "at the construction site were held through a colleague's phone translation app")


@pytest.fixture(scope="module")
def week(tmp_path_factory, scenario):
    """A generated week of play, ended: every panel of the director's screen full."""
    path = tmp_path_factory.mktemp("week") / "week.db"
    log = EventLog(path)
    write_week(scenario, log, 2500)
    log.close()
    server = Server(path).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def morning(tmp_path_factory):
    """Day 2 at 11:00, yesterday's injects left over, some released and answered, long words logged."""
    server = Server(tmp_path_factory.mktemp("morning") / "morning.db").start()
    director = server.connect("director")
    director.submit({"id": new_id(), "kind": "clock", "op": "start", "day": 2, "time": "11:00"})
    for inject in ("I-05", "I-06", "I-09"):
        director.submit({"id": new_id(), "kind": "inject", "inject": inject})
    director.submit({"id": new_id(), "kind": "inject_recall", "inject": "I-09", "reason": "released an hour early"})
    director.submit({"id": new_id(), "kind": "inject_defer", "inject": "I-07", "reason": LONG, "day": 2, "time": "12:10"})
    for team, site in (("alpha", "club"), ("bravo", "farm"), ("charlie", "club"), ("delta", "construction"), ("echo", "bus")):
        director.submit({"id": new_id(), "kind": "move", "team": team, "site": site})
    director.submit({"id": new_id(), "kind": "action", "team": "alpha", "action_type": "plan", "site": "club", "text": LONG,
                     "inject": "I-05"})
    observer = server.connect("observer")
    for team, objective, rating in (("alpha", "obj-identify", "S"), ("bravo", "obj-finance", "U"),
                                    ("charlie", "obj-identify", "P")):
        observer.submit({"id": new_id(), "kind": "evaluation", "objective": objective, "team": team, "rating": rating,
                         "note": LONG})
    yield server
    server.stop()


def open_at(browser, server, role, path, width, height, lang):
    view = Page(browser, server, viewport={"width": width, "height": height})
    view.login(role)
    view.page.goto(f"{server.url}{path}?lang={lang}")
    view.page.wait_for_selector("body[data-ready='1']", timeout=20000)
    view.page.wait_for_selector("body[data-connection='live']", timeout=20000)
    if path == "/director":  # the plots have drawn their axes and labels
        view.page.wait_for_function("document.querySelectorAll('.plot .main-svg').length >= 3", timeout=20000)
    view.page.wait_for_timeout(500)
    return view


@pytest.mark.parametrize("width, height, lang", CASES)
def test_the_directors_screen_holds_a_full_week(browser, week, width, height, lang):
    view = open_at(browser, week, "director", "/director", width, height, lang)
    try:
        assert layout_problems(view.page) == []
        assert view.errors == []
    finally:
        view.context.close()


@pytest.mark.parametrize("width, height, lang", [(1280, 720, "en"), (1920, 1080, "ru")])
def test_the_directors_screen_holds_a_morning_with_leftovers(browser, morning, width, height, lang):
    view = open_at(browser, morning, "controller", "/director", width, height, lang)
    try:
        assert view.page.locator("#board .inject.carried").count() == 4  # day 1's injects, still to do
        assert layout_problems(view.page) == []
    finally:
        view.context.close()


@pytest.mark.parametrize("width, height, lang", CASES)
def test_the_wall_reads_from_across_the_room(browser, morning, width, height, lang):
    view = open_at(browser, morning, "screen", "/wall", width, height, lang)
    try:
        page = view.page
        # 28 px at 1920×1080, in proportion elsewhere (a 1280×720 projector's image is as large in the room)
        smallest = 28 * min(width / 1920, height / 1080) - 0.5
        assert layout_problems(page, minimum=smallest) == []
        due = page.eval_on_selector_all("#wall-due .wall-inject", "rows => rows.map(r => r.dataset.inject)")
        assert due == ["I-01", "I-02", "I-03", "I-04", "I-08"]  # yesterday's first, then today's 10:50
        upcoming = page.eval_on_selector_all("#wall-next .wall-inject", "rows => rows.map(r => r.dataset.inject)")
        assert upcoming == ["I-09", "I-10", "I-07"]  # I-09 recalled (due 11:30 again), I-07 deferred to 12:10
        assert page.locator("#wall-team-list .wall-team").count() == 5
        gaps = page.locator("#wall-coverage-table td.gap").count()
        assert gaps == 7 * 5 - 3  # three team × objective pairs rated today
        assert view.errors == []
    finally:
        view.context.close()
