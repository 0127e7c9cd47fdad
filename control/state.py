"""Fold events into the state of the exercise at an instant, with every correction applied.

Corrections are read from the whole list, also those recorded after the instant: a retracted
event never counts, and an amended one counts with its corrected fields, at its own time.
"""

import copy
from datetime import datetime

from .clock import ExerciseClock
from .events import INJECT_STATUS, RATINGS
from .timefmt import iso, parse_iso


def effective_events(events):
    """Yield the events that count, in order, with amends applied; corrections themselves are dropped."""
    retracted, amends = set(), {}
    for event in events:
        if event["kind"] == "retract":
            retracted.add(event["target"])
        elif event["kind"] == "amend":
            amends.setdefault(event["target"], []).append(event)
    for event in events:
        if event["kind"] in ("retract", "amend") or event["id"] in retracted:
            continue
        yield apply_amends(event, amends.get(event["id"], ()))


def apply_amends(event: dict, amends) -> dict:
    """Return `event` with the corrected fields of `amends` (in order) laid over it."""
    if not amends:
        return event
    corrected = dict(event)
    for amend in amends:
        corrected.update({k: v for k, v in amend.items() if k not in _AMEND_OWN})
        corrected["amended_by"] = amend["id"]
    return corrected


_AMEND_OWN = ("seq", "id", "kind", "ts", "exercise_time", "observed_at", "role", "conn", "target", "reason")


class StateFolder:
    """Fold effective events (corrections already applied), one at a time, into the state.

    teams: the team ids to report (default all); pending_injects: list scenario injects that
    were not released yet; objectives: include the objective × team rating counts.
    """

    def __init__(self, scenario, teams=None, pending_injects=True, objectives=True):
        team_ids = list(scenario.teams) if teams is None else list(teams)
        self.teams = {
            t: {"site": scenario.teams[t].get("home_site"), "since": None, "actions": 0, "last_action": None}
            for t in team_ids
        }
        self.injects = {}
        if pending_injects:
            self.injects = {i: {"status": "pending", "day": inj["day"], "time": inj["time"]}
                            for i, inj in scenario.injects.items()}
        self.with_objectives = objectives
        self.coverage = ({o: {t: dict.fromkeys(RATINGS, 0) for t in team_ids} for o in scenario.objectives}
                         if objectives else {})
        self.clock = ExerciseClock()
        self.last_seq = 0
        self.safety = {}  # open alerts by id

    def add(self, event: dict) -> None:
        """Fold one effective event (never a retract or amend: see effective_events)."""
        self.last_seq = max(self.last_seq, event["seq"])
        kind, team = event["kind"], event.get("team")
        if kind == "clock":
            self.clock.apply(event)
        elif kind == "move" and team in self.teams:
            self.teams[team].update(site=event["site"], since=event["ts"])
        elif kind == "action" and team in self.teams:
            self.teams[team]["actions"] += 1
            self.teams[team]["last_action"] = event["ts"]
            _record_response(self.injects.get(event.get("inject")), event)
        elif kind in ("inject", "inject_skip", "inject_defer"):
            entry = self.injects.setdefault(event["inject"], {})
            entry.update(status=INJECT_STATUS[kind],
                         at=event["ts"], exercise_time=event["exercise_time"], seq=event["seq"])
            if kind == "inject":
                entry.update(teams=event.get("teams", []), title=event.get("title"), responses={})
                if event.get("adhoc"):
                    entry["adhoc"] = True
            else:
                entry["reason"] = event["reason"]
        elif kind == "evaluation" and self.with_objectives and team in self.teams:
            self.coverage.setdefault(event["objective"], {}).setdefault(team, dict.fromkeys(RATINGS, 0))
            self.coverage[event["objective"]][team][event["rating"]] += 1
        elif kind == "safety":
            self.safety[event["id"]] = {k: event.get(k) for k in ("id", "seq", "ts", "role", "text", "site")}
        elif kind == "safety_ack":
            self.safety.pop(event["target"], None)

    def snapshot(self, at: datetime) -> dict:
        """Return the state as a fresh JSON-ready dict, with the clock read at `at`."""
        return copy.deepcopy({
            "at": iso(at),
            "last_seq": self.last_seq,
            "clock": self.clock.as_dict(at),
            "teams": self.teams,
            "injects": self.injects,
            "objectives": self.coverage,
            "safety": list(self.safety.values()),
        })


def fold(scenario, events, at: datetime, **options) -> dict:
    """Return the state at `at` from `events` (sorted by seq); options as for StateFolder."""
    at_text = iso(at)
    folder = StateFolder(scenario, **options)
    for event in effective_events(events):
        if event["ts"] <= at_text:
            folder.add(event)
    return folder.snapshot(at)


def _record_response(entry, action):
    """Note a team's response time to a released inject: release to its first answering action.

    Counted in exercise time when both moments have one (pauses do not count), else wall time.
    """
    if not entry or entry.get("status") != "released" or action["team"] in entry["responses"]:
        return
    if entry["exercise_time"] is not None and action["exercise_time"] is not None:
        seconds = action["exercise_time"] - entry["exercise_time"]
    else:
        seconds = (parse_iso(action["ts"]) - parse_iso(entry["at"])).total_seconds()
    entry["responses"][action["team"]] = round(max(0.0, seconds), 1)
