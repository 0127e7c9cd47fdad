"""The wall clock set back or forward during the exercise (NTP on a laptop that joins a network):
exercise time neither goes back nor jumps, and queries by instant still give states that existed."""

from datetime import UTC, datetime, timedelta

from control.exercise import Exercise
from control.state import fold
from control.timefmt import exercise_seconds

from .conftest import new_id


class SteppingClock:
    """A wall clock and a monotonic clock that run together, and a wall clock that can be set."""

    def __init__(self):
        self.wall = datetime(2026, 5, 5, 7, 0, tzinfo=UTC)
        self.elapsed = 1000.0

    def __call__(self):
        return self.wall

    def mono(self):
        return self.elapsed

    def advance(self, seconds):
        self.wall += timedelta(seconds=seconds)
        self.elapsed += seconds

    def set_wall(self, seconds):
        """Someone (NTP) sets the wall clock; real time goes on as it did."""
        self.wall += timedelta(seconds=seconds)


def submit(exercise, role="director", **fields):
    return exercise.submit({"id": new_id(), **fields}, role).event


def test_exercise_time_neither_goes_back_nor_jumps_with_the_wall_clock(scenario, log):
    clock = SteppingClock()
    exercise = Exercise(scenario, log, now=clock, monotonic=clock.mono)
    start = exercise_seconds(2, "09:00")
    submit(exercise, kind="clock", op="start", day=2, time="09:00")
    clock.advance(600)
    assert exercise.exercise_time_now() == start + 600
    clock.set_wall(-3600)  # an hour back
    assert exercise.exercise_time_now() == start + 600
    moved = submit(exercise, "team:alpha", kind="move", team="alpha", site="club")
    assert moved["exercise_time"] == start + 600
    clock.advance(300)
    clock.set_wall(+7200)  # two hours forward
    assert exercise.exercise_time_now() == start + 900
    assert exercise.state_for("director")["clock"]["time"] == "09:15:00"
    submit(exercise, kind="clock", op="pause")
    clock.advance(60)
    submit(exercise, kind="clock", op="resume")
    clock.advance(60)
    assert exercise.exercise_time_now() == start + 960
    times = [e["exercise_time"] for e in exercise.log.since(0)]
    assert times == sorted(times)


def test_after_a_restart_exercise_time_goes_on_from_what_was_stored(scenario, log):
    clock = SteppingClock()
    exercise = Exercise(scenario, log, now=clock, monotonic=clock.mono)
    submit(exercise, kind="clock", op="start", day=2, time="09:00")
    clock.advance(1800)
    last = submit(exercise, "team:alpha", kind="move", team="alpha", site="club")["exercise_time"]
    clock.set_wall(-7200)  # the laptop rebooted with its clock two hours behind
    restarted = Exercise(scenario, log, now=clock, monotonic=clock.mono)
    assert restarted.exercise_time_now() == last  # never below what was stored
    clock.advance(60)
    assert restarted.exercise_time_now() == last + 60


def test_queries_by_instant_hold_when_stamps_went_back(scenario, log):
    clock = SteppingClock()
    exercise = Exercise(scenario, log, now=clock, monotonic=clock.mono)
    submit(exercise, kind="clock", op="start", day=2, time="09:00")
    clock.advance(600)
    submit(exercise, "team:alpha", kind="move", team="alpha", site="club")  # stamped 07:10
    clock.advance(600)
    submit(exercise, "team:alpha", kind="move", team="alpha", site="farm")  # 07:20
    clock.set_wall(-3600)
    clock.advance(300)
    third = submit(exercise, "team:bravo", kind="move", team="bravo", site="hq")  # 06:25, stored after 07:20
    clock.advance(600)
    submit(exercise, "team:bravo", kind="move", team="bravo", site="club")  # 06:35
    at = datetime(2026, 5, 5, 6, 30, tzinfo=UTC)
    state = exercise.state_for("director", at)
    # The log as it stood at 06:30: everything up to the last event stamped by then, the earlier
    # events stamped "later" included, since they were stored before it.
    assert state["last_seq"] == third["seq"]
    assert (state["teams"]["alpha"]["site"], state["teams"]["bravo"]["site"]) == ("farm", "hq")
    feed, _ = exercise.recent_until("director", at, 100)
    assert [e["seq"] for e in feed] == [1, 2, 3, 4]
    assert state == fold(scenario, feed, at, evaluators=True)  # the debrief's map and its feed agree


def test_a_late_entry_is_placed_right_after_the_wall_clock_was_set_back(scenario, log):
    clock = SteppingClock()
    exercise = Exercise(scenario, log, now=clock, monotonic=clock.mono)
    submit(exercise, kind="clock", op="start", day=1, time="09:00")
    clock.advance(70 * 60)
    clock.set_wall(-60 * 60)  # NTP sets the laptop's clock back an hour
    clock.advance(5 * 60)
    # a phone stamps its entry by the server's clock, as it is now: observed a minute ago
    late = submit(exercise, "team:alpha", kind="move", team="alpha", site="club",
                  observed_at=(clock.wall - timedelta(minutes=1)).isoformat())
    assert late["exercise_time"] == exercise_seconds(1, "10:15")
    assert late["observed_time"] == exercise_seconds(1, "10:14")  # not an hour early, and not refused
