"""Play time: the nights and other jumps of the exercise clock are neither lateness nor response time."""

from datetime import UTC, datetime

from control.clock import clock_from_events
from control.state import fold
from control.timefmt import exercise_seconds

from .test_state import ev


def day_and_night():
    """Day 1 played from 13:00 to 16:30 (I-04 due 15:30 not released), then the night, day 2 from 09:00."""
    return [
        ev(1, 11, 0, "clock", op="start", exercise_time=exercise_seconds(1, "13:00")),
        ev(2, 11, 5, "inject", inject="I-03", teams=["charlie", "echo"], exercise_time=exercise_seconds(1, "13:05")),
        ev(3, 14, 30, "clock", op="pause", exercise_time=exercise_seconds(1, "16:30")),
        # the next morning, 16.5 hours of the night later
        ev(4, 7, 0, "clock", op="resume", exercise_time=exercise_seconds(2, "09:00")) | {"ts": "2026-05-06T07:00:00.000000Z"},
        ev(5, 7, 10, "action", team="charlie", action_type="plan", site="club", text="plan", inject="I-03",
           exercise_time=exercise_seconds(2, "09:10")) | {"ts": "2026-05-06T07:10:00.000000Z"},
    ]


def test_play_time_leaves_out_the_jumps_but_not_the_time_played():
    clock = clock_from_events(day_and_night())
    assert clock.jumps == ((0, exercise_seconds(1, "13:00")), (exercise_seconds(1, "16:30"), exercise_seconds(2, "09:00")))
    day2_0915 = exercise_seconds(2, "09:15")
    assert clock.play_time(day2_0915) == 3.5 * 3600 + 15 * 60  # day 1's afternoon and a quarter of an hour
    assert clock.play_time(exercise_seconds(1, "20:00")) == 3.5 * 3600  # in the night: when play resumed


def test_an_inject_left_over_from_yesterday_is_late_by_the_play_time_only(scenario):
    state = fold(scenario, day_and_night(), datetime(2026, 5, 6, 7, 15, tzinfo=UTC))
    clock = state["clock"]
    assert (clock["day"], clock["time"]) == (2, "09:15:00")
    i04 = state["injects"]["I-04"]
    assert (i04["status"], i04["day"], i04["time"]) == ("pending", 1, "15:30")
    late = clock["play_time"] - i04["due_play"]
    assert late == 75 * 60  # 15:30–16:30 yesterday and 09:00–09:15 today, not 17 hours 45 minutes
    assert clock["exercise_time"] - i04["due"] > 17 * 3600


def test_a_response_across_the_night_counts_play_time(scenario):
    state = fold(scenario, day_and_night(), datetime(2026, 5, 6, 7, 15, tzinfo=UTC))
    # released day 1 13:05, answered day 2 09:10: 3 h 25 min of play yesterday and 10 minutes today
    assert state["injects"]["I-03"]["responses"] == {"charlie": (3 * 60 + 25 + 10) * 60}


def test_an_inject_due_in_the_night_falls_due_when_play_resumes(scenario):
    events = day_and_night()
    state = fold(scenario, events, datetime(2026, 5, 6, 7, 15, tzinfo=UTC))
    i05 = state["injects"]["I-05"]  # due day 2 09:10
    assert state["clock"]["play_time"] - i05["due_play"] == 5 * 60

