"""Read and write the three kinds of time ExCon uses: wall-clock UTC stamps, times of day, exercise time.

Exercise time is a number of seconds counted from 00:00 of exercise day 1, so day 2 09:00 is
86400 + 32400.  It only advances while the exercise clock runs.
"""

import re
from datetime import UTC, datetime

from .i18n import _

DAY = 86400
YEARS = (1970, 9999)  # stamps outside these years are refused: they would not sort or parse back as text
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


def escaped(value) -> str:
    """Return a refused value as a message quotes it ('%(value)s'): escaped as repr escapes it, so that
    no line break or invisible control gets into the sentence, without repr's quotes."""
    return repr(value)[1:-1] if isinstance(value, str) else repr(value)


def parse_clock_time(value) -> int:
    """Return seconds since midnight for 'HH:MM' or 'HH:MM:SS'; raise ValueError (with a Message) otherwise."""
    m = _CLOCK.fullmatch(value) if isinstance(value, str) else None  # fullmatch: "$" would let "09:00\n" through
    if not m:
        raise ValueError(_("'%(value)s' is not a time of day HH:MM (00:00–23:59)", value=escaped(value)))
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
    """Parse an ISO 8601 stamp that carries a time zone, in the years 1970–9999; raise ValueError (with a
    Message) otherwise."""
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError(_("must be an ISO 8601 date-time text such as 2026-05-04T09:30:00Z"))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(_("'%(value)s' is not an ISO 8601 date-time", value=escaped(value))) from None
    if moment.tzinfo is None:
        raise ValueError(_("'%(value)s' has no time zone (add Z or +hh:mm)", value=escaped(value)))
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        moment = None
    if moment is None or not YEARS[0] <= moment.year <= YEARS[1]:
        raise ValueError(_("'%(value)s' is outside the years %(first)s–%(last)s", value=escaped(value),
                           first=YEARS[0], last=YEARS[1]))
    return moment


def placed_time(event: dict) -> float | None:
    """Return the exercise time an event belongs at: when it was observed, else when it was stored."""
    observed = event.get("observed_time")
    return event.get("exercise_time") if observed is None else observed
