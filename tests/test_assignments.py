"""Who evaluates what: the scenario's plan, live assignments laid over it, and what the state makes of them."""

import json

import pytest

from control.assignments import live_block, plan_blocks, schedule
from control.events import InvalidEvent
from control.scenario import ScenarioError, load_scenario
from control.timefmt import exercise_seconds

from .conftest import new_id


def submit(exercise, role="director", **fields):
    return exercise.submit({"id": new_id(), **fields}, role).event


def start_day_2(exercise, hand_clock, time="09:10"):
    submit(exercise, kind="clock", op="start", day=2, time=time)


def test_the_plan_gives_each_evaluator_a_team_per_day(scenario):
    week = schedule(plan_blocks(scenario), scenario.days)["p-eval-1"]
    day_2 = next(s for s in week if s["day"] == 2)
    assert (day_2["start"], day_2["end"], day_2["from"]) == ("09:00", "16:30", exercise_seconds(2, "09:00"))
    assert len(day_2["teams"]) == 1 and day_2["objectives"] and day_2["by"] is None


def test_an_assignment_may_end_at_midnight(exercise):
    event = submit(exercise, kind="assignment", person="p-eval-1", teams=["alpha"], day=3, start="18:00", end="24:00")
    evening = [s for s in exercise.state_for("director")["evaluators"]["p-eval-1"]["schedule"] if s["day"] == 3][-1]
    assert (event["end"], evening["start"], evening["end"], evening["teams"]) == ("24:00", "18:00", "24:00", ["alpha"])


def test_the_latest_word_wins_and_a_release_leaves_a_gap(scenario):
    plan = plan_blocks(scenario)
    live = [live_block({"person": "p-eval-1", "teams": ["echo"], "day": 2, "start": "10:00", "end": "11:00",
                        "seq": 5, "by": "p-lead-eval"}),
            live_block({"person": "p-eval-1", "day": 2, "start": "12:00", "end": "13:30", "seq": 6})]  # released
    day_2 = [s for s in schedule(plan + live, scenario.days)["p-eval-1"] if s["day"] == 2]
    assert [(s["start"], s["end"]) for s in day_2] == [("09:00", "10:00"), ("10:00", "11:00"), ("11:00", "12:00"),
                                                      ("13:30", "16:30")]
    assert day_2[1]["teams"] == ["echo"] and day_2[1]["by"] == "p-lead-eval"
    assert day_2[0]["teams"] == day_2[2]["teams"] == day_2[3]["teams"] != ["echo"]


def test_a_live_assignment_without_a_day_holds_until_the_end_of_today(exercise, hand_clock):
    start_day_2(exercise, hand_clock)
    submit(exercise, kind="assignment", person="p-eval-2", teams=["alpha", "bravo"], objectives=["obj-finance"])
    mine = exercise.state_for("director")["evaluators"]["p-eval-2"]
    assert mine["now"]["teams"] == ["alpha", "bravo"] and mine["now"]["start"] == "09:10"
    assert mine["now"]["end"] == "24:00" and mine["now"]["by"] == "director"
    day_3 = [s for s in mine["schedule"] if s["day"] == 3]
    assert day_3 and day_3[0]["teams"] != ["alpha", "bravo"]  # tomorrow the plan holds again


def test_gaps_are_the_assigned_pairs_not_rated_since_the_block_began(exercise, hand_clock):
    start_day_2(exercise, hand_clock)
    submit(exercise, kind="assignment", person="p-eval-2", teams=["alpha", "bravo"],
           objectives=["obj-finance", "obj-identify"])
    hand_clock.advance(minutes=5)
    submit(exercise, role="observer", kind="evaluation", team="alpha", objective="obj-finance", rating="S", note="n")
    mine = exercise.state_for("director")["evaluators"]["p-eval-2"]
    assert mine["gaps"] == [["alpha", "obj-identify"], ["bravo", "obj-finance"], ["bravo", "obj-identify"]]
    assert mine["last"] is None  # the rating came from the shared evaluator code, not from her


def test_last_entry_is_the_persons_own(exercise, hand_clock):
    start_day_2(exercise, hand_clock)
    hand_clock.advance(minutes=3)
    exercise.submit({"id": new_id(), "kind": "note", "text": "at the club"}, "observer", by="p-eval-3")
    last = exercise.state_for("director")["evaluators"]["p-eval-3"]["last"]
    assert last["kind"] == "note" and last["ts"] == "2026-05-04T07:03:00.000000Z"


def test_evaluators_and_agreed_ratings_are_for_the_staff_only(exercise, hand_clock):
    start_day_2(exercise, hand_clock)
    submit(exercise, kind="agreed_rating", objective="obj-identify", team="alpha", rating="S", rationale="r")
    for role in ("director", "controller", "observer", "lead_evaluator"):
        state = exercise.state_for(role)
        assert "evaluators" in state and state["agreed"]["obj-identify"]["alpha"][""]["rating"] == "S"
    for role in ("screen", "team:alpha"):
        assert "evaluators" not in exercise.state_for(role) and "agreed" not in exercise.state_for(role)


def test_an_agreed_rating_is_corrected_like_any_entry(exercise, hand_clock):
    start_day_2(exercise, hand_clock)
    first = submit(exercise, role="lead_evaluator", kind="agreed_rating", objective="obj-identify", team="alpha",
                   rating="M", rationale="two raters saw M")
    task = submit(exercise, role="lead_evaluator", kind="agreed_rating", objective="obj-identify", team="alpha",
                  task="identify-separate", rating="U", rationale="never separated")
    submit(exercise, role="lead_evaluator", kind="amend", target=first["id"], rating="S", reason="after the hot wash")
    agreed = exercise.state_for("director")["agreed"]["obj-identify"]["alpha"]
    assert agreed[""]["rating"] == "S" and agreed["identify-separate"]["rating"] == "U"
    submit(exercise, role="lead_evaluator", kind="retract", target=task["id"], reason="not agreed after all")
    assert set(exercise.state_for("director")["agreed"]["obj-identify"]["alpha"]) == {""}


