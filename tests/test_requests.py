"""A team's requests to the control cell (bank records, an interpreter, a warrant …) and control's
answers: stored through the one write path, seen by that team and the staff only, response times in
play time; end to end through real sockets and the pages."""

import pytest

from control.events import InvalidEvent
from control.permissions import view

from .conftest import new_id, submit, wait_for_text


@pytest.fixture
def running(exercise, hand_clock):
    submit(exercise, "director", "clock", op="start", day=2, time="09:00")
    return exercise


def ask(exercise, team="bravo", text="Transfers of Kestrel Build, last six months", **fields):
    return submit(exercise, f"team:{team}", "request", team=team, request_kind="bank_records", text=text, **fields)


def test_a_request_and_its_answer_give_the_teams_response_time_in_play_time(running, hand_clock):
    request = ask(running)
    hand_clock.advance(minutes=10)
    submit(running, "director", "clock", op="pause", reason="lunch")
    hand_clock.advance(minutes=60)  # the lunch break is no waiting
    submit(running, "director", "clock", op="resume")
    hand_clock.advance(minutes=5)
    answer = submit(running, "controller", "request_answer", request=request["id"], text="The bank sends them at 14:00")
    assert answer["team"] == "bravo"  # filled in by the server, from the request
    kept = running.state_for("director")["requests"][request["id"]]
    assert (kept["team"], kept["request_kind"], kept["response"], kept["answer"]["text"]) == (
        "bravo", "bank_records", 900.0, "The bank sends them at 14:00")
    assert running.state_for("team:bravo")["requests"][request["id"]]["answer"]["text"] == "The bank sends them at 14:00"


def test_an_open_request_says_since_when_it_waits_in_play_time(running, hand_clock):
    request = ask(running)
    hand_clock.advance(minutes=7)
    kept = running.state_for("controller")["requests"][request["id"]]
    assert kept["answer"] is None and kept["asked_play"] == running.state_for("controller")["clock"]["play_time"] - 420


@pytest.mark.parametrize("fields, message", [
    ({"request_kind": "pizza"}, "unknown request kind 'pizza'"),
    ({"text": " "}, "field 'text' must not be empty"),
    ({"team": "alpha"}, "the team:bravo role may only log its own team's request events"),
])
def test_a_bad_request_is_refused_and_stores_nothing(running, fields, message):
    payload = {"team": "bravo", "request_kind": "bank_records", "text": "records", **fields}
    with pytest.raises(InvalidEvent, match=message):
        submit(running, "team:bravo", "request", **payload)
    assert running.state_for("director")["requests"] == {}


def test_an_answer_is_refused_when_it_cannot_be_one(running):
    request = ask(running)
    with pytest.raises(InvalidEvent, match="no open request with id"):
        submit(running, "controller", "request_answer", request=new_id(), text="yes")
    with pytest.raises(InvalidEvent, match="may not submit request_answer"):
        submit(running, "team:bravo", "request_answer", request=request["id"], text="we answer ourselves")
    with pytest.raises(InvalidEvent, match="field 'team' comes from the request"):
        submit(running, "controller", "request_answer", request=request["id"], text="yes", team="alpha")
    with pytest.raises(InvalidEvent, match="inject I-02 was not released to team bravo"):
        submit(running, "controller", "request_answer", request=request["id"], text="see I-02", inject="I-02")
    submit(running, "controller", "inject", inject="I-02", teams=["bravo"])
    submit(running, "controller", "request_answer", request=request["id"], text="see I-02", inject="I-02")
    with pytest.raises(InvalidEvent, match="already been answered"):
        submit(running, "controller", "request_answer", request=request["id"], text="again")


def test_a_withdrawn_request_leaves_the_queue_and_takes_no_answer(running):
    request = ask(running)
    submit(running, "team:bravo", "retract", target=request["id"], reason="found them ourselves")
    assert running.state_for("director")["requests"] == {}
    with pytest.raises(InvalidEvent, match="no open request"):
        submit(running, "controller", "request_answer", request=request["id"], text="here they are")


def test_a_corrected_request_keeps_its_answer(running):
    request = ask(running)
    submit(running, "controller", "request_answer", request=request["id"], text="on its way")
    submit(running, "team:bravo", "amend", target=request["id"], request_kind="phone_records")
    kept = running.state_for("director")["requests"][request["id"]]
    assert kept["request_kind"] == "phone_records" and kept["answer"]["text"] == "on its way"


def test_only_the_team_and_the_staff_read_a_request_the_screen_counts_it(running):
    request = ask(running)
    answer = submit(running, "controller", "request_answer", request=request["id"], text="yes")
    for event in (request, answer):
        assert view("team:alpha", event) is None
        assert view("team:bravo", event)["text"]
        assert view("observer", event)["text"]
        assert "text" not in view("screen", event)
    assert running.state_for("team:alpha")["requests"] == {}
    assert running.state_for("screen")["requests"][request["id"]]["text"] is None


# --- end to end: real sockets, then the pages ---------------------------------------------------

