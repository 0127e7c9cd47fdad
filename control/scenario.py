"""Load and check the exercise scenario: days, sites, teams, objectives, action types and the MSEL."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from .timefmt import parse_clock_time

DELIVERY_METHODS = ("phone call", "email", "document", "actor walk-in", "site event", "radio", "video call")
SCHEDULE_KINDS = ("briefing", "play", "break", "hot_wash", "debrief")


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

    def day_start_seconds(self, day: int) -> int:
        """Return the time of day (seconds) at which `day`'s schedule begins."""
        return parse_clock_time(self.days[day]["schedule"][0]["start"])


def load_scenario(path) -> Scenario:
    """Read a scenario file and check it; raise ScenarioError naming the first bad entry."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"scenario file {path} does not exist") from None
    except json.JSONDecodeError as e:
        raise ScenarioError(f"{path} is not valid JSON: {e}") from None
    return check_scenario(raw)


def check_scenario(raw) -> Scenario:
    """Check a parsed scenario object and index it."""
    if not isinstance(raw, dict):
        raise ScenarioError("the scenario must be a JSON object")
    s = Scenario(raw=raw)
    s.days = _check_days(raw)
    s.sites = _index(raw, "sites", ["name", "x", "y"])
    for site in s.sites.values():
        for axis in ("x", "y"):
            if not isinstance(site[axis], (int, float)) or isinstance(site[axis], bool):
                raise ScenarioError(f"site {site['id']!r}: {axis} must be a number (plan coordinate)")
    s.teams = _index(raw, "teams", ["name", "agencies"])
    for team in s.teams.values():
        if "home_site" in team and team["home_site"] not in s.sites:
            raise ScenarioError(f"team {team['id']!r}: unknown home_site {team['home_site']!r}")
    s.objectives = _index(raw, "objectives", ["title", "tasks"])
    for obj in s.objectives.values():
        tasks = obj["tasks"]
        if not isinstance(tasks, list) or not tasks:
            raise ScenarioError(f"objective {obj['id']!r}: tasks must be a non-empty list")
        for i, task in enumerate(tasks):
            where = f"objective {obj['id']!r} task #{i + 1}"
            _check_entry(task, where, ["title"])
            if task["id"] in s.tasks:
                raise ScenarioError(f"{where}: duplicate task id {task['id']!r}")
            s.tasks[task["id"]] = obj["id"]
    s.action_types = _index(raw, "action_types", ["label"])
    s.injects = _index(raw, "injects", ["day", "time", "title", "description", "teams", "site",
                                        "objectives", "expected_actions", "from", "to", "delivery"])
    for inject in s.injects.values():
        _check_inject(inject, s)
    return s


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
        schedule = day.get("schedule")
        if not isinstance(schedule, list) or not schedule:
            raise ScenarioError(f"day {number}: missing field 'schedule' (a non-empty list)")
        previous_end = -1
        for j, block in enumerate(schedule):
            bwhere = f"day {number} schedule #{j + 1}"
            if not isinstance(block, dict):
                raise ScenarioError(f"{bwhere} must be an object")
            for key in ("start", "end", "kind", "title"):
                if key not in block:
                    raise ScenarioError(f"{bwhere}: missing field {key!r}")
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


def _index(raw, key, required) -> dict:
    entries = raw.get(key)
    if not isinstance(entries, list) or not entries:
        raise ScenarioError(f"missing field {key!r}: a non-empty list of objects with a string 'id'")
    by_id = {}
    for i, entry in enumerate(entries):
        where = f"{key} entry #{i + 1}"
        _check_entry(entry, where, required)
        if entry["id"] in by_id:
            raise ScenarioError(f"{where}: duplicate id {entry['id']!r}")
        by_id[entry["id"]] = entry
    return by_id


def _check_entry(entry, where, required):
    if not isinstance(entry, dict):
        raise ScenarioError(f"{where} must be an object")
    if not isinstance(entry.get("id"), str) or not entry["id"].strip():
        raise ScenarioError(f"{where}: missing string field 'id'")
    for key in required:
        if key not in entry:
            raise ScenarioError(f"{where} ({entry['id']!r}): missing field {key!r}")


def _clock(value, where, name) -> int:
    try:
        return parse_clock_time(value)
    except ValueError as e:
        raise ScenarioError(f"{where}: {name} {e}") from None


def _check_inject(inject, s: Scenario):
    where = f"inject {inject['id']!r}"
    day = inject["day"]
    if day not in s.days or isinstance(day, bool):
        raise ScenarioError(f"{where}: day {day!r} out of range (1–{len(s.days)})")
    seconds = _clock(inject["time"], where, "time")
    schedule = s.days[day]["schedule"]
    first, last = _clock(schedule[0]["start"], where, "day start"), _clock(schedule[-1]["end"], where, "day end")
    if not first <= seconds <= last:
        raise ScenarioError(f"{where}: time {inject['time']} out of range for day {day} "
                            f"({schedule[0]['start']}–{schedule[-1]['end']})")
    if not isinstance(inject["teams"], list) or not inject["teams"]:
        raise ScenarioError(f"{where}: teams must be a non-empty list of team ids")
    for team in inject["teams"]:
        if team not in s.teams:
            raise ScenarioError(f"{where}: unknown team {team!r}")
    if inject["site"] not in s.sites:
        raise ScenarioError(f"{where}: unknown site {inject['site']!r}")
    if not isinstance(inject["objectives"], list):
        raise ScenarioError(f"{where}: objectives must be a list of objective ids")
    for obj in inject["objectives"]:
        if obj not in s.objectives:
            raise ScenarioError(f"{where}: unknown objective {obj!r}")
    if not isinstance(inject["expected_actions"], list):
        raise ScenarioError(f"{where}: expected_actions must be a list of strings")
    if inject["delivery"] not in DELIVERY_METHODS:
        raise ScenarioError(f"{where}: delivery {inject['delivery']!r} is not one of {', '.join(DELIVERY_METHODS)}")
