"""Participant feedback: questionnaires in the scenario, answered by participants, stored anonymously or by
name as the scenario says, summed up per question for the staff — never readable by players or the screen."""

import csv
import io

import pytest

from control.events import InvalidEvent
from control.feedback import counting, open_now, summarise
from control.scenario import ScenarioError, check_scenario

from .conftest import CODES, new_id, submit

EVENING_DAY_1 = {"kind": "clock", "op": "start", "day": 1, "time": "17:00"}


def answer(exercise, role="team:alpha", by=None, questionnaire="daily", day=1, **answers):
    payload = {"id": new_id(), "kind": "feedback", "questionnaire": questionnaire, "answers": answers}
    if day is not None:
        payload["day"] = day
    return exercise.submit(payload, role, conn="socket:abc", by=by)


def refusal(exercise, **kwargs):
    with pytest.raises(InvalidEvent) as caught:
        answer(exercise, **kwargs)
    return str(caught.value), caught.value.field


@pytest.mark.parametrize("change, wrong", [
    ({"when": "weekly"}, "'when' must be daily or end"),
    ({"questions": []}, "'questions' must be a non-empty list"),
    ({"opens": "25:00"}, "opens"),
    ({"questions": [{"id": "q", "text": "How?", "scale": 11}]}, "from 2 to 10, not 11"),
    ({"questions": [{"id": "q", "text": "How?", "low": "bad"}]}, "give 'scale' too"),
    ({"questions": [{"id": "q", "text": "A?"}, {"id": "q", "text": "B?"}]}, "duplicate id 'q'"),
    ({"anonymus": True}, "did you mean 'anonymous'"),
])
def test_a_broken_questionnaire_is_named_at_start(raw_scenario, change, wrong):
    raw_scenario["feedback"][0].update(change)
    with pytest.raises(ScenarioError) as caught:
        check_scenario(raw_scenario)
    assert wrong in str(caught.value)


def test_the_example_scenarios_ask_daily_and_at_the_end_in_both_languages(scenario):
    from control.scenario import load_scenario

    from .conftest import ROOT
    russian = load_scenario(ROOT / "scenarios.ru.json")
    assert [(q["id"], q["when"], q["anonymous"]) for q in scenario.raw["feedback"]] == [
        ("daily", "daily", True), ("final", "end", False)]
    assert russian.raw["feedback"][0]["questions"][0]["text"] == "Насколько реалистичной была сегодняшняя игра?"
    assert russian.in_language("en").raw["feedback"][0]["questions"][0]["text"] == "How realistic was today's play?"


def test_an_anonymous_answer_carries_no_person_no_team_and_no_connection(exercise, log):
    submit(exercise, "director", **EVENING_DAY_1)
    stored = answer(exercise, realism=4, best="The actors.").event
    row = log.db.execute("SELECT role, by, conn, body FROM events WHERE seq = ?", [stored["seq"]]).fetchone()
    assert row[:3] == ("participant", "participant", None)
    assert "alpha" not in row[3]  # nothing in it names the team
    assert stored["answers"] == {"realism": 4, "best": "The actors."}


def test_a_resent_anonymous_answer_is_stored_once(exercise, log):
    submit(exercise, "director", **EVENING_DAY_1)
    payload = {"id": new_id(), "kind": "feedback", "questionnaire": "daily", "day": 1, "answers": {"realism": 5}}
    first = exercise.submit(payload, "team:alpha", conn="socket:a")
    again = exercise.submit(dict(payload), "team:alpha", conn="socket:b")  # the ack was lost: the phone sends again
    assert not first.duplicate and again.duplicate and again.event["seq"] == first.event["seq"]
    assert log.count() == 2


