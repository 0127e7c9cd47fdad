"""The debrief's scrubber runs in play time: a lunch pause and the night between two days take no width;
the cursor goes to the right exercise instant and back, and the page opens at the last day played."""

from datetime import timedelta

import pytest

from control.eventlog import EventLog
from control.timefmt import exercise_seconds, iso, utc_now

from .conftest import Server, new_id, until

HOUR = 3600


@pytest.fixture
def server(tmp_path):
    """Day 1 09:00–12:00, lunch (an hour's pause), 12:00–17:00; day 2 from 09:00 (the night jumped), an hour
    in; a bookmark at day 2 09:30."""
    db = tmp_path / "exercise.db"
    log = EventLog(db)
    start = utc_now() - timedelta(hours=24)
    ops = [(0, "start", (1, "09:00")), (3, "pause", (1, "12:00")), (4, "resume", (1, "12:00")), (9, "pause", (1, "17:00")),
           (23, "resume", (2, "09:00"))]
    for hours, op, (day, time) in ops:
        log.append({"id": new_id(), "kind": "clock", "op": op, "ts": iso(start + timedelta(hours=hours)),
                    "exercise_time": exercise_seconds(day, time), "role": "director", "by": "director"})
    log.append({"id": new_id(), "kind": "note", "text": "Day two's first bookmark", "bookmark": True,
                "ts": iso(start + timedelta(hours=23.5)), "exercise_time": exercise_seconds(2, "09:30"),
                "role": "director", "by": "director"})
    released = start + timedelta(hours=23, minutes=40)
    log.append({"id": new_id(), "kind": "inject", "inject": "I-02", "teams": ["bravo", "delta"], "ts": iso(released),
                "exercise_time": exercise_seconds(2, "09:40"), "role": "controller", "by": "controller"})
    log.append({"id": new_id(), "kind": "action", "team": "bravo", "action_type": "plan", "site": "club", "text": "On it",
                "inject": "I-02", "ts": iso(released + timedelta(seconds=30)), "exercise_time": exercise_seconds(2, "09:40") + 30,
                "role": "team:bravo", "by": "team:bravo"})
    log.close()
    srv = Server(db).start()
    yield srv
    srv.stop()


def scrub_to(page, play_seconds):
    move = "(value) => { const s = document.getElementById('scrub'); s.value = value; s.dispatchEvent(new Event('input')); }"
    page.evaluate(move, play_seconds)


def shown_clock(page):
    return page.inner_text("#clock-day"), page.inner_text("#clock-time")


def test_the_scrubber_leaves_out_the_night_and_opens_at_the_last_day(open_page, server):
    page = open_page("director", viewport={"width": 1280, "height": 720}).page
    page.goto(server.url + "/debrief")
    page.wait_for_selector("body[data-ready='1']", timeout=30000)
    assert page.input_value("#day-view") == "2" and shown_clock(page) == ("Day 2", "09:00:00")
    assert int(page.get_attribute("#scrub", "min")) == 8 * HOUR  # day 1 played 8 hours: day 2 starts there
    page.select_option("#day-view", "")  # the whole exercise: 8 h of day 1, then day 2 (~1 h so far)
    assert int(page.get_attribute("#scrub", "min")) == 0
    assert 9 * HOUR - 60 <= int(page.get_attribute("#scrub", "max")) <= 9 * HOUR + 120
    scrub_to(page, 3 * HOUR)
    until(page, "document.getElementById('clock-time').textContent === '12:00:00'")
    assert shown_clock(page) == ("Day 1", "12:00:00")
    scrub_to(page, 8 * HOUR + 30 * 60)  # half an hour into day 2's play: not in the night
    until(page, "document.getElementById('clock-time').textContent === '09:30:00'")
    assert shown_clock(page) == ("Day 2", "09:30:00")
    # and back: a jump to the bookmark puts the scrubber where its instant is in play time
    scrub_to(page, 0)
    page.select_option("#mark-kind", "bookmark")
    page.click("#next-mark")
    until(page, "document.getElementById('scrub').value === String(8 * 3600 + 1800)")
    page.select_option("#day-view", "1")
    assert page.get_attribute("#scrub", "max") == str(8 * HOUR)


def test_the_response_table_tells_no_answer_from_not_sent_and_from_zero(open_page, server):
    page = open_page("director", viewport={"width": 1280, "height": 720}).page
    page.goto(server.url + "/debrief")
    page.wait_for_selector("body[data-ready='1']", timeout=30000)
    scrub_to(page, int(page.get_attribute("#scrub", "max")))
    page.wait_for_selector("#responses tr >> text=I-02")
    cells = page.eval_on_selector_all("#responses tr:has-text('I-02') td", "cells => cells.map(c => c.textContent)")
    assert cells == ["I-02", "·", "<1", "·", "—", "·"]  # alpha, bravo (30 s), charlie, delta (none yet), echo
    header = page.eval_on_selector_all("#responses th", "cells => cells.map(c => c.textContent)")
    assert len(header) == 6  # every team has its column
