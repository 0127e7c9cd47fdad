"""Fold events into the state of the exercise at an instant, with every correction applied.

Corrections are read from the whole list, also those recorded after the instant: a retracted
event never counts, and an amended one counts with its corrected fields, at its own time.
"""

import copy
from datetime import datetime

from . import assignments
from .clock import ExerciseClock
from .events import INJECT_STATUS, RATINGS, STORED_ENVELOPE
from .timefmt import DAY, exercise_seconds, iso, parse_iso, split_exercise_time

OVERDUE_AFTER = 10 * 60  # exercise seconds past its time before an inject still to do counts as overdue
STEPS = {letter: step for step, letter in enumerate(RATINGS)}  # P 0, S 1, M 2, U 3
DISAGREEMENT = 2  # steps between two evaluators' latest ratings of a team that the lead evaluator should look at
STILL_TO_DO = ("pending", "deferred", "recalled")  # inject statuses that fall due, then overdue


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


_AMEND_OWN = STORED_ENVELOPE + ("target", "reason")  # an amend's own fields, never laid over its target


class StateFolder:
    """Fold effective events (corrections already applied), one at a time, into the state.

    teams: the team ids to report (default all); pending_injects: list scenario injects that
    were not released yet; objectives: include the objective × team rating counts;
    correctable: keep each team's moves and actions, so that `correct` can replace the effect of
    a corrected entry without folding the log again (live views; kept states for past instants
    are never corrected, only dropped); evaluators: include who evaluates what (the plan and the
    live assignments), each evaluator's last entry and the gaps in their coverage, and the agreed
    ratings (for the staff only).
    """

    def __init__(self, scenario, teams=None, pending_injects=True, objectives=True, correctable=False,
                 evaluators=False):
        team_ids = list(scenario.teams) if teams is None else list(teams)
        self.home = {t: scenario.teams[t].get("home_site") for t in team_ids}
        self.teams = {t: {"site": self.home[t], "since": None, "since_exercise_time": None, "actions": 0,
                          "last_action": None} for t in team_ids}
        # team -> {"moves": {seq: (site, ts, exercise_time)}, "actions": {seq: (ts, exercise_time, inject)}}
        self.kept = {t: {"moves": {}, "actions": {}} for t in team_ids} if correctable else None
        self.injects = {}
        if pending_injects:
            self.injects = {i: {"status": "pending", "day": inj["day"], "time": inj["time"],
                                "due": exercise_seconds(inj["day"], inj["time"])}
                            for i, inj in scenario.injects.items()}
        self.with_objectives = objectives
        self.coverage = ({o: {t: dict.fromkeys(RATINGS, 0) for t in team_ids} for o in scenario.objectives}
                         if objectives else {})
        self.coverage_days = {}  # exercise day -> the same counts, of that day's evaluations only
        self.clock = ExerciseClock()
        self.last_seq = 0
        self.safety = {}  # open alerts by id
        self.with_evaluators = evaluators
        # what the evaluators' part needs of the scenario (not the scenario: kept states are copied whole)
        self.plan = assignments.plan_blocks(scenario) if evaluators else []
        self.days = list(scenario.days)
        self.people = {p: e["role"] for p, e in scenario.people.items()} if evaluators else {}
        self.assigned = {}  # seq -> a live assignment that counts
        self.entries_by = {}  # person id -> {seq: {"ts", "exercise_time", "kind"}} of their entries that count
        # (objective, team, critical task or "") -> {seq: (exercise time, who, rating) of an evaluation that counts}
        self.rated = {}
        # the same key -> {"last": latest exercise time rated, "latest": {who: (seq, rating)}, "seq": the
        # newest entry's}: kept as entries come, so that a push reads it (a week holds thousands of ratings)
        self.rated_summary = {}
        self.agreed = {}  # (objective, team, task or "") -> {seq: agreed rating that counts}

    def add(self, event: dict) -> None:
        """Fold one effective event (never a retract or amend: see effective_events)."""
        self.last_seq = max(self.last_seq, event["seq"])
        kind, team = event["kind"], event.get("team")
        if self.with_evaluators:
            self._add_evaluators(event, 1)
        if kind == "clock":
            self.clock.apply(event)
        elif kind == "move" and team in self.teams:
            self.teams[team].update(site=event["site"], since=event["ts"], since_exercise_time=event["exercise_time"])
            if self.kept is not None:
                self.kept[team]["moves"][event["seq"]] = (event["site"], event["ts"], event["exercise_time"])
        elif kind == "action" and team in self.teams:
            self.teams[team]["actions"] += 1
            self.teams[team]["last_action"] = event["ts"]
            _record_response(self.injects.get(event.get("inject")), event, self.clock)
            if self.kept is not None:
                self.kept[team]["actions"][event["seq"]] = (event["ts"], event["exercise_time"], event.get("inject"))
        elif kind in INJECT_STATUS:
            entry = self.injects.setdefault(event["inject"], {})
            entry.update(status=INJECT_STATUS[kind],
                         at=event["ts"], exercise_time=event["exercise_time"], seq=event["seq"])
            if kind == "inject_recall":  # back on the board, still to do; what was answered stays in the log
                entry.update(reason=event.get("reason"), responses={})  # a team reads no reason
                if entry.get("adhoc"):  # an ad-hoc inject has no time of its own to fall due again at
                    entry["due"] = None
            elif kind == "inject":
                entry.pop("reason", None)  # a skip's, deferral's or recall's reason no longer holds once it is out
                entry.update(teams=event.get("teams", []), title=event.get("title"), responses={})
                if event.get("adhoc"):
                    entry["adhoc"] = True
                    if event["exercise_time"] is not None:  # on the board at the moment it went out
                        day, time = split_exercise_time(event["exercise_time"])
                        entry.update(day=day, time=time[:5], due=event["exercise_time"])
            else:
                entry["reason"] = event["reason"]
                if event.get("day") is not None:  # deferred to a new time: due then
                    entry.update(day=event["day"], time=event["time"][:5], due=exercise_seconds(event["day"], event["time"]))
        elif kind == "schedule_shift":
            self._shift(exercise_seconds(event["day"], event["time"]), event["minutes"] * 60)
        elif kind == "evaluation" and self.with_objectives and team in self.teams:
            self._count_rating(event, 1)
        elif kind == "safety":
            self.safety[event["id"]] = {k: event.get(k) for k in ("id", "seq", "ts", "role", "text", "site")}
        elif kind == "safety_ack":
            self.safety.pop(event["target"], None)

    def _count_rating(self, entry: dict, sign: int) -> None:
        """Count (sign 1) or take back (-1) an evaluation in the coverage, the whole exercise's and its day's."""
        key, rating = (entry["objective"], entry["team"]), entry["rating"]
        _cell(self.coverage, key)[rating] += sign
        if entry["exercise_time"] is None:
            return
        day = str(int(entry["exercise_time"] // DAY) + 1)
        cell = _cell(self.coverage_days.setdefault(day, {}), key)
        cell[rating] += sign
        if not any(cell.values()):  # a day holds only what was rated that day, as a fold of the log has it
            del self.coverage_days[day][key[0]][key[1]]
            if not self.coverage_days[day][key[0]]:
                del self.coverage_days[day][key[0]]
            if not self.coverage_days[day]:
                del self.coverage_days[day]

    def _shift(self, start: float, by: int) -> None:
        """Move every inject still to do that falls due from `start` to the end of that exercise day by `by` seconds."""
        for entry in self.injects.values():
            if moved_by_shift(entry, start):
                entry["due"] = max(0, entry["due"] + by)
                day, time = split_exercise_time(entry["due"])
                entry.update(day=day, time=time[:5])

    def correct(self, old: dict | None, new: dict | None, seq: int) -> None:
        """Replace the effect of one entry, folded earlier as `old` (None: not seen), by `new` (None:
        withdrawn, or no longer seen); `seq`: the correction's.  Needs correctable=True."""
        self.last_seq = max(self.last_seq, seq)
        touched, answers = set(), set()
        for version, sign in ((old, -1), (new, 1)):
            if version is None or version.get("team") not in self.teams:
                continue
            kind, team, entry_seq = version["kind"], version["team"], version["seq"]
            if kind in ("move", "action"):
                kept = self.kept[team]["moves" if kind == "move" else "actions"]
                if sign < 0:
                    kept.pop(entry_seq, None)
                elif kind == "move":
                    kept[entry_seq] = (version["site"], version["ts"], version["exercise_time"])
                else:
                    kept[entry_seq] = (version["ts"], version["exercise_time"], version.get("inject"))
                touched.add(team)
                if kind == "action" and version.get("inject"):
                    answers.add((version["inject"], team))
            elif kind == "evaluation" and self.with_objectives:
                self._count_rating(version, sign)
        for version, sign in ((old, -1), (new, 1)):
            if version is not None and self.with_evaluators:
                self._add_evaluators(version, sign)
        for team in touched:
            moves, actions = self.kept[team]["moves"], self.kept[team]["actions"]
            site, since, since_exercise_time = moves[max(moves)] if moves else (self.home[team], None, None)
            self.teams[team].update(site=site, since=since, since_exercise_time=since_exercise_time, actions=len(actions),
                                    last_action=actions[max(actions)][0] if actions else None)
        for inject, team in answers:
            entry = self.injects.get(inject)
            if not entry or entry.get("status") != "released":
                continue
            entry["responses"].pop(team, None)
            answering = [s for s, (_, _, linked) in self.kept[team]["actions"].items()
                         if linked == inject and s > entry["seq"]]
            if answering:
                first = min(answering)
                ts, exercise_time, _ = self.kept[team]["actions"][first]
                _record_response(entry, {"team": team, "ts": ts, "exercise_time": exercise_time}, self.clock)

    def _add_evaluators(self, entry: dict, sign: int) -> None:
        """Count (sign 1) or take back (-1) what an entry adds to the evaluators' part of the state."""
        kind, seq = entry["kind"], entry["seq"]
        if entry.get("by") in self.people:  # a withdrawn entry no longer counts as the person's last
            own = self.entries_by.setdefault(entry["by"], {})
            if sign > 0:
                own[seq] = {"ts": entry["ts"], "exercise_time": entry["exercise_time"], "kind": kind}
            else:
                own.pop(seq, None)
        if kind == "assignment":
            if sign > 0:
                self.assigned[seq] = entry
            else:
                self.assigned.pop(seq, None)
        elif kind == "evaluation":
            key = (entry["objective"], entry["team"], entry.get("task") or "")
            times = self.rated.setdefault(key, {})
            rated = (entry["exercise_time"], entry.get("by") or entry["role"], entry["rating"])
            summary = self.rated_summary.setdefault(key, {"last": None, "latest": {}, "seq": 0})
            if sign > 0 and seq > summary["seq"]:  # the newest of its cell: no need to look back
                times[seq] = rated
                summary["seq"] = seq
                if rated[0] is not None and (summary["last"] is None or rated[0] > summary["last"]):
                    summary["last"] = rated[0]
                summary["latest"][rated[1]] = (seq, rated[2])
                return
            if sign > 0:
                times[seq] = rated
            else:
                times.pop(seq, None)
            stamped = [t for t, _who, _rating in times.values() if t is not None]
            summary["last"] = max(stamped, default=None)
            summary["seq"] = max(times, default=0)
            summary["latest"] = {}
            for kept_seq in sorted(times):
                summary["latest"][times[kept_seq][1]] = (kept_seq, times[kept_seq][2])
        elif kind == "agreed_rating":
            kept = self.agreed.setdefault((entry["objective"], entry["team"], entry.get("task") or ""), {})
            if sign > 0:
                kept[seq] = {k: entry.get(k) for k in ("id", "seq", "ts", "exercise_time", "by", "rating", "rationale")}
            else:
                kept.pop(seq, None)

    def evaluators(self, exercise_time: float | None) -> dict:
        """Return, for each evaluator of the roster, their week of assignments (`schedule`), the one
        that holds now, their last entry, and the team × objective pairs of their assignment now with
        no rating since it began (`gaps`; an objective of None: an assignment naming no objectives, and
        the team not rated at all)."""
        blocks = self.plan + [b for b in map(assignments.live_block, (self.assigned[s] for s in sorted(self.assigned))) if b]
        weeks = assignments.schedule(blocks, self.days)
        found = {}
        for person, role in self.people.items():
            if role not in assignments.ASSIGNABLE:
                continue
            week = weeks.get(person, [])
            now = assignments.current(week, exercise_time)
            gaps = []
            for team in (now or {}).get("teams", []):
                for objective in now["objectives"] or [None]:
                    if not self._rated_since(team, objective, now["from"]):
                        gaps.append([team, objective])
            own = self.entries_by.get(person)
            last = own[max(own)] if own else None
            found[person] = {"schedule": week, "now": dict(now) if now else None, "last": dict(last) if last else None,
                             "gaps": gaps}
        return found

    def _rated_since(self, team: str, objective: str | None, since: float) -> bool:
        """Tell whether `team` has an evaluation against `objective` (any objective: None), of the objective
        as a whole or one of its critical tasks, since exercise time `since`."""
        return any(cell["last"] is not None and cell["last"] >= since
                   for (o, t, _task), cell in self.rated_summary.items() if t == team and objective in (None, o))

    def raters(self) -> dict:
        """Return each evaluator's latest rating per objective, team and critical task ("": the objective as
        a whole), side by side, and whether they lie DISAGREEMENT steps or more apart:
        {objective: {team: {task or "": {"latest": {who: rating}, "disagree"}}}}.  A rating of a task is
        never set against one of the whole objective."""
        found = {}
        for (objective, team, task), summary in self.rated_summary.items():
            latest = {who: rating for who, (_seq, rating) in sorted(summary["latest"].items(), key=lambda kv: kv[1][0])}
            if latest:
                found.setdefault(objective, {}).setdefault(team, {})[task] = {"latest": latest,
                                                                              "disagree": disagree(latest.values())}
        return found

    def agreed_ratings(self) -> dict:
        """Return the agreed ratings that count: {objective: {team: {task id or "" (the objective as a
        whole): the latest agreed rating}}}."""
        found = {}
        for (objective, team, task), kept in self.agreed.items():
            if kept:
                found.setdefault(objective, {}).setdefault(team, {})[task] = dict(kept[max(kept)])
        return found

    def snapshot(self, at: datetime, clock: dict | None = None) -> dict:
        """Return the state as a fresh JSON-ready dict, with the clock read at `at` (or `clock`, the
        live clock as read now)."""
        clock = clock or self.clock.as_dict(at)
        state = {
            "at": iso(at),
            "last_seq": self.last_seq,
            "clock": clock,
            "teams": self.teams,
            "injects": self.injects,
            "objectives": self.coverage,
            "objectives_by_day": self.coverage_days,
            "safety": list(self.safety.values()),
        }
        state = copy.deepcopy(state)
        for entry in state["injects"].values():  # lateness counts play time: the night is not late
            if entry.get("status") in STILL_TO_DO and entry.get("due") is not None:
                entry["due_play"] = self.clock.play_time(entry["due"])
        if self.with_evaluators:  # made afresh for each snapshot: nothing of the folder's to copy
            state.update(evaluators=self.evaluators(clock["exercise_time"]), agreed=self.agreed_ratings(),
                         raters=self.raters())
        return state


def fold(scenario, events, at: datetime, **options) -> dict:
    """Return the state at `at` from a list of `events` (sorted by seq), corrections laid over their
    entries: the plain reference fold that the tests hold the server's incremental states against.

    Every event up to the last one stamped
    at or before `at` (the log as it stood then, even if the wall clock was set back meanwhile);
    options as for StateFolder."""
    at_text = iso(at)
    upto = max((e["seq"] for e in events if e["ts"] <= at_text), default=0)
    folder = StateFolder(scenario, **options)
    for event in effective_events(events):
        if event["seq"] <= upto:
            folder.add(event)
    return folder.snapshot(at)


def moved_by_shift(entry: dict, start: float) -> bool:
    """Tell whether a schedule shift from exercise time `start` moves an inject (its state entry): one
    still to do, due from `start` to the end of that exercise day."""
    due = entry.get("due")
    return entry.get("status") in STILL_TO_DO and due is not None and start <= due < (int(start // DAY) + 1) * DAY


def _cell(table: dict, key: tuple) -> dict:
    """Return the P/S/M/U counts of (objective, team) in a coverage table, made when missing."""
    objective, team = key
    return table.setdefault(objective, {}).setdefault(team, dict.fromkeys(RATINGS, 0))


def disagree(ratings) -> bool:
    """Tell whether ratings of one team against one objective by different evaluators lie
    DISAGREEMENT steps or more apart (P against M, S against U …): the lead evaluator agrees one."""
    steps = [STEPS[r] for r in ratings]
    return len(steps) > 1 and max(steps) - min(steps) >= DISAGREEMENT


def _record_response(entry, action, clock: ExerciseClock):
    """Note a team's response time to a released inject: release to its first answering action.

    Counted in play time when both moments have an exercise time (pauses and jumps do not count),
    else wall time.
    """
    if not entry or entry.get("status") != "released" or action["team"] in entry["responses"]:
        return
    if entry["exercise_time"] is not None and action["exercise_time"] is not None:
        seconds = clock.play_time(action["exercise_time"]) - clock.play_time(entry["exercise_time"])
    else:
        seconds = (parse_iso(action["ts"]) - parse_iso(entry["at"])).total_seconds()
    entry["responses"][action["team"]] = round(max(0.0, seconds), 1)