@pytest.mark.parametrize("kwargs, wrong, field", [
    (dict(day=2, realism=3), "day 2 has not come yet: it is day 1", "day"),
    (dict(day=None, realism=3), "is answered for a day: say which", "day"),
    (dict(realism=6), "must be a whole number from 1 to 5", "answers"),
    (dict(realism=True), "must be a whole number from 1 to 5", "answers"),
    (dict(best=7), "must be text", "answers"),
    (dict(best="   "), "answer at least one question", "answers"),
    (dict(mood=3), "has no question 'mood'", "answers"),
    (dict(questionnaire="survey", realism=3), "unknown questionnaire 'survey'", "questionnaire"),
    (dict(questionnaire="final", day=None, objectives=3), "opens on the last day (day 5)", "questionnaire"),
    (dict(role="observer", realism=3), "the observer role may not submit feedback events", None),
    (dict(role="screen", realism=3), "the screen role may not submit feedback events", None),
])
def test_a_wrong_answer_is_refused_and_stores_nothing(exercise, log, kwargs, wrong, field):
    submit(exercise, "director", **EVENING_DAY_1)
    message, where = refusal(exercise, **kwargs)
    assert wrong in message and where == field
    assert log.count() == 1


def test_no_feedback_before_the_exercise_starts(exercise):
    assert "has not started" in refusal(exercise, realism=3)[0]


def test_a_named_questionnaire_needs_a_personal_code(exercise):
    submit(exercise, "director", "clock", op="start", day=5, time="17:00")
    message, field = refusal(exercise, questionnaire="final", day=None, objectives=4)  # the team's shared code
    assert "log in with your personal code" in message and field == "questionnaire"
    stored = answer(exercise, by="p-alpha-1", questionnaire="final", day=None, objectives=4).event
    assert (stored["role"], stored["by"], stored["conn"]) == ("team:alpha", "p-alpha-1", "socket:abc")


def test_a_persons_later_answer_replaces_the_earlier_and_every_anonymous_one_counts(exercise):
    submit(exercise, "director", "clock", op="start", day=5, time="17:00")
    answer(exercise, by="p-alpha-1", questionnaire="final", day=None, objectives=2, apply="Nothing yet.")
    answer(exercise, by="p-alpha-1", questionnaire="final", day=None, objectives=4)
    answer(exercise, by="p-bravo-1", questionnaire="final", day=None, objectives=5, apply="Call the inspectors in.")
    for _ in range(2):
        answer(exercise, day=5, realism=3)
    counted = exercise.feedback_for("director")
    assert len(counted) == 4
    [final, daily] = [q for q in summarise(exercise.scenario, counted, names={"p-bravo-1": "Pavel"})
                      if q["id"] in ("final", "daily")][::-1]
    objectives = final["questions"][0]
    assert (final["respondents"], objectives["counts"], objectives["mean"]) == (2, [0, 0, 0, 1, 1], 4.5)
    apply = next(q for q in final["questions"] if q["id"] == "apply")
    assert apply["texts"] == [{"text": "Call the inspectors in.", "day": None, "who": "Pavel"}]
    assert daily["respondents"] == 2 and daily["questions"][0]["by_day"] == [{"day": 5, "answered": 2, "mean": 3}]


def test_counting_keeps_anonymous_answers_apart():
    answers = [{"id": str(n), "seq": n, "role": "participant", "by": "participant", "questionnaire": "daily", "day": 1,
                "answers": {"realism": n}} for n in (1, 2, 3)]
    assert [a["id"] for a in counting(answers)] == ["1", "2", "3"]


def test_a_questionnaire_opens_at_its_time_and_the_final_one_on_the_last_day(scenario):
    day1 = (17 * 3600, 16 * 3600 + 29 * 60)
    assert open_now(scenario, {"state": "running", "exercise_time": day1[0]}) == [{"questionnaire": "daily", "day": 1}]
    assert open_now(scenario, {"state": "running", "exercise_time": day1[1]}) == []  # daily opens at 16:30
    assert open_now(scenario, {"state": "not_started", "exercise_time": None}) == []
    last = 4 * 86400 + 12 * 3600
    assert open_now(scenario, {"state": "running", "exercise_time": last}) == []  # the final one opens at 16:30
    assert open_now(scenario, {"state": "running", "exercise_time": last + 5 * 3600}) == [
        {"questionnaire": "daily", "day": 5}, {"questionnaire": "final", "day": None}]
    assert open_now(scenario, {"state": "ended", "exercise_time": 2 * 86400 + 10 * 3600}) == [
        {"questionnaire": "final", "day": None}]  # ended early: the final questionnaire is open


