"""An entry belongs where it was observed: kept offline for an hour, it is placed an hour back, not at
its arrival; an `observed_at` in the future or from before the exercise started is refused."""

from datetime import timedelta

import pytest

from control.eventlog import EventLog
from control.events import InvalidEvent
from control.exercise import Exercise
from control.timefmt import exercise_seconds, iso

from .conftest import new_id, submit


def observed(exercise, hand_clock, minutes_ago, **fields):
    """Store an observer's rating made `minutes_ago` minutes ago (kept on the phone until now)."""
    payload = {"id": new_id(), "kind": "evaluation", "team": "alpha", "objective": "obj-evidence", "rating": "S", "note": "seen",
               "observed_at": iso(hand_clock() - timedelta(minutes=minutes_ago)), **fields}
    return exercise.submit(payload, "observer").event


def test_an_entry_kept_offline_is_placed_when_it_was_observed(exercise, hand_clock):
    submit(exercise, "director", "clock", op="start")  # day 1 08:30
    hand_clock.advance(minutes=50)
    event = observed(exercise, hand_clock, minutes_ago=42)
    assert event["exercise_time"] == exercise_seconds(1, "09:20")  # when the server stored it
    assert event["observed_time"] == exercise_seconds(1, "08:38")  # where it belongs


def test_the_time_a_pause_held_is_the_paused_time(exercise, hand_clock):
    submit(exercise, "director", "clock", op="start")
    hand_clock.advance(minutes=30)
    submit(exercise, "director", "clock", op="pause", reason="lunch")
    hand_clock.advance(minutes=40)
    submit(exercise, "director", "clock", op="resume")
    hand_clock.advance(minutes=10)
    during_lunch = observed(exercise, hand_clock, minutes_ago=25)
    assert during_lunch["observed_time"] == exercise_seconds(1, "09:00")
    before_lunch = observed(exercise, hand_clock, minutes_ago=60)
    assert before_lunch["observed_time"] == exercise_seconds(1, "08:50")


def test_a_jump_to_the_next_morning_places_yesterdays_entry_yesterday(exercise, hand_clock):
    submit(exercise, "director", "clock", op="start")
    hand_clock.advance(hours=8)
    submit(exercise, "director", "clock", op="pause", reason="evening")
    hand_clock.advance(hours=14)
    submit(exercise, "director", "clock", op="resume", day=2, time="09:00")
    hand_clock.advance(minutes=5)
    event = observed(exercise, hand_clock, minutes_ago=14 * 60 + 5 + 60)  # an hour before the pause
    assert event["observed_time"] == exercise_seconds(1, "15:30")
    assert event["exercise_time"] == exercise_seconds(2, "09:05")


def test_an_observation_in_the_future_is_refused(exercise, hand_clock, log):
    submit(exercise, "director", "clock", op="start")
    with pytest.raises(InvalidEvent) as refused:
        observed(exercise, hand_clock, minutes_ago=-10)
    assert refused.value.field == "observed_at"
    assert "in the future" in str(refused.value.message)
    assert log.count() == 1  # the clock's start only
    observed(exercise, hand_clock, minutes_ago=-1)  # a second or two of skew is no fault


def test_an_observation_from_before_the_start_is_refused(exercise, hand_clock, log):
    hand_clock.advance(minutes=5)
    submit(exercise, "director", "clock", op="start")
    with pytest.raises(InvalidEvent) as refused:
        observed(exercise, hand_clock, minutes_ago=60 * 24 * 365)  # a phone whose clock went back a year
    assert "before the exercise started" in str(refused.value.message)
    assert log.count() == 1


def test_before_the_start_an_entry_has_no_observation_time(exercise, hand_clock):
    event = observed(exercise, hand_clock, minutes_ago=3)
    assert event["exercise_time"] is None and event.get("observed_time") is None


def test_a_resend_after_the_fact_finds_the_first_copy(exercise, hand_clock):
    submit(exercise, "director", "clock", op="start")
    hand_clock.advance(minutes=20)
    payload = {"id": new_id(), "kind": "move", "team": "alpha", "site": "club", "observed_at": iso(hand_clock())}
    first = exercise.submit(payload, "team:alpha")
    hand_clock.advance(minutes=30)
    again = exercise.submit(payload, "team:alpha")
    assert again.duplicate and again.event["seq"] == first.event["seq"]


def test_the_team_is_at_its_site_since_it_moved_not_since_its_tablet_was_back(exercise, hand_clock):
    submit(exercise, "director", "clock", op="start")
    hand_clock.advance(minutes=60)
    move = {"id": new_id(), "kind": "move", "team": "alpha", "site": "club",
            "observed_at": iso(hand_clock() - timedelta(minutes=45))}
    exercise.submit(move, "team:alpha")
    team = exercise.state_for("director")["teams"]["alpha"]
    assert team["since_exercise_time"] == exercise_seconds(1, "08:45")


def test_observation_time_survives_a_restart(scenario, log, hand_clock, tmp_path):
    exercise = Exercise(scenario, log, now=hand_clock)
    submit(exercise, "director", "clock", op="start")
    hand_clock.advance(minutes=50)
    stored = observed(exercise, hand_clock, minutes_ago=42)
    again = EventLog(tmp_path / "exercise.db")
    try:
        assert again.get(stored["id"])["observed_time"] == exercise_seconds(1, "08:38")
        counts = again.bucket_counts(0, 10 * 86400, 600, ["evaluation"])
        assert [(row["bucket"], row["count"]) for row in counts] == [(exercise_seconds(1, "08:30"), 1)]
    finally:
        again.close()


def test_a_move_kept_offline_does_not_undo_a_later_one(exercise, hand_clock):
    submit(exercise, "director", "clock", op="start")
    hand_clock.advance(minutes=30)
    submit(exercise, "team:alpha", "move", team="alpha", site="farm", observed_at=iso(hand_clock()))
    hand_clock.advance(minutes=1)
    late = {"id": new_id(), "kind": "move", "team": "alpha", "site": "club",
            "observed_at": iso(hand_clock() - timedelta(minutes=18))}
    exercise.submit(late, "team:alpha")
    for role in ("director", "team:alpha"):
        assert exercise.state_for(role)["teams"]["alpha"]["site"] == "farm", role
    # withdrawn, the later move goes: the team is where the earlier one put it
    farm = [e for e in exercise.log.of_kind("move") if e["site"] == "farm"][0]
    submit(exercise, "team:alpha", "retract", target=farm["id"], reason="wrong site")
    assert exercise.state_for("director")["teams"]["alpha"]["site"] == "club"


def test_the_response_time_is_the_first_answer_made_though_it_arrived_last(exercise, hand_clock):
    submit(exercise, "director", "clock", op="start")
    submit(exercise, "controller", "inject", inject="I-01")
    hand_clock.advance(minutes=30)
    answer = {"kind": "action", "team": "alpha", "action_type": "plan", "site": "club", "inject": "I-01"}
    submit(exercise, "team:alpha", text="after half an hour", observed_at=iso(hand_clock()), **answer)
    exercise.submit({"id": new_id(), **answer, "text": "two minutes in, kept offline",
                     "observed_at": iso(hand_clock() - timedelta(minutes=28))}, "team:alpha")
    for role in ("director", "team:alpha"):
        assert exercise.state_for(role)["injects"]["I-01"]["responses"]["alpha"] == 120, role
