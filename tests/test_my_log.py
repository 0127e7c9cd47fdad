"""My log on an evaluator's phone after three days of play: 500 entries in compact rows in exercise day and
time, filtered by day, team and objective, searched, yesterday's corrected; a save adds one row."""

from datetime import timedelta

import pytest

from control.eventlog import EventLog
from control.timefmt import exercise_seconds, iso, utc_now

from .conftest import Server, new_id, until
from .test_phone_pages import PHONE, rate, ready, stored

TEAMS = ("alpha", "bravo", "charlie", "delta")
OBJECTIVES = ("obj-identify", "obj-evidence", "obj-victim-centred")
# (wall hours ago, exercise day, time, op): three days of play with the nights between
CLOCK = ((50, 1, "08:30", "start"), (42, 1, "16:30", "pause"), (26, 2, "08:30", "resume"), (18, 2, "16:30", "pause"),
         (2, 3, "08:30", "resume"))


def seed_week(db):
    """Store three days' clock and 500 ratings by the observer; return the phone's outbox for them."""
    log = EventLog(db)
    now = utc_now()
    for hours, day, time, op in CLOCK:
        log.append({"id": new_id(), "kind": "clock", "op": op, "ts": iso(now - timedelta(hours=hours)),
                    "exercise_time": exercise_seconds(day, time), "role": "director", "by": "director"})
    outbox = []
    for n in range(500):
        day = 1 + n * 3 // 500
        start = now - timedelta(hours=(50, 26, 2)[day - 1])
        minutes = (n % 167) * 2 if day < 3 else (n % 167) * 120 // 167  # day 3: the two hours so far
        wall = start + timedelta(minutes=minutes)
        placed = exercise_seconds(day, "08:30") + minutes * 60
        note = f"Entry {n}: the team {'interviewed the zebra witness' if n == 123 else 'checked the ledger'}."
        payload = {"id": new_id(), "kind": "evaluation", "team": TEAMS[n % 4], "objective": OBJECTIVES[n % 3],
                   "rating": "PSMU"[n % 4], "note": note, "observed_at": iso(wall)}
        stored_event = log.append({**payload, "ts": iso(wall + timedelta(seconds=1)), "exercise_time": placed,
                                   "observed_time": placed, "role": "observer", "by": "observer"})
        outbox.append({"id": payload["id"], "payload": payload, "madeAt": int(wall.timestamp() * 1000), "state": "saved",
                       "seq": stored_event["seq"], "placed": placed})
    log.close()
    return outbox


@pytest.fixture
def week(tmp_path):
    db = tmp_path / "exercise.db"
    outbox = seed_week(db)
    srv = Server(db).start()
    yield srv, outbox
    srv.stop()


@pytest.fixture
def server(week):
    return week[0]


def open_log(open_page, server, outbox):
    view = open_page("observer", **PHONE)
    page = ready(view.page)
    page.evaluate("(entries) => localStorage.setItem('excon.outbox.observer', JSON.stringify(entries))", outbox)
    page.reload()
    return ready(page)


def shown(page):
    return page.eval_on_selector_all("#mylog-list .log-entry", "rows => rows.map(r => r.innerText)")


def test_a_week_of_entries_in_compact_rows(open_page, week):
    server, outbox = week
    page = open_log(open_page, server, outbox)
    rows = shown(page)
    assert len(rows) == 50 and rows[0].startswith("D3 10:28")  # the newest first, in exercise day and time
    assert page.inner_text("#mylog-count") == "50 of 500 entries shown"
    heights = page.eval_on_selector_all("#mylog-list .log-entry", "rows => rows.map(r => r.getBoundingClientRect().height)")
    assert max(heights) < 130  # a row is a few lines, not a screen
    page.click("#mylog-more")
    until(page, "document.querySelectorAll('#mylog-list .log-entry').length === 100")


def test_filter_by_day_team_and_objective_and_search(open_page, week):
    server, outbox = week
    page = open_log(open_page, server, outbox)
    page.select_option("#log-day", "1")
    until(page, "[...document.querySelectorAll('#mylog-list .log-time')].every(t => t.textContent.startsWith('D1'))")
    assert page.inner_text("#mylog-count") == "50 of 500 entries shown"
    page.select_option("#log-team", "bravo")
    page.select_option("#log-objective", "obj-evidence")
    day_one = [e for e in outbox if e["placed"] < exercise_seconds(2, "00:00")
               and e["payload"]["team"] == "bravo" and e["payload"]["objective"] == "obj-evidence"]
    until(page, f"document.querySelectorAll('#mylog-list .log-entry').length === {len(day_one)}")
    page.select_option("#log-day", "")
    page.select_option("#log-team", "")
    page.select_option("#log-objective", "")
    page.fill("#log-search", "zebra witness")
    until(page, "document.querySelectorAll('#mylog-list .log-entry').length === 1")
    assert "Entry 123" in shown(page)[0]
    page.fill("#log-search", "no such words anywhere")
    until(page, "document.getElementById('mylog-empty').textContent === 'No entry matches these filters.'")


def test_correct_yesterdays_entry(open_page, week):
    server, outbox = week
    page = open_log(open_page, server, outbox)
    page.select_option("#log-day", "2")
    until(page, "document.querySelector('#mylog-list .log-time').textContent.startsWith('D2')")
    target = page.get_attribute("#mylog-list .log-entry", "data-id")
    page.click("#mylog-list .log-entry >> nth=0 >> [data-act=correct]")
    page.click("label.rating-U")
    page.click("#entry-form [type=submit]")
    until(page, f"document.querySelector('#mylog-list [data-id=\"{target}\"]').innerText.includes('corrected')")
    page.wait_for_selector("#banner >> text=Online — everything saved", timeout=15000)
    amend = stored(server, "amend")[-1]
    assert (amend["target"], amend["rating"]) == (target, "U")


def test_a_save_adds_a_row_and_redraws_none_of_the_others(open_page, week):
    server, outbox = week
    page = open_log(open_page, server, outbox)
    page.evaluate("document.querySelectorAll('#mylog-list .log-entry').forEach(r => { r.drawnBefore = true; })")
    rate(page, "P", "Interpreter called before the first question.")
    page.wait_for_selector("#banner >> text=Online — everything saved", timeout=15000)
    until(page, "document.querySelector('#mylog-list .log-entry').classList.contains('state-saved')")
    first, *rest = page.eval_on_selector_all("#mylog-list .log-entry", "rows => rows.map(r => !!r.drawnBefore)")
    assert first is False and all(rest) and len(rest) == 49  # the new row on top; the other rows the same nodes
    assert shown(page)[0].startswith("D3 ")
