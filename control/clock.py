"""The exercise clock: not started → running ⇄ paused → ended, folded from `clock` events.

Exercise time excludes pauses.  `start` puts the clock at the beginning of day 1's schedule
unless the event names a `day` and `time`; `resume` may also name them, so the director can
pause at the evening hot wash and resume at day 2 09:00 next morning.  Both may set a `rate`
(exercise seconds per real second) for compressed-time drills and the demo.
"""

from dataclasses import dataclass
from datetime import datetime

from .timefmt import iso, parse_iso, split_exercise_time

NEXT_STATE = {"start": "running", "pause": "paused", "resume": "running", "end": "ended"}
ALLOWED_FROM = {
    "start": ("not_started",),
    "pause": ("running",),
    "resume": ("paused",),
    "end": ("running", "paused"),
}


class ClockError(ValueError):
    """A clock operation that the current state does not allow."""


@dataclass
class ExerciseClock:
    state: str = "not_started"
    base: float | None = None  # exercise time at `since`
    since: datetime | None = None  # wall time of the last clock event
    started_at: datetime | None = None
    ended_at: datetime | None = None
    rate: int = 1  # exercise seconds per real second while running

    def exercise_time(self, now: datetime) -> float | None:
        """Return the exercise time at wall time `now` (None before the start)."""
        if self.base is None:
            return None
        if self.state == "running":
            return round(self.base + self.rate * max(0.0, (now - self.since).total_seconds()), 3)
        return self.base

    def check(self, op: str, new_time: float | None, now: datetime) -> None:
        """Refuse an operation the current state does not allow."""
        if self.state not in ALLOWED_FROM[op]:
            raise ClockError(f"cannot {op} the exercise clock while it is {self.state.replace('_', ' ')}")
        current = self.exercise_time(now)
        if new_time is not None and current is not None and new_time < current:
            raise ClockError("the exercise clock cannot be set back in time")

    def apply(self, event: dict) -> None:
        """Fold one stored `clock` event into the clock."""
        ts = parse_iso(event["ts"])
        self.state = NEXT_STATE[event["op"]]
        self.base = event["exercise_time"]
        self.since = ts
        if event["op"] in ("start", "resume"):
            self.rate = event.get("rate") or 1
        if event["op"] == "start":
            self.started_at = ts
        elif event["op"] == "end":
            self.ended_at = ts

    def as_dict(self, now: datetime) -> dict:
        """Describe the clock at wall time `now` for the API and the screens."""
        t = self.exercise_time(now)
        day, time = split_exercise_time(t) if t is not None else (None, None)
        return {
            "state": self.state,
            "exercise_time": t,
            "day": day,
            "time": time,
            "started_at": iso(self.started_at) if self.started_at else None,
            "ended_at": iso(self.ended_at) if self.ended_at else None,
            "since": iso(self.since) if self.since else None,
            "rate": self.rate,
        }


def clock_from_events(events) -> ExerciseClock:
    """Rebuild the clock from stored events (any kinds; only `clock` ones count)."""
    clock = ExerciseClock()
    for event in events:
        if event["kind"] == "clock":
            clock.apply(event)
    return clock
