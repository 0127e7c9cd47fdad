"""Who evaluates what, when: the scenario's plan and the live assignments, resolved per evaluator.

An assignment gives an evaluator (or lead evaluator) of the roster `teams`, `sites` and
`objectives` to watch, for a `day` (every day when it names none) from `start` to `end` (the whole
day when it names no times).  The scenario's `assignments` are the plan; an `assignment` event
(the director or a lead evaluator, live) is laid over it.  Where blocks overlap, the latest word
wins: a live assignment over the plan, a later one over an earlier one.  A live assignment with no
day holds from the moment it was logged to the end of that exercise day.  One that names no team
and no site releases the evaluator for its time.  No Flask here.
"""

from dataclasses import dataclass

from .i18n import Message, _
from .timefmt import DAY, escaped, parse_clock_time, split_exercise_time

ASSIGNABLE = ("evaluator", "lead_evaluator")  # roster roles an assignment may name
# Exercise seconds an evaluator on assignment, with the clock running, may go without logging anything
# (since their last entry, or the start of the block) before the director's screen flags them as
# silent: a phone gone flat, or a person pulled away.  Pauses (lunch, the night) do not count.
SILENT_AFTER = 30 * 60
LISTS = ("teams", "sites", "objectives")


def check_assignment(entry: dict, scenario) -> tuple[Message, str] | None:
    """Return (the reason, the field) if an assignment names what the scenario does not have, else None.

    entry: its fields (person, teams, sites, objectives, day, start, end), types already checked."""
    person = scenario.people.get(entry["person"])
    if person is None:
        return _("unknown person '%(person)s' (not in the scenario's roster)", person=escaped(entry["person"])), "person"
    if person["role"] not in ASSIGNABLE:
        return _("%(name)s is not an evaluator: only evaluators and lead evaluators are assigned",
                 name=person["name"]), "person"
    tables = {"teams": (scenario.teams, "team"), "sites": (scenario.sites, "site"),
              "objectives": (scenario.objectives, "objective")}
    for name, (table, singular) in tables.items():
        values = entry.get(name) or []
        for value in values:
            if value not in table:
                from .events import unknown_id  # events imports this module
                return unknown_id(singular, value), name
        if len(set(values)) != len(values):
            return _("field '%(field)s' names an entry twice", field=name), name
    day = entry.get("day")
    if day is not None and day not in scenario.days:
        return _("day %(day)s out of range (1–%(last)s)", day=day, last=len(scenario.days)), "day"
    times = {}
    for name in ("start", "end"):
        if entry.get(name) is not None:
            if day is None:
                return _("an assignment's %(field)s needs its day", field=name), "day"
            try:
                times[name] = _seconds(entry[name], name == "end")
            except ValueError as e:
                return _("%(field)s %(error)s", field=name, error=e.args[0]), name
    if times.get("start", 0) >= times.get("end", DAY):
        return _("an assignment must end after it starts"), "end"
    return None


@dataclass
class Block:
    """One assignment as a stretch of exercise time (seconds; `start` included, `end` not)."""

    person: str
    day: int | None  # None: every day
    start: int  # seconds into the day
    end: int
    teams: list
    sites: list
    objectives: list
    rank: tuple  # the later word wins: (0, plan order) for the plan, (1, seq) for a live assignment
    by: str | None = None  # who assigned it live


def plan_blocks(scenario) -> list[Block]:
    """Return the scenario's planned assignments as blocks."""
    return [_block(entry, (0, i)) for i, entry in enumerate(scenario.raw.get("assignments", []))]


def live_block(event: dict) -> Block | None:
    """Return an assignment event as a block; None when it names no day and was logged before the start."""
    if event.get("day") is not None:
        return _block(event, (1, event["seq"]), by=event.get("by"))
    if event.get("exercise_time") is None:
        return None
    day, time = split_exercise_time(event["exercise_time"])
    return _block({**event, "day": day, "start": time, "end": None}, (1, event["seq"]), by=event.get("by"))


def _seconds(value: str, end: bool = False) -> int:
    """Return the seconds into the day of an assignment's start or end ("24:00" ends at midnight)."""
    return DAY if end and value == "24:00" else parse_clock_time(value)


def _block(entry: dict, rank: tuple, by: str | None = None) -> Block:
    return Block(entry["person"], entry.get("day"),
                 _seconds(entry["start"]) if entry.get("start") else 0,
                 _seconds(entry["end"], end=True) if entry.get("end") else DAY,
                 list(entry.get("teams") or []), list(entry.get("sites") or []), list(entry.get("objectives") or []),
                 rank, by)


def schedule(blocks, days) -> dict[str, list[dict]]:
    """Return each assigned person's week as segments that do not overlap, in time order:
    {person: [{"from", "until" (exercise seconds), "day", "start", "end" (HH:MM), "teams", "sites",
    "objectives", "by"}]}.  A stretch where the person is released (or never assigned) has no segment."""
    by_person = {}
    for block in blocks:
        by_person.setdefault(block.person, []).append(block)
    return {person: _segments(own, days) for person, own in by_person.items()}


def _segments(blocks, days) -> list[dict]:
    found = []
    for day in sorted(days):
        today = [b for b in blocks if b.day in (None, day)]
        cuts = sorted({0, DAY, *(b.start for b in today), *(b.end for b in today)})
        last = None
        for start, end in zip(cuts, cuts[1:], strict=False):
            covering = [b for b in today if b.start <= start and end <= b.end]
            winner = max(covering, key=lambda b: b.rank, default=None)
            if winner is None or not (winner.teams or winner.sites):
                last = None
                continue
            if last is not None and last["_rank"] == winner.rank:
                last["until"], last["end"] = (day - 1) * DAY + end, _hhmm(end)
                continue
            last = {"from": (day - 1) * DAY + start, "until": (day - 1) * DAY + end, "day": day,
                    "start": _hhmm(start), "end": _hhmm(end), "teams": list(winner.teams), "sites": list(winner.sites),
                    "objectives": list(winner.objectives), "by": winner.by, "_rank": winner.rank}
            found.append(last)
    for segment in found:
        del segment["_rank"]
    return found


def _hhmm(seconds: int) -> str:
    return "24:00" if seconds >= DAY else f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def current(segments: list[dict], exercise_time: float | None) -> dict | None:
    """Return the segment that holds `exercise_time`, or None."""
    if exercise_time is None:
        return None
    return next((s for s in segments if s["from"] <= exercise_time < s["until"]), None)
