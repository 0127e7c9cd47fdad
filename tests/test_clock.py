"""Exercise time runs only while the clock runs, and comes back the same after a restart."""

import pytest

from control.clock import clock_from_events
from control.events import InvalidEvent
from control.exercise import Exercise
from control.timefmt import DAY, exercise_seconds, split_exercise_time

from .conftest import new_id


def clock(exercise, op, **fields):
    return exercise.submit({"id": new_id(), "kind": "clock", "op": op, **fields}, "director").event


def test_start_sets_day_one_at_the_first_scheduled_block(exercise):
    event = clock(exercise, "start")
    assert event["exercise_time"] == exercise_seconds(1, "08:30")
    assert exercise.clock.as_dict(exercise.now())["day"] == 1


def test_pauses_do_not_count(exercise, hand_clock):
    clock(exercise, "start")
    hand_clock.advance(minutes=90)
    clock(exercise, "pause")
    hand_clock.advance(hours=2)  # lunch and a safety stop: no exercise time passes
    assert exercise.clock.exercise_time(hand_clock()) == exercise_seconds(1, "10:00")
    clock(exercise, "resume")
    hand_clock.advance(minutes=30)
    state = exercise.clock.as_dict(hand_clock())
    assert (state["state"], state["day"], state["time"]) == ("running", 1, "10:30:00")


def test_events_carry_the_exercise_time_of_their_moment(exercise, hand_clock):
    before = exercise.submit({"id": new_id(), "kind": "move", "team": "alpha", "site": "club"}, "director").event
    assert before["exercise_time"] is None
    clock(exercise, "start")
    hand_clock.advance(minutes=5)
    moved = exercise.submit({"id": new_id(), "kind": "move", "team": "alpha", "site": "hq"}, "director").event
    assert moved["exercise_time"] == exercise_seconds(1, "08:35")


def test_resume_can_jump_to_the_next_morning(exercise, hand_clock):
    clock(exercise, "start")
    hand_clock.advance(hours=9)
    clock(exercise, "pause")
    hand_clock.advance(hours=15)
    event = clock(exercise, "resume", day=2, time="09:00")
    assert event["exercise_time"] == DAY + 9 * 3600
    hand_clock.advance(minutes=1, seconds=1)
    assert exercise.clock.as_dict(hand_clock())["time"] == "09:01:01"
    assert exercise.clock.as_dict(hand_clock())["day"] == 2


def test_clock_cannot_go_back(exercise, hand_clock):
    clock(exercise, "start", day=2, time="09:00")
    clock(exercise, "pause")
    with pytest.raises(InvalidEvent, match="back in time"):
        clock(exercise, "resume", day=1, time="09:00")


@pytest.mark.parametrize("history, op, message", [
    ([], "pause", "cannot pause the exercise clock while it is not started"),
    ([], "resume", "cannot resume the exercise clock while it is not started"),
    ([], "end", "cannot end the exercise clock while it is not started"),
    (["start"], "start", "cannot start the exercise clock while it is running"),
    (["start"], "resume", "cannot resume the exercise clock while it is running"),
    (["start", "pause"], "pause", "cannot pause the exercise clock while it is paused"),
    (["start", "end"], "resume", "cannot resume the exercise clock while it is ended"),
    (["start", "end"], "start", "cannot start the exercise clock while it is ended"),
])
def test_impossible_transitions_are_refused(exercise, history, op, message):
    for earlier in history:
        clock(exercise, earlier)
    count = exercise.log.count()
    with pytest.raises(InvalidEvent, match=message):
        clock(exercise, op)
    assert exercise.log.count() == count


def test_end_freezes_exercise_time(exercise, hand_clock):
    clock(exercise, "start")
    hand_clock.advance(hours=1)
    clock(exercise, "end")
    hand_clock.advance(hours=5)
    state = exercise.clock.as_dict(hand_clock())
    assert state["state"] == "ended" and state["time"] == "09:30:00" and state["ended_at"]


def test_clock_is_rebuilt_from_the_log_after_a_restart(exercise, scenario, hand_clock):
    clock(exercise, "start")
    hand_clock.advance(minutes=40)
    clock(exercise, "pause")
    hand_clock.advance(minutes=20)
    clock(exercise, "resume")
    hand_clock.advance(minutes=10)
    expected = exercise.clock.as_dict(hand_clock())
    restarted = Exercise(scenario, exercise.log, now=hand_clock)
    assert restarted.clock.as_dict(hand_clock()) == expected
    assert clock_from_events(exercise.log.since(0)).as_dict(hand_clock()) == expected
    assert expected["time"] == "09:20:00"


def test_only_start_and_resume_set_the_time(exercise):
    clock(exercise, "start")
    with pytest.raises(InvalidEvent, match="only start and resume"):
        clock(exercise, "pause", day=1, time="10:00")


def test_day_and_time_must_be_valid(exercise):
    with pytest.raises(InvalidEvent, match="day 9 out of range"):
        clock(exercise, "start", day=9, time="09:00")
    with pytest.raises(InvalidEvent, match="time"):
        clock(exercise, "start", day=2, time="9 o'clock")
    with pytest.raises(InvalidEvent, match="day and time go together"):
        clock(exercise, "start", day=2)


def test_split_exercise_time():
    assert split_exercise_time(0) == (1, "00:00:00")
    assert split_exercise_time(DAY * 4 + 61.9) == (5, "00:01:01")


def test_compressed_time_runs_at_the_rate_until_the_next_resume(exercise, hand_clock):
    clock(exercise, "start", day=2, time="09:00", rate=60)
    hand_clock.advance(seconds=30)
    assert exercise.clock.as_dict(hand_clock())["time"] == "09:30:00"
    clock(exercise, "pause")
    clock(exercise, "resume")
    hand_clock.advance(seconds=30)
    assert exercise.clock.as_dict(hand_clock())["time"] == "09:30:30"


def test_rate_limits(exercise):
    with pytest.raises(InvalidEvent, match="rate must be a whole number from 1 to 3600"):
        clock(exercise, "start", rate=0)
    clock(exercise, "start")
    with pytest.raises(InvalidEvent, match="only start and resume may set the clock rate"):
        clock(exercise, "pause", rate=5)


def test_a_clock_change_may_say_why(exercise):
    exercise.submit({"id": new_id(), "kind": "clock", "op": "start"}, "director")
    exercise.submit({"id": new_id(), "kind": "clock", "op": "pause", "reason": "Safety stop at the farm"}, "director")
    assert exercise.clock_now()["reason"] == "Safety stop at the farm"
    exercise.submit({"id": new_id(), "kind": "clock", "op": "resume"}, "director")
    assert exercise.clock_now()["reason"] is None
