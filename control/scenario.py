"""Load and check the exercise scenario: days, sites, teams, objectives, action types and the MSEL.

Every field ExCon reads is checked for its type here, so that a wrong value is named at start-up
with its entry, never found later by a page or the report.
"""

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from .timefmt import parse_clock_time

DELIVERY_METHODS = ("phone call", "email", "document", "actor walk-in", "site event", "radio", "video call")
SCHEDULE_KINDS = ("briefing", "play", "break", "hot_wash", "debrief")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class ScenarioError(ValueError):
    """The scenario file is broken; the message names the bad entry."""


@dataclass
class Scenario:
    """A checked scenario; lookups by id for the event validator."""

    raw: dict
    sites: dict = field(default_factory=dict)
    teams: dict = field(default_factory=dict)
    objectives: dict = field(default_factory=dict)
    tasks: dict = field(default_factory=dict)  # task id -> objective id
    action_types: dict = field(default_factory=dict)
    injects: dict = field(default_factory=dict)
    days: dict = field(default_factory=dict)

    @property
    def first_day(self) -> int:
        return min(self.days)

    @property
    def exercise_id(self) -> str:
        return self.raw["exercise"]["id"]

    def day_start_seconds(self, day: int) -> int:
        """Return the time of day (seconds) at which `day`'s schedule begins."""
        return parse_clock_time(self.days[day]["schedule"][0]["start"])


