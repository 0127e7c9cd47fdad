"""A code per person: who logged an entry is recorded by the server (`by`), shown to the staff by
name, never to the players; one person's code can be rotated without touching anyone else's."""

import csv
import io
import time

import pytest
import requests
import socketio

from .conftest import Server, codes_with, new_id, wait_for_text
from .test_access_matrix import ENDPOINTS
from .test_operations import run

PEOPLE = {"person:p-eval-1": "anna-eval-code", "person:p-alpha-1": "oliver-player-code",
          "person:p-director": "helena-director-code", "person:p-lead-eval": "lead-eval-code"}


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "people.db", codes_env=codes_with(PEOPLE)).start()
    yield srv
    srv.stop()


def test_an_entry_records_the_person_who_logged_it_never_the_payload(server):
    director = server.connect("director")
    evaluator = server.connect(PEOPLE["person:p-eval-1"])  # her own code: the rights of an observer
    rating = {"id": new_id(), "kind": "evaluation", "team": "alpha", "objective": "obj-identify", "rating": "S",
              "note": "Asked about the passports first."}
    assert evaluator.submit(rating)["ok"]
    stored = director.wait_for(lambda e: e["id"] == rating["id"])
    assert (stored["role"], stored["by"]) == ("observer", "p-eval-1")
    forged = evaluator.submit({**rating, "id": new_id(), "by": "p-eval-2"})
    assert not forged["ok"] and forged["field"] == "by" and "set by the server" in forged["error"]
    shared = server.connect("observer")  # the shared evaluators' code: the entry says only the role
    note = {"id": new_id(), "kind": "note", "text": "From the shared phone."}
    assert shared.submit(note)["ok"]
    assert director.wait_for(lambda e: e["id"] == note["id"])["by"] == "observer"


def test_players_never_learn_who_logged_what(server):
    director, tablet = server.connect("director"), server.connect("team:alpha")
    player = server.connect(PEOPLE["person:p-alpha-1"])  # a participant: their team's rights
    action = {"id": new_id(), "kind": "action", "team": "alpha", "action_type": "plan", "site": "club",
              "text": "Briefing before the visit."}
    assert player.submit(action)["ok"]
    assert director.wait_for(lambda e: e["id"] == action["id"])["by"] == "p-alpha-1"
    seen = tablet.wait_for(lambda e: e["id"] == action["id"])
    assert "by" not in seen and "role" in seen
    assert all("by" not in e for e in server.get("/api/events", "team:alpha").json()["events"])
    assert not player.submit({"id": new_id(), "kind": "action", "team": "bravo", "action_type": "plan", "site": "club",
                              "text": "Not my team."})["ok"]


def test_the_export_names_the_person(server):
    evaluator = server.connect(PEOPLE["person:p-eval-1"])
    assert evaluator.submit({"id": new_id(), "kind": "note", "text": "Bookmark for the hot wash.", "bookmark": True})["ok"]
    rows = list(csv.DictReader(io.StringIO(server.get("/api/export/events.csv?lang=en", "director").content
                                           .decode("utf-8-sig"))))
    assert (rows[-1]["by"], rows[-1]["by_name"]) == ("p-eval-1", "Jan Novák")


def test_a_page_opened_with_a_persons_code_names_them(server):
    browser = requests.Session()
    page = browser.get(f"{server.url}/login?code={PEOPLE['person:p-eval-1']}", timeout=10)
    assert page.url.endswith("/observe") and "Jan Novák (evaluator)" in page.text


def test_rotating_one_persons_code_drops_only_their_sockets(tmp_path):
    server = Server(tmp_path / "rot.db", codes_env="").start()  # codes kept in the database, as in real use
    try:
        codes = dict(line.split()[:2] for line in run("codes", "--db", server.db_path).stdout.splitlines())
        hers, shared = (socketio.Client(reconnection=False) for _i in range(2))
        hers.connect(server.url, auth={"code": codes["person:p-eval-1"]}, transports=["websocket"], wait_timeout=10)
        shared.connect(server.url, auth={"code": codes["observer"]}, transports=["websocket"], wait_timeout=10)
        result = run("codes", "--db", server.db_path, "--rotate", "p-eval-1")  # a person, by their id
        assert result.returncode == 0 and "New code for person:p-eval-1" in result.stdout, result.stderr
        deadline = time.monotonic() + 10
        while hers.connected and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not hers.connected and shared.connected
        shared.disconnect()
    finally:
        server.stop()


def test_exports_to_share_outside_the_exercise_team_carry_pseudonyms(server):
    evaluator = server.connect(PEOPLE["person:p-eval-1"])
    rating = {"id": new_id(), "kind": "evaluation", "team": "alpha", "objective": "obj-identify", "rating": "M",
              "note": "The interpreter came an hour late.", "for_report": True}  # among the report's findings
    assert evaluator.submit(rating)["ok"]
    shared = server.get("/api/export/events.csv?lang=en&pseudonyms=1", "director").content.decode("utf-8-sig")
    row = list(csv.DictReader(io.StringIO(shared)))[-1]
    assert (row["by"], row["by_name"]) == ("evaluator 1", "evaluator 1")  # Jan Novák is the roster's first evaluator
    assert "Jan Novák" not in shared and "p-eval-1" not in shared
    report = server.get("/api/export/report.html?lang=en&pseudonyms=1", "director").text
    assert "[evaluator 1]" in report and "Jan Novák" not in report
    assert "[Jan Novák]" in server.get("/api/export/report.html?lang=en", "director").text  # for the exercise team


def test_a_safety_alert_tells_its_sender_that_control_has_it_and_who_acknowledged_it(server, open_page):
    view = open_page(viewport={"width": 390, "height": 844})
    page = view.page
    page.goto(f"{server.url}/login?code={PEOPLE['person:p-eval-1']}")
    page.wait_for_selector("body[data-connection='live']", timeout=15000)
    director = server.connect(PEOPLE["person:p-director"])
    page.click("#safety-open")
    page.fill("#safety-form textarea[name=text]", "An actor fainted in the sauna.")
    page.click("#safety-send")
    page.wait_for_selector("#mylog-list .log-state >> text=received by control", timeout=15000)
    alert = director.wait_for(lambda e: e["kind"] == "safety")
    assert alert["by"] == "p-eval-1"  # the director sees who raised it
    assert director.submit({"id": new_id(), "kind": "safety_ack", "target": alert["id"], "text": "First aid on its way."})["ok"]
    wait_for_text(page, "#mylog-list .log-ack", "acknowledged by Helena Marsh at")
    page.reload()  # remembered on the phone
    wait_for_text(page, "#mylog-list .log-ack", "acknowledged by Helena Marsh at")
    assert view.errors == []


@pytest.mark.parametrize("holder, role", [("person:p-eval-1", "observer"), ("person:p-alpha-1", "team:alpha"),
                                          ("person:p-director", "director"), ("person:p-lead-eval", "lead_evaluator")])
def test_a_persons_code_opens_what_their_role_opens(server, holder, role):
    """The access matrix holds for people: a person's code is their role's rights, no more."""
    for path, allowed in sorted(ENDPOINTS.items()):
        answer = requests.get(server.url + path, headers={"Authorization": f"Bearer {PEOPLE[holder]}"}, timeout=20)
        assert answer.status_code == (200 if role in allowed else 403), (holder, path, answer.status_code)
