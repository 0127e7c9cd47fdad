"""The exercise clock: not started → running ⇄ paused → ended, folded from `clock` events.

Exercise time excludes pauses.  `start` puts the clock at the beginning of day 1's schedule
unless the event names a `day` and `time`; `resume` may also name them, so the director can
pause at the evening hot wash and resume at day 2 09:00 next morning.  Both may set a `rate`
(exercise seconds per real second) for compressed-time drills and the demo.

A jump (a start or resume at a later day and time: the night, a skipped afternoon) is exercise
time that was never played.  `play_time` leaves the jumps out, so that an inject's lateness and a
team's response time count the time the teams were actually playing.

The running server counts elapsed time on a monotonic clock (`mono`), so that a wall clock set
back or forward (NTP on a laptop that joins a network) neither turns exercise time back nor makes
it jump; wall time is kept for the events' `ts` and for display.  A clock folded from stored events
(a past instant, a restart) can only count from the stored wall times.
"""

from dataclasses import dataclass
from datetime import datetime

from .i18n import N_, Message, _
from .timefmt import iso, parse_iso, split_exercise_time

NEXT_STATE = {"start": "running", "pause": "paused", "resume": "running", "end": "ended"}
ALLOWED_FROM = {
    "start": ("not_started",),
    "pause": ("running",),
    "resume": ("paused",),
    "end": ("running", "paused"),
}
# (operation, state) -> why the clock refuses the operation in that state: one whole sentence each.
REFUSED = {
    ("start", "running"): N_("cannot start the exercise clock while it is running"),
    ("start", "paused"): N_("cannot start the exercise clock while it is paused"),
    ("start", "ended"): N_("cannot start the exercise clock while it is ended"),
    ("pause", "not_started"): N_("cannot pause the exercise clock while it is not started"),
    ("pause", "paused"): N_("cannot pause the exercise clock while it is paused"),
    ("pause", "ended"): N_("cannot pause the exercise clock while it is ended"),
    ("resume", "not_started"): N_("cannot resume the exercise clock while it is not started"),
    ("resume", "running"): N_("cannot resume the exercise clock while it is running"),
    ("resume", "ended"): N_("cannot resume the exercise clock while it is ended"),
    ("end", "not_started"): N_("cannot end the exercise clock while it is not started"),
    ("end", "ended"): N_("cannot end the exercise clock while it is ended"),
}


class ClockError(ValueError):
    """A clock operation that the current state does not allow.

    `message` is a Message for the sender; `field` the clock event's field it is about."""

    def __init__(self, message, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class ExerciseClock:
    state: str = "not_started"
    base: float | None = None  # exercise time at the anchor
    since: datetime | None = None  # wall time of the last clock event (shown to people)
    started_at: datetime | None = None
    ended_at: datetime | None = None
    rate: int = 1  # exercise seconds per real second while running
    anchor_wall: datetime | None = None  # when `base` held, on the wall clock ...
    anchor_mono: float | None = None  # ... and on the monotonic clock (a live clock only)
    reason: str | None = None  # why the last clock change was made (a pause: lunch, a safety stop …)
    jumps: tuple = ()  # ((from, to) exercise times, ...): stretches skipped by a start or resume at a later time
    # ((wall time, exercise time, rate while running or 0), ...) at every clock event: the exercise time of a
    # past instant (an entry made offline and sent later belongs where it was observed)
    history: tuple = ()

    def exercise_time(self, now: datetime, mono: float | None = None) -> float | None:
        """Return the exercise time at wall time `now`, or at monotonic reading `mono` when this clock
        was anchored on the monotonic clock (None before the start)."""
        if self.base is None:
            return None
        if self.state != "running":
            return self.base
        if mono is not None and self.anchor_mono is not None:
            elapsed = mono - self.anchor_mono
        else:
            elapsed = (now - self.anchor_wall).total_seconds()
        return round(self.base + self.rate * max(0.0, elapsed), 3)

    def exercise_time_at(self, wall: datetime) -> float | None:
        """Return the exercise time it was at a past wall time (None before the start), by the clock's
        history; never beyond the exercise time the next clock event set (a wall clock set back)."""
        found = None
        for i, (when, _base, _rate) in enumerate(self.history):
            if when > wall:
                break
            found = i
        if found is None:
            return None
        when, base, rate = self.history[found]
        moment = base + rate * (wall - when).total_seconds()
        if found + 1 < len(self.history):
            moment = min(moment, self.history[found + 1][1])
        return round(moment, 3)

    def wall_step(self, now: datetime, mono: float | None) -> float:
        """Return how far (seconds) the wall clock was stepped since this live clock was anchored: what it says
        less what the monotonic clock has counted (0 for a clock folded from stored events)."""
        if mono is None or self.anchor_mono is None or self.anchor_wall is None:
            return 0.0
        return (now - self.anchor_wall).total_seconds() - (mono - self.anchor_mono)

    def play_time(self, exercise_time: float) -> float:
        """Return the time played up to `exercise_time`: the exercise time less the jumps before it (a moment
        inside a jump counts as the jump's end: the morning an inject due in the night falls due)."""
        return exercise_time - sum(min(max(exercise_time, start), end) - start for start, end in self.jumps)

    def anchor(self, now: datetime, mono: float, floor: float | None = None) -> None:
        """Count from here on the monotonic clock: after a restart, exercise time goes on from what the
        wall clock says, never below `floor` (the latest exercise time already stored)."""
        current = self.exercise_time(now)
        if current is not None and floor is not None:
            current = max(current, floor)
        self.base, self.anchor_wall, self.anchor_mono = current, now, mono

    def check(self, op: str, new_time: float | None, now: datetime, mono: float | None = None) -> None:
        """Refuse an operation the current state does not allow."""
        if self.state not in ALLOWED_FROM[op]:
            raise ClockError(Message(REFUSED[op, self.state]), field="op")
        current = self.exercise_time(now, mono)
        if new_time is not None and current is not None and new_time < current:
            raise ClockError(_("the exercise clock cannot be set back in time"), field="time")

    def apply(self, event: dict, mono: float | None = None) -> None:
        """Fold one stored `clock` event into the clock; `mono`: the monotonic reading as it was stored."""
        ts = parse_iso(event["ts"])
        if event["op"] in ("start", "resume") and event["exercise_time"] > (self.base or 0):
            self.jumps = (*self.jumps, (self.base or 0, event["exercise_time"]))  # a new tuple: copies share none
        self.state = NEXT_STATE[event["op"]]
        self.base = event["exercise_time"]
        running = self.state == "running"
        self.history = (*self.history, (ts, self.base, (event.get("rate") or 1) if running else 0))
        self.since = self.anchor_wall = ts
        self.anchor_mono = mono
        self.reason = event.get("reason")
        if event["op"] in ("start", "resume"):
            self.rate = event.get("rate") or 1
        if event["op"] == "start":
            self.started_at = ts
        elif event["op"] == "end":
            self.ended_at = ts

    def as_dict(self, now: datetime, mono: float | None = None) -> dict:
        """Describe the clock at wall time `now` (and monotonic reading `mono`) for the API and the screens."""
        t = self.exercise_time(now, mono)
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
            "reason": self.reason,
            "play_time": self.play_time(t) if t is not None else None,
        }


def clock_from_events(events) -> ExerciseClock:
    """Rebuild the clock from stored events (any kinds; only `clock` ones count)."""
    clock = ExerciseClock()
    for event in events:
        if event["kind"] == "clock":
            clock.apply(event)
    return clock
