"""Read and write the three kinds of time ExCon uses: wall-clock UTC stamps, times of day, exercise time.

Exercise time is a number of seconds counted from 00:00 of exercise day 1, so day 2 09:00 is
86400 + 32400.  It only advances while the exercise clock runs.
"""

import re
from datetime import UTC, datetime

DAY = 86400
YEARS = (1970, 9999)  # stamps outside these years are refused: they would not sort or parse back as text
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


def parse_clock_time(value) -> int:
    """Return seconds since midnight for 'HH:MM' or 'HH:MM:SS'; raise ValueError otherwise."""
    m = _CLOCK.match(value) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"{value!r} is not a time of day HH:MM (00:00–23:59)")
    return int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3] or 0)


def exercise_seconds(day: int, time: str) -> int:
    """Return the exercise time of `time` on exercise `day`."""
    return (day - 1) * DAY + parse_clock_time(time)


def split_exercise_time(seconds: float) -> tuple[int, str]:
    """Return (exercise day, 'HH:MM:SS') for an exercise time."""
    whole = int(seconds)
    day, rest = divmod(whole, DAY)
    return day + 1, f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Format an aware datetime as a fixed-width UTC ISO 8601 stamp, sortable as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(value) -> datetime:
    """Parse an ISO 8601 stamp that carries a time zone, in the years 1970–9999; raise ValueError otherwise."""
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("must be an ISO 8601 date-time text such as 2026-05-04T09:30:00Z")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone (add Z or +hh:mm)")
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        moment = None
    if moment is None or not YEARS[0] <= moment.year <= YEARS[1]:
        raise ValueError(f"{value!r} is outside the years {YEARS[0]}–{YEARS[1]}")
    return moment
