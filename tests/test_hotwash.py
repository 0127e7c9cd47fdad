"""The evening hot wash of one exercise day: the injects and how fast each team answered, safety alerts,
the tagged strengths and areas for improvement, the day's ratings with the gaps, bookmarks — on the big
screen and on paper."""

from control.hotwash import hot_wash

from .conftest import CODES, new_id, submit


def day_one(exercise, hand_clock):
    submit(exercise, "director", "clock", op="start")  # day 1 08:30
    hand_clock.advance(minutes=10)
    submit(exercise, "controller", "inject", inject="I-01")
    hand_clock.advance(minutes=5)
    submit(exercise, "team:alpha", "action", team="alpha", action_type="plan", site="club", text="On it", inject="I-01")
    submit(exercise, "observer", "evaluation", team="alpha", objective="obj-identify", rating="P", tag="strength",
           note="Separated the manager from the women at once.", bookmark=True)
    submit(exercise, "observer", "evaluation", team="bravo", objective="obj-identify", rating="U", tag="improvement",
           note="No interpreter called.")
    submit(exercise, "observer", "safety", site="club", text="An actor twisted an ankle.")
    submit(exercise, "controller", "inject_skip", inject="I-02", reason="Play drifted.")
    submit(exercise, "team:alpha", "request", team="alpha", text="Bank records please")
    hand_clock.advance(hours=9)
    submit(exercise, "director", "clock", op="pause", reason="evening")
    hand_clock.advance(hours=14)
    submit(exercise, "director", "clock", op="resume", day=2, time="09:00")
    submit(exercise, "observer", "evaluation", team="charlie", objective="obj-identify", rating="S", tag="strength",
           note="Day two's note")


def wash(exercise, day):
    role = "director"
    return hot_wash(exercise.scenario, exercise.state_for(role), exercise.marks_for(role), exercise.evidence_for(role),
                    exercise.requests_for(role), day)


def test_the_hot_wash_of_a_day(exercise, hand_clock):
    day_one(exercise, hand_clock)
    one = wash(exercise, 1)
    released, skipped = one["injects"]
    assert (released["id"], released["when"]) == ("I-01", "08:40")
    minutes = {team["id"]: team["minutes"] for team in released["teams"]}
    assert minutes["alpha"] == "5" and minutes["bravo"] is None and released["median"] == "5"
    assert (skipped["id"], skipped["status"], skipped["reason"]) == ("I-02", "skipped", "Play drifted.")
    assert [e["text"] for e in one["safety"]] == ["An actor twisted an ankle."]
    assert [e["note"] for e in one["bookmarks"]] == ["Separated the manager from the women at once."]
    strengths, improvements = one["tagged"]["strength"], one["tagged"]["improvement"]
    assert [e["team"] for g in strengths for e in g["entries"]] == ["alpha"]  # day two's note is day two's
    assert [e["team"] for g in improvements for e in g["entries"]] == ["bravo"]
    identify = next(row for row in one["ratings"] if row["objective"]["id"] == "obj-identify")
    assert {cell["team"]: cell["total"] for cell in identify["teams"]} == {"alpha": 1, "bravo": 1, "charlie": 0, "delta": 0,
                                                                         "echo": 0}
    gaps = next(g for g in one["gaps"] if g["objective"]["id"] == "obj-identify")
    assert gaps["teams"] == ["charlie", "delta", "echo"]
    assert one["requests"]["asked"] == 1 and one["evaluations"] == 2
    two = wash(exercise, 2)
    assert two["injects"] == [] and two["safety"] == [] and two["evaluations"] == 1


def test_the_hot_wash_page_for_the_screen_and_for_paper(app, client):
    exercise = app.extensions["excon"].exercise
    exercise.submit({"id": new_id(), "kind": "clock", "op": "start"}, "director")
    exercise.submit({"id": new_id(), "kind": "inject", "inject": "I-01"}, "controller")
    exercise.submit({"id": new_id(), "kind": "evaluation", "team": "alpha", "objective": "obj-identify", "rating": "M",
                     "tag": "improvement", "note": "Passports kept by the manager"}, "observer")
    page = client.get("/hotwash?day=1", headers={"Authorization": f"Bearer {CODES['director']}"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for words in ("Hot wash, day 1", "Injects and response times", "I-01", "Areas for improvement",
                  "Passports kept by the manager", "not rated", "Bookmarks"):
        assert words in html, words
    assert "<script" not in html and "http" not in html.split("<main>")[1]  # one file: nothing else to load, prints as it is
    russian = client.get("/hotwash?day=1&lang=ru", headers={"Authorization": f"Bearer {CODES['director']}"})
    assert "Экспресс-разбор, день 1" in russian.get_data(as_text=True)
    assert client.get("/hotwash", headers={"Authorization": f"Bearer {CODES['team:alpha']}"}).status_code == 403