def load_scenario(path) -> Scenario:
    """Read a scenario file (UTF-8, with or without a BOM) and check it; raise ScenarioError naming
    the first bad entry."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(f"scenario file {path} does not exist") from None
    except OSError as e:
        raise ScenarioError(f"cannot read scenario file {path}: {e.strerror}") from None
    text = _decode(data, path)
    try:
        raw = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as e:
        raise ScenarioError(f"{path} is not valid JSON: {e}") from None
    except RecursionError:
        raise ScenarioError(f"{path} is nested too deeply to read") from None
    except ValueError as e:  # NaN, Infinity, or a number too long
        raise ScenarioError(f"{path}: {e}") from None
    return check_scenario(raw)


def _decode(data: bytes, path: Path) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # the byte-order mark Windows editors write: harmless
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError(f"{path} is saved as UTF-16; save it as UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        guess = ""
        try:
            if re.search("[а-яА-ЯёЁ]", data.decode("cp1251")):
                guess = " It looks like Windows-1251 (Cyrillic)."
        except UnicodeDecodeError:
            pass
        raise ScenarioError(f"{path} is not UTF-8 text (byte 0x{data[e.start]:02X} at position {e.start}).{guess} "
                            "Save it as UTF-8 (in Notepad or Excel: Save As, encoding UTF-8)") from None


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number JSON allows; write a plain number")


def check_scenario(raw) -> Scenario:
    """Check a parsed scenario object and index it."""
    if not isinstance(raw, dict):
        raise ScenarioError("the scenario must be a JSON object")
    s = Scenario(raw=raw)
    _check_exercise(raw)
    s.days = _check_days(raw)
    s.sites = _index(raw, "sites", {"name": _text}, {"label": _text, "kind": _text, "description": _any_text})
    for site in s.sites.values():
        for axis in ("x", "y"):
            value = site.get(axis)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
                raise ScenarioError(f"site {site['id']!r}: {axis} must be a number (plan coordinate)")
    s.teams = _index(raw, "teams", {"name": _text, "agencies": _text_list},
                     {"color": _colour, "home_site": _text, "short": _short})
    for team in s.teams.values():
        if "home_site" in team and team["home_site"] not in s.sites:
            raise ScenarioError(f"team {team['id']!r}: unknown home_site {team['home_site']!r}")
    _give_shorts(list(s.teams.values()))
    s.objectives = _index(raw, "objectives", {"title": _text, "tasks": _list}, {"description": _any_text})
    for obj in s.objectives.values():
        tasks = obj["tasks"]
        if not tasks:
            raise ScenarioError(f"objective {obj['id']!r}: tasks must be a non-empty list")
        for i, task in enumerate(tasks):
            where = f"objective {obj['id']!r} task #{i + 1}"
            _check_entry(task, where, {"title": _text}, {"description": _any_text})
            if task["id"] in s.tasks:
                raise ScenarioError(f"{where}: duplicate task id {task['id']!r}")
            s.tasks[task["id"]] = obj["id"]
    s.action_types = _index(raw, "action_types", {"label": _text}, {})
    s.injects = _index(raw, "injects", {
        "day": _whole, "time": _text, "title": _text, "description": _any_text, "teams": _text_list, "site": _text,
        "objectives": _text_list, "expected_actions": _any_text_list, "from": _any_text, "to": _any_text,
        "delivery": _text}, {"controller_notes": _any_text})
    for inject in s.injects.values():
        _check_inject(inject, s)
    return s


# --- the types of a field: each returns None when the value is right, else what it must be ------

def _text(value):
    return None if isinstance(value, str) and value.strip() else "a non-empty text"


def _short(value):
    return None if isinstance(value, str) and 1 <= len(value.strip()) <= 3 else "a text of one to three characters"


def _give_shorts(teams: list) -> None:
    """Give every team the one to three characters its map marker shows: its own `short`, else the
    start of the last word of its name ("Team Alpha" A, "Команда 2 «Арал»" А), three letters where
    two would read the same.  Two teams may not be given the same `short` by hand."""
    given = [t["short"].strip() for t in teams if "short" in t]
    twice = sorted({s for s in given if given.count(s) > 1})
    if twice:
        raise ScenarioError(f"teams: two teams have the short {twice[0]!r}: each team's map marker needs its own")
    derived = [t for t in teams if "short" not in t]
    for team in teams:
        team["short"] = team["short"].strip() if team not in derived else _last_word(team)[:1].upper()
    for team in derived:
        if [t["short"] for t in teams].count(team["short"]) > 1:
            team["short"] = _last_word(team)[:3]


def _last_word(team: dict) -> str:
    return "".join(c for c in team["name"].split()[-1] if c.isalnum()) or team["id"]


def _any_text(value):
    return None if isinstance(value, str) else "a text"


def _whole(value):
    return None if isinstance(value, int) and not isinstance(value, bool) else "a whole number"


def _list(value):
    return None if isinstance(value, list) else "a list"


def _text_list(value):
    ok = isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
    return None if ok else "a list of non-empty texts"


def _any_text_list(value):
    return None if isinstance(value, list) and all(isinstance(v, str) for v in value) else "a list of texts"


def _colour(value):
    return None if isinstance(value, str) and _COLOUR.match(value) else "a colour such as \"#0072B2\""


def _check_fields(entry: dict, where: str, required: dict, optional: dict) -> None:
    for key in required:
        if key not in entry:
            raise ScenarioError(f"{where}: missing field {key!r}")
    for key, kind in {**required, **optional}.items():
        if key in entry:
            wrong = kind(entry[key])
            if wrong:
                raise ScenarioError(f"{where}: {key!r} must be {wrong}, not {_shown(entry[key])}")


def _shown(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "…"


def _check_exercise(raw) -> None:
    exercise = raw.get("exercise")
    if not isinstance(exercise, dict):
        raise ScenarioError("missing field 'exercise': an object with at least 'id' and 'title'")
    _check_fields(exercise, "exercise", {"id": _text, "title": _text},
                  {"description": _any_text, "language": _text, "venue": _any_text, "map": _map})


def _map(value):
    if not isinstance(value, dict):
        return "an object with 'width' and 'height'"
    for key in ("width", "height"):
        size = value.get(key)
        if not isinstance(size, (int, float)) or isinstance(size, bool) or not math.isfinite(size) or size <= 0:
            return f"an object whose '{key}' is a positive number"
    return None


def _check_days(raw) -> dict:
    days = raw.get("days")
    if not isinstance(days, list) or not days:
        raise ScenarioError("missing field 'days': a non-empty list of exercise days")
    by_number = {}
    for i, day in enumerate(days):
        where = f"days entry #{i + 1}"
        if not isinstance(day, dict):
            raise ScenarioError(f"{where} must be an object")
        number = day.get("day")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise ScenarioError(f"{where}: 'day' must be a whole number from 1")
        if number in by_number:
            raise ScenarioError(f"{where}: duplicate day {number}")
        _check_fields(day, f"day {number}", {"title": _any_text, "schedule": _list}, {})
        schedule = day["schedule"]
        if not schedule:
            raise ScenarioError(f"day {number}: missing field 'schedule' (a non-empty list)")
        previous_end = -1
        for j, block in enumerate(schedule):
            bwhere = f"day {number} schedule #{j + 1}"
            if not isinstance(block, dict):
                raise ScenarioError(f"{bwhere} must be an object")
            _check_fields(block, bwhere, {"start": _text, "end": _text, "kind": _text, "title": _any_text}, {})
            start = _clock(block["start"], bwhere, "start")
            end = _clock(block["end"], bwhere, "end")
            if end <= start or start < previous_end:
                raise ScenarioError(f"{bwhere}: times out of order ({block['start']}–{block['end']})")
            if block["kind"] not in SCHEDULE_KINDS:
                raise ScenarioError(f"{bwhere}: kind must be one of {', '.join(SCHEDULE_KINDS)}")
            previous_end = end
        by_number[number] = day
    if sorted(by_number) != list(range(1, len(by_number) + 1)):
        raise ScenarioError("days must be numbered 1, 2, 3 … without gaps")
    return by_number


def _index(raw, key, required: dict, optional: dict) -> dict:
    entries = raw.get(key)
    if not isinstance(entries, list) or not entries:
        raise ScenarioError(f"missing field {key!r}: a non-empty list of objects with a string 'id'")
    by_id = {}
    for i, entry in enumerate(entries):
        where = f"{key} entry #{i + 1}"
        _check_entry(entry, where, required, optional)
        if entry["id"] in by_id:
            raise ScenarioError(f"{where}: duplicate id {entry['id']!r}")
        by_id[entry["id"]] = entry
    return by_id


def _check_entry(entry, where, required: dict, optional: dict):
    if not isinstance(entry, dict):
        raise ScenarioError(f"{where} must be an object")
    if not isinstance(entry.get("id"), str) or not entry["id"].strip():
        raise ScenarioError(f"{where}: missing string field 'id'")
    _check_fields(entry, f"{where} ({entry['id']!r})", required, optional)


def _clock(value, where, name) -> int:
    try:
        return parse_clock_time(value)
    except ValueError as e:
        raise ScenarioError(f"{where}: {name} {e}") from None


def _check_inject(inject, s: Scenario):
    where = f"inject {inject['id']!r}"
    day = inject["day"]
    if day not in s.days:
        raise ScenarioError(f"{where}: day {day!r} out of range (1–{len(s.days)})")
    seconds = _clock(inject["time"], where, "time")
    schedule = s.days[day]["schedule"]
    first, last = _clock(schedule[0]["start"], where, "day start"), _clock(schedule[-1]["end"], where, "day end")
    if not first <= seconds <= last:
        raise ScenarioError(f"{where}: time {inject['time']} out of range for day {day} "
                            f"({schedule[0]['start']}–{schedule[-1]['end']})")
    if not inject["teams"]:
        raise ScenarioError(f"{where}: teams must be a non-empty list of team ids")
    for team in inject["teams"]:
        if team not in s.teams:
            raise ScenarioError(f"{where}: unknown team {team!r}")
    if inject["site"] not in s.sites:
        raise ScenarioError(f"{where}: unknown site {inject['site']!r}")
    for obj in inject["objectives"]:
        if obj not in s.objectives:
            raise ScenarioError(f"{where}: unknown objective {obj!r}")
    if inject["delivery"] not in DELIVERY_METHODS:
        raise ScenarioError(f"{where}: delivery {inject['delivery']!r} is not one of {', '.join(DELIVERY_METHODS)}")
