"""Debrief on a generated week: replay in the browser, exports, and the report draft opened offline."""

import csv
import io
import json
import sqlite3
import time

import pytest

from control.eventlog import EventLog
from control.weekgen import write_week

from .conftest import Page, Server, until


@pytest.fixture(scope="module")
def week_server(tmp_path_factory, scenario):
    path = tmp_path_factory.mktemp("week") / "week.db"
    log = EventLog(path)
    write_week(scenario, log, 3000)
    log.close()
    srv = Server(path).start()
    yield srv
    srv.stop()


def all_ids(server):
    """Every event's id but the participants' questionnaire answers (no role receives those one by one:
    they are read summed up, and in feedback.csv)."""
    rows = sqlite3.connect(server.db_path).execute("SELECT id FROM events WHERE kind != 'feedback' ORDER BY seq").fetchall()
    return [r[0] for r in rows]


def open_debrief(browser, server):
    view = Page(browser, server, viewport={"width": 1920, "height": 1080})
    view.login("director")
    view.page.goto(server.url + "/debrief")
    view.page.wait_for_selector("body[data-ready='1']", timeout=20000)
    return view


def team_positions(page):
    return page.evaluate("""() => Object.fromEntries(document.getElementById('map-plot').data
        .filter(t => t.name && t.name.startsWith('Team')).map(t => [t.name, [t.x[0], t.y[0]]]))""")


def test_replay_at_600x_advances_the_clock_and_moves_teams(browser, week_server):
    view = open_debrief(browser, week_server)
    page = view.page
    count = len(all_ids(week_server))
    start_time = page.inner_text("#clock-day") + " " + page.inner_text("#clock-time")
    before = team_positions(page)
    page.select_option("#speed", "600")
    page.click("#play")
    until(page, "window.excon.frames.length > 15")
    page.click("#play")
    until(page, "document.body.dataset.shownAt !== undefined")
    assert page.inner_text("#clock-day") + " " + page.inner_text("#clock-time") != start_time
    time.sleep(0.5)
    assert team_positions(page) != before
    assert page.locator("#feed .feed-item").count() > 0
    assert view.foreign_requests() == [] and view.errors == []
    assert len(all_ids(week_server)) == count  # the replay wrote nothing
    view.context.close()


def test_jumping_to_a_bookmark_shows_it(browser, week_server):
    view = open_debrief(browser, week_server)
    page = view.page
    page.select_option("#mark-kind", "bookmark")
    page.click("#next-mark")
    until(page, "document.body.dataset.jumpedTo !== undefined")
    target = page.evaluate("document.body.dataset.jumpedTo")
    marks = week_server.get("/api/marks", "director").json()["events"]
    bookmark = next(m for m in marks if m["id"] == target)
    assert bookmark["bookmark"] is True
    until(page, f"document.body.dataset.shownAt === {json.dumps(bookmark['ts'])} || "
                f"new Date(document.body.dataset.shownAt).getTime() === new Date({json.dumps(bookmark['ts'])}).getTime()")
    text = bookmark.get("text") or bookmark.get("note")
    page.wait_for_selector(f"#feed .kind-bookmark >> text={text[:40]}", timeout=10000)
    page.click("#next-mark")
    until(page, f"document.body.dataset.jumpedTo !== {json.dumps(target)}")
    view.context.close()


def test_state_on_the_page_agrees_with_the_api(browser, week_server):
    view = open_debrief(browser, week_server)
    page = view.page
    first = page.evaluate("document.body.dataset.shownAt")
    page.evaluate("(s => { s.value = Number(s.min) + (s.max - s.min) * 0.6; })(document.getElementById('scrub'))")
    page.dispatch_event("#scrub", "input")
    until(page, f"document.body.dataset.shownAt !== {json.dumps(first)}")  # the new instant is drawn
    at = page.evaluate("document.body.dataset.shownAt")
    state = week_server.get(f"/api/state?at={at}", "director").json()
    shown = team_positions(page)
    sites = {s["id"]: s for s in week_server.get("/api/scenario", "director").json()["sites"]}
    for team_id, team in state["teams"].items():
        x, y = shown[f"Team {team_id.capitalize()}"]
        site = sites[team["site"]]
        assert abs(x - site["x"]) < 120 and abs(y - site["y"] - 46) < 1
    view.context.close()


def test_exports_hold_every_event_exactly_once(week_server):
    ids = all_ids(week_server)
    jsonl = week_server.get("/api/export/events.jsonl", "director")
    assert jsonl.headers["Content-Disposition"].startswith("attachment")
    lines = [json.loads(line) for line in jsonl.text.splitlines()]
    assert [e["id"] for e in lines] == ids
    exported = week_server.get("/api/export/events.csv", "director")
    assert exported.content.startswith("\ufeff".encode()) and "charset=utf-8" in exported.headers["Content-Type"]
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == ids
    assert {r["kind"] for r in rows} >= {"retract", "amend", "evaluation"}
    first_eval = next(r for r in rows if r["kind"] == "evaluation")
    assert first_eval["rating"] in "PSMU" and first_eval["objective_title"] and first_eval["team_name"].startswith("Team ")
    assert first_eval["exercise_day"] and len(first_eval["exercise_clock"]) == 8 and first_eval["note"]
    assert week_server.get("/api/export/events.csv", "team:alpha").status_code == 403
    assert week_server.get("/api/export/report.html", "screen").status_code == 403


def test_the_report_opens_from_a_file_with_the_network_blocked(browser, week_server, tmp_path, scenario):
    response = week_server.get("/api/export/report.html", "director")
    assert response.status_code == 200
    path = tmp_path / "report.html"
    path.write_bytes(response.content)
    context = browser.new_context()
    asked = []
    context.route("**/*", lambda route: (asked.append(route.request.url),
                                         route.continue_() if route.request.url.startswith("file:") else route.abort()))
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_selector("svg.chart", timeout=15000)
    assert page.locator("svg.chart").count() == len(scenario.objectives) + 1  # drawn inline: no script, no library
    text = page.inner_text("body")
    for objective in scenario.objectives.values():
        assert objective["title"] in text
    for team in scenario.teams.values():
        assert team["name"] in text
    for heading in ("Exercise overview", "Analysis of objectives", "Timeline of the main events", "Improvement plan",
                    "Primary responsible organisation", "Completion date"):
        assert heading in text
    assert [u for u in asked if not u.startswith("file:")] == [] and errors == []
    context.close()


def test_marks_and_evidence(week_server):
    marks = week_server.get("/api/marks", "director").json()["events"]
    kinds = {m["kind"] for m in marks}
    assert {"clock", "inject", "safety"} <= kinds and any(m.get("bookmark") for m in marks)
    evidence = week_server.get("/api/evidence?objective=obj-finance&team=echo", "observer").json()["evaluations"]
    assert evidence and all(e["objective"] == "obj-finance" and e["team"] == "echo" for e in evidence)
    retracted = {e["target"] for e in week_server.get("/api/events?limit=5000", "director").json()["events"]
                 if e["kind"] == "retract"}
    assert not retracted & {e["id"] for e in week_server.get("/api/evidence", "director").json()["evaluations"]}
    assert week_server.get("/api/evidence", "team:alpha").status_code == 403
    last = week_server.get(f"/api/events?until={marks[10]['ts']}&last=5", "director").json()["events"]
    assert last[-1]["ts"] <= marks[10]["ts"] and len(last) == 5


def test_only_staff_open_the_debrief(open_page, server):
    page = open_page("team:alpha").page
    assert page.goto(server.url + "/debrief").status == 403