@pytest.mark.parametrize("fields, field, message", [
    (dict(person="p-ctl-1", teams=["alpha"], day=2), "person", "is not an evaluator"),
    (dict(person="nobody", teams=["alpha"], day=2), "person", "unknown person 'nobody'"),
    (dict(person="p-eval-1", teams=["zulu"], day=2), "teams", "unknown team 'zulu'"),
    (dict(person="p-eval-1", teams=["alpha", "alpha"], day=2), "teams", "names an entry twice"),
    (dict(person="p-eval-1", objectives=["obj-nope"], teams=["alpha"], day=2), "objectives", "unknown objective"),
    (dict(person="p-eval-1", teams=["alpha"], start="10:00"), "day", "needs its day"),
    (dict(person="p-eval-1", teams=["alpha"], day=2, start="11:00", end="10:00"), "end", "must end after it starts"),
    (dict(person="p-eval-1", teams=["alpha"], day=9), "day", "out of range"),
    (dict(person="p-eval-1", teams=["alpha"]), "day", "clock has not started"),
    (dict(person="p-eval-1", teams=["alpha"] * 51, day=2), "teams", "names more than 50 ids"),
])
def test_a_wrong_assignment_is_refused_and_stores_nothing(exercise, fields, field, message):
    before = exercise.log.count()
    with pytest.raises(InvalidEvent, match=message) as refused:
        submit(exercise, kind="assignment", **fields)
    assert refused.value.field == field and exercise.log.count() == before


def test_an_evaluator_may_not_assign_nor_agree(exercise):
    for kind, fields in (("assignment", dict(person="p-eval-1", teams=["alpha"], day=2)),
                         ("agreed_rating", dict(objective="obj-identify", team="alpha", rating="S", rationale="r"))):
        with pytest.raises(InvalidEvent, match="the observer role may not submit"):
            submit(exercise, role="observer", kind=kind, **fields)


@pytest.mark.parametrize("entry, message", [
    ({"person": "p-eval-1", "day": 2}, "names the teams or the sites"),
    ({"person": "p-director", "teams": ["alpha"]}, "is not an evaluator"),
    ({"person": "p-eval-1", "teams": ["alpha"], "day": 2, "start": "9am"}, "start '9am' is not a time of day"),
    ({"person": "p-eval-1", "teams": "alpha"}, "'teams' must be a list of non-empty texts"),
])
def test_the_scenario_plan_is_checked_at_start(raw_scenario, tmp_path, entry, message):
    raw_scenario["assignments"] = [entry]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(raw_scenario), encoding="utf-8")
    with pytest.raises(ScenarioError, match=f"assignments entry #1.*{message}"):
        load_scenario(path)


def test_the_csv_names_the_assigned_person_and_pseudonymises_them(exercise, hand_clock, scenario):
    from control.exports import events_csv

    start_day_2(exercise, hand_clock)
    submit(exercise, kind="assignment", person="p-eval-1", teams=["alpha"], sites=["club"], objectives=["obj-finance"])
    events = exercise.events_for("director")[0]
    plain = "".join(events_csv(events, scenario, "en"))
    assert "p-eval-1,Jan Novák" in plain and "Club Aurora" in plain and "Follow the money" in plain
    shared = "".join(events_csv(events, scenario, "en", pseudonymised=True))
    assert "Jan Novák" not in shared and "p-eval-1" not in shared and "evaluator 1,evaluator 1" in shared


def test_raters_side_by_side_follow_corrections_as_a_fresh_fold_does(exercise, hand_clock, scenario):
    from control.state import fold

    start_day_2(exercise, hand_clock)

    def rate(by, letter, team="alpha"):
        hand_clock.advance(minutes=1)
        return exercise.submit({"id": new_id(), "kind": "evaluation", "team": team, "objective": "obj-identify",
                                "rating": letter, "note": "n"}, "observer", by=by).event

    first = rate("p-eval-1", "P")
    rate("p-eval-2", "U")
    latest = rate("p-eval-1", "S")
    rate("p-eval-2", "M", team="bravo")
    assert exercise.state_for("director")["raters"]["obj-identify"]["alpha"][""] == {
        "latest": {"p-eval-2": "U", "p-eval-1": "S"}, "disagree": True}
    submit(exercise, role="observer", kind="retract", target=latest["id"], reason="wrong team")
    submit(exercise, role="observer", kind="amend", target=first["id"], rating="M", reason="second look")
    live = exercise.state_for("director")
    assert live["raters"]["obj-identify"]["alpha"][""] == {"latest": {"p-eval-1": "M", "p-eval-2": "U"}, "disagree": False}
    fresh = fold(scenario, exercise.events_for("director")[0], hand_clock(), evaluators=True)
    assert fresh["raters"] == live["raters"]
    assert fresh["evaluators"] == live["evaluators"]
    assert live["evaluators"]["p-eval-1"]["last"]["exercise_time"] == first["exercise_time"]  # the withdrawn one went
    # A rating of a critical task stands beside the other ratings of that task, never over one of the whole objective.
    exercise.submit({"id": new_id(), "kind": "evaluation", "team": "alpha", "objective": "obj-identify",
                     "task": "identify-separate", "rating": "P", "note": "n"}, "observer", by="p-eval-2")
    alpha = exercise.state_for("director")["raters"]["obj-identify"]["alpha"]
    assert alpha[""]["latest"]["p-eval-2"] == "U" and alpha["identify-separate"]["latest"] == {"p-eval-2": "P"}