def test_the_state_tells_a_team_what_is_open_and_the_staff_nothing(app, client):
    submit(app.extensions["excon"].exercise, "director", **EVENING_DAY_1)
    state = client.get("/api/state", headers={"Authorization": f"Bearer {CODES['team:alpha']}"}).get_json()
    assert state["feedback_open"] == [{"questionnaire": "daily", "day": 1}]
    assert "feedback_open" not in client.get("/api/state", headers={"Authorization": f"Bearer {CODES['director']}"}).get_json()


def test_players_and_the_screen_never_read_answers(app, client):
    exercise = app.extensions["excon"].exercise
    submit(exercise, "director", **EVENING_DAY_1)
    answer(exercise, realism=4, best="Secret praise.")
    for role in ("team:alpha", "team:bravo", "screen"):
        headers = {"Authorization": f"Bearer {CODES[role]}"}
        events = client.get("/api/events", headers=headers).get_json()["events"]
        assert [e for e in events if e["kind"] == "feedback"] == []
        assert client.get("/api/feedback", headers=headers).status_code == 403
        assert "Secret praise" not in client.get("/api/state", headers=headers).get_data(as_text=True)
    director = {"Authorization": f"Bearer {CODES['director']}"}
    summary = client.get("/api/feedback?day=1", headers=director).get_json()["questionnaires"]
    assert summary[0]["questions"][3]["texts"] == [{"text": "Secret praise.", "day": 1, "who": None}]


