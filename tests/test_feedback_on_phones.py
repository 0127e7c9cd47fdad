"""A participant answers the evening questionnaire on the team's tablet, offline: the answers wait on the
device, go once the network is back, are stored once (a lost acknowledgement changes nothing) and carry no
one's name; the next person on the tablet answers too.  A named questionnaire asks for a personal code."""

import json
import sqlite3

import pytest

from .conftest import Server, codes_with, new_id
from .test_phone_pages import PHONE, ready

PERSON_CODE = "olb-code"


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "exercise.db", codes_env=codes_with({"person:p-alpha-1": PERSON_CODE})).start()
    yield srv
    srv.stop()


def answers(server):
    """The answers as stored (no one receives them one by one): who, and what the body says."""
    with sqlite3.connect(server.db_path) as db:
        rows = db.execute("SELECT role, by, conn, observed_at, body FROM events WHERE kind = 'feedback' ORDER BY seq")
        return [{"role": r, "by": b, "conn": c, "observed_at": o, **json.loads(body)} for r, b, c, o, body in rows]


def start_clock(server, day, time):
    assert server.connect("director").submit({"id": new_id(), "kind": "clock", "op": "start", "day": day, "time": time})["ok"]


def test_an_answer_made_offline_is_stored_once_and_anonymous(open_page, server):
    start_clock(server, 1, "17:00")
    view = open_page("team:alpha", **PHONE)
    page = ready(view.page)
    page.wait_for_selector("#feedback:not([hidden]) .feedback-form")
    assert page.is_visible("#feedback-link")
    assert page.inner_text("#feedback h3") == "\u2068End-of-day feedback\u2069 — day 1"
    view.context.set_offline(True)
    page.wait_for_selector("body[data-connection='offline']", timeout=15000)
    page.click(".feedback-form button[type=submit]")  # nothing answered: said on the form, nothing kept
    assert page.inner_text(".feedback-form [role=alert]") == "Answer at least one question."
    page.click(".scale-tile:has(input[name=realism][value='4'])")
    page.fill("textarea[name=best]", "The actors: the fear felt real.")
    page.click(".feedback-form button[type=submit]")
    page.wait_for_selector(".feedback-done >> text=wait on this device")
    assert "Feedback: \u2068End-of-day feedback\u2069, day 1" in page.inner_text("#mylog-list")
    kept = page.evaluate("localStorage.getItem('excon.outbox.team:alpha')")  # as it waits: to send again below
    view.context.set_offline(False)
    page.wait_for_selector(".feedback-done >> text=your answers are saved", timeout=20000)
    [answer] = answers(server)
    assert answer["answers"] == {"realism": 4, "best": "The actors: the fear felt real."}
    assert (answer["role"], answer["by"], answer["conn"], answer["observed_at"], answer["day"]) == (
        "participant", "participant", None, None, 1)  # no one's: no team, no connection, no moment of writing
    # saved: the tablet keeps that the questionnaire was answered, not what was said
    assert "fear felt real" not in page.evaluate("localStorage.getItem('excon.outbox.team:alpha')")
    # the acknowledgement was lost: the answers go again with the same id, and are not stored twice
    page.evaluate("(kept) => localStorage.setItem('excon.outbox.team:alpha', kept)", kept)
    page.reload()
    ready(page)
    page.wait_for_selector("#banner >> text=Online — everything saved", timeout=15000)
    assert len(answers(server)) == 1
    # the tablet is shared: the next person answers on it
    page.click("text=Next person: answer on this tablet")
    page.click(".scale-tile:has(input[name=realism][value='2'])")
    page.click(".feedback-form button[type=submit]")
    page.wait_for_selector(".feedback-done >> text=your answers are saved", timeout=20000)
    assert sorted(a["answers"]["realism"] for a in answers(server)) == [2, 4]
    assert view.errors == []


def test_a_named_questionnaire_is_answered_with_a_personal_code(open_page, server):
    start_clock(server, 5, "17:00")
    tablet = ready(open_page("team:alpha", **PHONE).page)
    tablet.wait_for_selector("#feedback:not([hidden])")
    assert "log in there with your personal code" in tablet.inner_text("#feedback-list")
    view = open_page(None, **PHONE)
    view.page.goto(f"{server.url}/login?code={PERSON_CODE}")
    page = ready(view.page)
    final = page.locator(".feedback-form", has_text="Final questionnaire")
    final.locator(".scale-tile:has(input[name=objectives][value='5'])").click()
    final.locator("textarea[name=apply]").fill("Bring the labour inspectors in from day one.")
    page.reload()  # a phone that reloads mid-form keeps what was written
    page = ready(page)
    final = page.locator(".feedback-form", has_text="Final questionnaire")
    assert final.locator("textarea[name=apply]").input_value() == "Bring the labour inspectors in from day one."
    assert final.locator("input[name=objectives][value='5']").is_checked()
    final.locator("button[type=submit]").click()
    page.wait_for_selector(".feedback-done >> text=Change my answers", timeout=20000)
    [answer] = answers(server)
    assert (answer["questionnaire"], answer["by"], answer["role"], "day" in answer) == ("final", "p-alpha-1", "team:alpha", False)
    # changing them starts from what was sent (a phone of one's own keeps it); keeping them changes nothing
    page.click("text=Change my answers")
    final = page.locator(".feedback-form", has_text="Final questionnaire")
    assert final.locator("textarea[name=apply]").input_value() == "Bring the labour inspectors in from day one."
    final.locator("text=Keep my earlier answers").click()
    page.wait_for_selector(".feedback-done >> text=Change my answers")
    assert len(answers(server)) == 1
    summary = server.get("/api/feedback", "director").json()["questionnaires"][1]
    assert summary["questions"][4]["texts"] == [{"text": "Bring the labour inspectors in from day one.", "day": None,
                                                "who": "Oliver Brandt"}]
    assert view.errors == []