def test_a_request_reaches_control_and_the_answer_reaches_only_that_team(server):
    bravo, alpha, controller = (server.connect(r) for r in ("team:bravo", "team:alpha", "controller"))
    asked = new_id()
    assert bravo.submit({"id": asked, "kind": "request", "team": "bravo", "request_kind": "interpreter",
                         "text": "Vietnamese interpreter at the site"})["ok"]
    controller.wait_for(lambda e: e["kind"] == "request" and e["team"] == "bravo")
    assert controller.submit({"id": new_id(), "kind": "request_answer", "request": asked,
                              "text": "She arrives at 11:00"})["ok"]
    bravo.wait_for(lambda e: e["kind"] == "request_answer" and e["text"] == "She arrives at 11:00")
    alpha.submit({"id": new_id(), "kind": "move", "team": "alpha", "site": "club"})  # something alpha does receive
    alpha.wait_for(lambda e: e["kind"] == "move")
    assert [e["kind"] for e in alpha.received if e["kind"].startswith("request")] == []


def test_the_tablet_asks_and_the_control_cell_answers_from_its_queue(open_page, server):
    team = open_page("team:bravo").page
    team.goto(server.url + "/team")
    team.wait_for_selector("body[data-ready='1']", timeout=15000)
    team.fill("#request-form textarea[name=request_text]", "Search of the site office")
    team.click("#request-form button[type=submit]")  # nothing chosen for them: they say what they ask for
    wait_for_text(team, "#err-request_kind", "Choose what you ask for")
    team.select_option("#request-form select[name=request_kind]", "warrant")
    team.click("#request-form button[type=submit]")
    team.wait_for_selector("#request-list .request.open >> text=Waiting for control's answer", timeout=10000)
    page = open_page("controller").page
    page.wait_for_selector("body[data-connection='live']", timeout=15000)
    assert page.inner_text("#requests-open") == "(1)"
    page.click("#tab-requests")
    row = page.locator("#requests .request.open")
    assert "Warrant or court order" in row.inner_text() and "Search of the site office" in row.inner_text()
    row.get_by_role("button", name="Answer…").click()
    page.fill("#confirm-extra textarea", "The judge signs it at 10:30")
    page.select_option("#confirm-extra select[name=inject]", "I-02")
    page.click("#confirm-ok")
    page.wait_for_selector("#requests .request.answered", timeout=5000)
    answered = page.inner_text("#requests .request.answered").replace("\u2068", "").replace("\u2069", "")
    assert "with inject I-02: The judge signs it at 10:30" in answered
    assert page.inner_text("#requests-open") == ""
    team.wait_for_selector("#request-list .request.answered >> text=The judge signs it at 10:30", timeout=10000)
    team.wait_for_selector(".inject-card[data-inject='I-02']", timeout=10000)  # released to bravo with the answer
    events = server.get("/api/events", "director").json()["events"]
    assert [(e["kind"], e.get("teams") or e.get("team")) for e in events] == [
        ("request", "bravo"), ("inject", ["bravo"]), ("request_answer", "bravo")]


def test_an_answered_request_stays_with_its_team(running):
    request = ask(running)
    submit(running, "controller", "request_answer", request=request["id"], text="records attached")
    with pytest.raises(InvalidEvent, match="control has answered this request to team bravo"):
        submit(running, "controller", "amend", target=request["id"], team="alpha", reason="was alpha's")
    open_one = ask(running)  # not answered yet: a controller may still put it right
    submit(running, "controller", "amend", target=open_one["id"], team="alpha", reason="was alpha's")
    assert running.state_for("team:alpha")["requests"][open_one["id"]]["answer"] is None


def test_the_state_carries_the_open_requests_and_the_latest_answered_the_report_all(running):
    from control.state import ANSWERED_SHOWN

    for n in range(ANSWERED_SHOWN + 5):
        request = ask(running, text=f"request {n}")
        submit(running, "controller", "request_answer", request=request["id"], text=f"answer {n}")
    still_open = ask(running, text="still open")
    state = running.state_for("director")
    assert len(state["requests"]) == ANSWERED_SHOWN + 1 and still_open["id"] in state["requests"]
    assert "request 0" not in {r["text"] for r in state["requests"].values()}  # the oldest answered: history
    assert state["requests_by_team"]["bravo"] == {"asked": ANSWERED_SHOWN + 6, "answered": ANSWERED_SHOWN + 5, "open": 1,
                                                  "median": 0.0, "longest": 0.0}
    every = running.requests_for("director")
    assert [r["text"] for r in every][:2] == ["request 0", "request 1"] and len(every) == ANSWERED_SHOWN + 6
    assert running.requests_for("team:alpha") == []


def test_the_report_lists_each_teams_requests_and_waits(server):
    bravo, controller = server.connect("team:bravo"), server.connect("controller")
    asked = new_id()
    assert bravo.submit({"id": asked, "kind": "request", "team": "bravo", "request_kind": "lab_result",
                         "text": "Are the passports genuine?"})["ok"]
    assert controller.submit({"id": new_id(), "kind": "request_answer", "request": asked, "text": "Forged, two of six"})["ok"]
    assert bravo.submit({"id": new_id(), "kind": "request", "team": "bravo", "text": "A second interpreter"})["ok"]
    html = server.get("/api/export/report.html?lang=en", "director").text
    summary = html[html.index("Requests to the control cell"):html.index("Timeline of the main events")]
    assert "Every request with its answer is in the annex." in summary
    section = html[html.index("Annex: the requests to the control cell"):]  # every request: an annex
    assert "Lab or forensic result</bdi>: <bdi>Are the passports genuine?" in section
    assert "Forged, two of six" in section and "Other request</bdi>: <bdi>A second interpreter" in section
    assert "not answered" in section
    ru = server.get("/api/export/report.html?lang=ru", "director").text
    assert "Приложение: запросы группе управления" in ru and "без ответа" in ru