def test_the_answers_download_as_a_spreadsheet(app, client):
    exercise = app.extensions["excon"].exercise
    submit(exercise, "director", **EVENING_DAY_1)
    answer(exercise, realism=4, best="=HYPERLINK(\"x\")")
    body = client.get("/api/export/feedback.csv?lang=ru", headers={"Authorization": f"Bearer {CODES['observer']}"})
    rows = list(csv.reader(io.StringIO(body.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["время записи (UTC)", "анкета", "название", "день", "имя записавшего"]
    assert rows[0][5] == "How realistic was today's play?"  # the English scenario: its own words
    assert rows[1][:5] == ["", "daily", "End-of-day feedback", "1", ""]  # anonymous: no time, no name
    assert rows[1][5] == "4" and "'=HYPERLINK(\"x\")" in rows[1]  # a spreadsheet does not run it


def test_no_one_receives_answers_one_by_one_the_staff_read_them_summed_up(server):
    """In a stream of entries an anonymous answer would sit beside its sender's next entry, in order and time."""
    listeners = {role: server.connect(role) for role in ("director", "observer", "screen", "team:alpha", "team:bravo")}
    assert listeners["director"].submit({"id": new_id(), **EVENING_DAY_1})["ok"]
    ack = listeners["team:alpha"].submit({"id": new_id(), "kind": "feedback", "questionnaire": "daily", "day": 1,
                                          "answers": {"realism": 2, "change": "Shorter briefings."}})
    assert ack["ok"] and "seq" in ack  # the sender is told it is stored, as for any entry
    assert listeners["team:alpha"].submit({"id": new_id(), "kind": "move", "team": "alpha", "site": "club"})["ok"]
    for role, listener in listeners.items():
        if role != "team:bravo":  # the move reached them: so would an answer have
            listener.wait_for(lambda e: e["kind"] == "move")
        assert [e for e in listener.received if e["kind"] == "feedback"] == [], role
    for role in ("director", "observer"):
        assert [e for e in server.get("/api/events", role).json()["events"] if e["kind"] == "feedback"] == []
        exported = server.get("/api/export/events.jsonl", role).text
        assert "Shorter briefings" not in exported
    [daily] = [q for q in server.get("/api/feedback", "director").json()["questionnaires"] if q["id"] == "daily"]
    assert daily["respondents"] == 1 and daily["questions"][4]["texts"] == [{"text": "Shorter briefings.", "day": 1, "who": None}]


def test_an_anonymous_answer_keeps_no_moment_of_writing(exercise, log, hand_clock):
    from control.timefmt import iso
    submit(exercise, "director", **EVENING_DAY_1)
    written = iso(hand_clock())
    hand_clock.advance(minutes=50)  # kept offline, sent later
    payload = {"id": new_id(), "kind": "feedback", "questionnaire": "daily", "day": 1, "answers": {"realism": 3},
               "observed_at": written}
    stored = exercise.submit(payload, "team:alpha").event
    assert "observed_at" not in stored and "observed_time" not in stored
    assert exercise.submit(dict(payload), "team:alpha").duplicate  # its resend is still known as the same answer
    [read] = exercise.feedback_for("director")
    assert not {"seq", "ts", "exercise_time", "observed_at"} & set(read)


def test_an_answer_written_before_the_questionnaire_opened_is_refused(exercise, hand_clock):
    from control.timefmt import iso
    submit(exercise, "director", "clock", op="start", day=1, time="16:00")
    assert "opens at 16:30 on day 1" in refusal(exercise, realism=3)[0]
    early = iso(hand_clock.advance(minutes=10))  # 16:10 by the exercise clock
    hand_clock.advance(minutes=40)  # 16:50: open now, but the answer was written at 16:10
    with pytest.raises(InvalidEvent, match="opens at 16:30"):
        exercise.submit({"id": new_id(), "kind": "feedback", "questionnaire": "daily", "day": 1, "answers": {"realism": 3},
                         "observed_at": early}, "team:alpha")
    assert not answer(exercise, realism=3).duplicate  # written now: taken


def test_the_answer_written_last_counts_not_the_one_that_came_in_last(exercise, hand_clock):
    from control.timefmt import iso
    submit(exercise, "director", "clock", op="start", day=5, time="17:00")
    draft_written = iso(hand_clock())
    hand_clock.advance(minutes=60)
    answer(exercise, by="p-alpha-1", questionnaire="final", day=None, objectives=5, apply="Joint entries.")
    hand_clock.advance(minutes=5)  # the phone that kept the older draft offline comes back
    exercise.submit({"id": new_id(), "kind": "feedback", "questionnaire": "final", "answers": {"objectives": 1},
                     "observed_at": draft_written}, "team:alpha", by="p-alpha-1")
    [kept] = exercise.feedback_for("director")
    assert kept["answers"] == {"objectives": 5, "apply": "Joint entries."}


def test_no_person_may_be_called_participant(raw_scenario):
    raw_scenario["people"].append({"id": "participant", "name": "Anna Petrova", "role": "participant", "team": "bravo"})
    with pytest.raises(ScenarioError, match="may not be a role's name"):
        check_scenario(raw_scenario)


def test_the_report_and_the_aar_sum_up_the_answers_without_names(app, client):
    from docx import Document
    exercise = app.extensions["excon"].exercise
    submit(exercise, "director", "clock", op="start", day=5, time="17:00")
    answer(exercise, day=5, realism=5, best="Working with the inspectors.")
    answer(exercise, by="p-alpha-1", questionnaire="final", day=None, objectives=4, apply="Joint entries.")
    director = {"Authorization": f"Bearer {CODES['director']}"}
    for lang, heading, annex in (("en", "6. Participant feedback", "Annex: the participants' comments"),
                                 ("ru", "6. Отзывы участников", "Приложение: комментарии участников")):
        html = client.get(f"/api/export/report.html?lang={lang}", headers=director).get_data(as_text=True)
        assert heading in html and annex in html and "Joint entries." in html
        assert "5:1" in html and "<b>4</b> / 5" in html  # the spread, and the final questionnaire's mean
        doc = Document(io.BytesIO(client.get(f"/api/export/aar.docx?lang={lang}", headers=director).data))
        texts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
        assert "Joint entries." in texts and any(text.startswith("Working with the inspectors. (") for text in texts)
        assert not any("Oliver" in text or "p-alpha-1" in text for text in texts if "Joint" in text)
    assert "Participant feedback" in [p.text for p in Document(io.BytesIO(client.get(
        "/api/export/aar.docx", headers=director).data)).paragraphs if p.style.name == "Heading 1"]
