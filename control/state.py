"""Fold events into the state of the exercise at an instant, with every correction applied.

Corrections are read from the whole list, also those recorded after the instant: a retracted
event never counts, and an amended one counts with its corrected fields, at its own time.
"""

import copy
import statistics
from datetime import datetime

from . import assignments
from .clock import ExerciseClock
from .events import INJECT_STATUS, RATINGS, STORED_ENVELOPE, placed_time
from .scenario import conditions
from .timefmt import DAY, exercise_seconds, iso, parse_iso, split_exercise_time

OVERDUE_AFTER = 10 * 60  # exercise seconds past its time before an inject still to do counts as overdue
STEPS = {letter: step for step, letter in enumerate(RATINGS)}  # P 0, S 1, M 2, U 3
ANSWERED_SHOWN = 20  # answered requests a state carries (the latest): the queue is the open ones, the rest is history
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
        # team -> {"moves": {seq: (site, when, exercise time)}, "actions": {seq: (ts, exercise time, inject)}}: the times
        # where each belongs (when it was observed)
        self.kept = {t: {"moves": {}, "actions": {}} for t in team_ids} if correctable else None
        self.moved = {}  # team -> (placed time, seq) of the move it is at: the one observed last, though it arrived first
        self.injects = {}
        if pending_injects:
            self.injects = {i: {"status": "pending", "day": inj["day"], "time": inj["time"],
                                "due": exercise_seconds(inj["day"], inj["time"])}
                            for i, inj in scenario.injects.items()}
        self.msel_teams = {i: list(inj["teams"]) for i, inj in scenario.injects.items()}
        # inject -> what it waits for, each team on its own (scenario.conditions): the staff's boards only
        self.conditions = {i: c for i, c in ((i, conditions(inj)) for i, inj in scenario.injects.items()) if c} \
            if pending_injects else {}
        self.watched = {(key, c[key]) for cs in self.conditions.values() for c in cs
                        for key in ("action_type", "answers") if key in c}
        self.met = {}  # ("action_type" | "answers", id, team) -> {seq: exercise time} of the actions that meet it
        self.with_objectives = objectives
        self.coverage = ({o: {t: dict.fromkeys(RATINGS, 0) for t in team_ids} for o in scenario.objectives}
                         if objectives else {})
        self.coverage_days = {}  # exercise day -> the same counts, of that day's evaluations only
        self.clock = ExerciseClock()
        self.last_seq = 0
        self.safety = {}  # open alerts by id
        self.requests = {}  # request id -> the team's request to control, with control's answer once it came
        self.requests_seen = (0, None)  # (changes to `requests` so far, what snapshots show of them then)
        self.requests_changes = 0
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

    def __deepcopy__(self, memo):
        """Copy a folder (a kept state for past instants): its largest tables — a week's moves, actions and
        ratings — hold tuples, which are never changed, only replaced; they are copied a level deep, not
        element by element (a week's copy took 0.2 s, most of each replay frame)."""
        new = object.__new__(type(self))
        memo[id(self)] = new
        for name, value in self.__dict__.items():
            if name == "kept" and value is not None:  # team -> {"moves"|"actions": {seq: tuple}}
                new.kept = {team: {table: dict(rows) for table, rows in tables.items()} for team, tables in value.items()}
            elif name == "rated":  # (objective, team, task) -> {seq: (time, who, rating)}
                new.rated = {key: dict(rows) for key, rows in value.items()}
            else:
                setattr(new, name, copy.deepcopy(value, memo))
        return new

    def add(self, event: dict) -> None:
        """Fold one effective event (never a retract or amend: see effective_events)."""
        self.last_seq = max(self.last_seq, event["seq"])
        kind, team = event["kind"], event.get("team")
        if self.with_evaluators:
            self._add_evaluators(event, 1)
        if kind == "clock":
            self.clock.apply(event)
        elif kind == "move" and team in self.teams:
            if _move_key(event["seq"], placed_time(event)) > self.moved.get(team, (-1, -1)):
                self.moved[team] = _move_key(event["seq"], placed_time(event))
                self.teams[team].update(site=event["site"], since=event.get("observed_at") or event["ts"],
                                        since_exercise_time=placed_time(event))
            if self.kept is not None:
                self.kept[team]["moves"][event["seq"]] = (event["site"], event.get("observed_at") or event["ts"],
                                                          placed_time(event))
        elif kind == "action" and team in self.teams:
            self.teams[team]["actions"] += 1
            self.teams[team]["last_action"] = event["ts"]
            _record_response(self.injects.get(event.get("inject")), event, self.clock)
            self._note_condition(event, 1)
            if self.kept is not None:
                self.kept[team]["actions"][event["seq"]] = (event["ts"], placed_time(event), event.get("inject"))
        elif kind in INJECT_STATUS:
            entry = self.injects.setdefault(event["inject"], {})
            moment = {"at": event["ts"], "exercise_time": event["exercise_time"], "seq": event["seq"]}
            if kind == "inject":
                self._release(entry, event, moment)
                return
            entry.update(status=INJECT_STATUS[kind], **moment)
            if kind == "inject_recall":  # back on the board, still to do; what was answered stays in the log
                entry.update(reason=event.get("reason"), responses={}, released={})  # a team reads no reason
                if entry.get("adhoc"):  # an ad-hoc inject has no time of its own to fall due again at
                    entry["due"] = None
            else:
                entry["reason"] = event["reason"]
                if event.get("day") is not None:  # deferred to a new time: due then
                    entry.update(day=event["day"], time=event["time"][:5], due=exercise_seconds(event["day"], event["time"]))
        elif kind == "schedule_shift":
            self._shift(exercise_seconds(event["day"], event["time"]), event["minutes"] * 60)
        elif kind == "evaluation" and self.with_objectives and team in self.teams:
            self._count_rating(event, 1)
        elif kind == "request" and team in self.teams:
            self._add_request(event)
        elif kind == "request_answer":
            self._answer(event)
        elif kind == "safety":
            self.safety[event["id"]] = {k: event.get(k) for k in ("id", "seq", "ts", "role", "text", "site")}
        elif kind == "safety_ack":
            self.safety.pop(event["target"], None)

    def _release(self, entry: dict, event: dict, moment: dict) -> None:
        """Fold a release: to all of an inject's teams, or to some of them (the others still to do)."""
        released = entry.setdefault("released", {})  # team -> (seq, ts, exercise time) of its release, a tuple:
        for team in event.get("teams", []):  # every snapshot copies the state, and a tuple of numbers copies cheaply
            released[team] = (event["seq"], event["ts"], event["exercise_time"])
        responses = entry.setdefault("responses", {})
        for team in event.get("teams", []):
            responses.pop(team, None)
        entry.pop("reason", None)  # a skip's, deferral's or recall's reason no longer holds once it is out
        planned = self.msel_teams.get(event["inject"]) if not event.get("adhoc") else None
        entry.update(moment, title=event.get("title"),
                     teams=[t for t in planned if t in released] if planned else event.get("teams", []))
        if planned is None or all(t in released for t in planned if t in self.teams):
            entry["status"] = "released"
        elif entry.get("status") in (None, "skipped"):  # some teams have it: the others still to do
            entry["status"] = "pending"
        if event.get("adhoc"):
            entry["adhoc"] = True
            if event["exercise_time"] is not None:  # on the board at the moment it went out
                day, time = split_exercise_time(event["exercise_time"])
                entry.update(day=day, time=time[:5], due=event["exercise_time"])

    def _add_request(self, event: dict) -> None:
        """Keep a team's request (its text only where the view has it: the screen reads none)."""
        self.requests_changes += 1
        self.requests[event["id"]] = {**{k: event.get(k) for k in ("id", "seq", "ts", "exercise_time", "team", "request_kind",
                                                                   "site", "by") if event.get(k) is not None},
                                      "text": event.get("text"), "answer": None}

    def _answer(self, event: dict) -> None:
        """Note control's answer to a request, and how long the team waited for it (in play time)."""
        request = self.requests.get(event["request"])
        if request is None:  # withdrawn meanwhile, or not this view's
            return
        self.requests_changes += 1
        request["answer"] = {k: event.get(k) for k in ("id", "seq", "ts", "exercise_time", "text", "inject", "by")
                             if event.get(k) is not None}
        request["answer"].setdefault("text", None)
        request["response"] = _waited(request, event, self.clock)

    def _requests_shown(self) -> tuple[dict, dict]:
        """Return the requests a state carries — every open one, and the ANSWERED_SHOWN answered last (a week
        holds hundreds; every push would copy them all) — and the sums per team; worked out again only
        once they changed."""
        changes, shown = self.requests_seen
        if shown is None or changes != self.requests_changes:
            answered = sorted((r for r in self.requests.values() if r["answer"] is not None),
                              key=lambda r: r["answer"]["seq"])
            shown = ({r["id"]: r for r in self.requests.values() if r["answer"] is None}
                     | {r["id"]: r for r in answered[-ANSWERED_SHOWN:]}, requests_by_team(self.requests))
            self.requests_seen = (self.requests_changes, shown)
        return shown

    def all_requests(self) -> list:
        """Return every request that counts, with its answer and wait, in the order asked (the report's list)."""
        return copy.deepcopy(sorted(self.requests.values(), key=lambda r: r["seq"]))

    def _note_condition(self, action: dict, sign: int) -> None:
        """Count (sign 1) or take back (-1) an action some inject's condition waits for."""
        for key, value in (("action_type", action.get("action_type")), ("answers", action.get("inject"))):
            if (key, value) in self.watched:
                times = self.met.setdefault((key, value, action["team"]), {})
                if sign > 0:
                    times[action["seq"]] = placed_time(action)  # when the team did it, though sent later
                else:
                    times.pop(action["seq"], None)

    def _met_at(self, condition: dict, team: str) -> float | None:
        """Return the exercise time at which `team` met a condition (0: before the clock started), or None."""
        if "after" in condition:
            out = self.injects.get(condition["after"], {}).get("released", {}).get(team)
            return None if out is None else out[2] or 0
        key = "action_type" if "action_type" in condition else "answers"
        times = self.met.get((key, condition[key], team)) or {}
        if key == "answers":  # an answer to the team's release now: one to a release since recalled does not count
            out = self.injects.get(condition["answers"], {}).get("released", {}).get(team)
            times = {seq: t for seq, t in times.items() if out is not None and seq > out[0]}
        return times[min(times)] or 0 if times else None  # the first that counts, in the order logged

    def _teams_due(self, inject: str, entry: dict) -> dict:
        """Return, for each team a conditional inject still has to go to, when it falls due for that team
        (its MSEL time at the earliest; None while it waits) and what it still waits for."""
        found = {}
        for team in self.msel_teams[inject]:
            if team in entry.get("released", {}):
                continue
            due, waiting_on = entry["due"], []
            for condition in self.conditions[inject]:
                met = self._met_at(condition, team)
                if met is None:
                    waiting_on.append(condition)
                else:
                    due = max(due, met + condition["minutes"] * 60)
            found[team] = {"due": None, "waiting_on": waiting_on} if waiting_on else \
                {"due": due, "due_play": self.clock.play_time(due), "waiting_on": []}
        return found

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
        if (old or new or {}).get("kind") == "request":  # withdrawn, or corrected: its answer stays with it
            kept = self.requests.pop((old or new)["id"], None)
            self.requests_changes += 1
            if new is not None and new.get("team") in self.teams:
                self._add_request(new)
                if kept and kept["answer"]:
                    self.requests[new["id"]].update(answer=kept["answer"], response=kept.get("response"))
        touched, answers = set(), set()
        for version, sign in ((old, -1), (new, 1)):
            if version is None or version.get("team") not in self.teams:
                continue
            kind, team, entry_seq = version["kind"], version["team"], version["seq"]
            if kind == "action":
                self._note_condition(version, sign)
            if kind in ("move", "action"):
                kept = self.kept[team]["moves" if kind == "move" else "actions"]
                if sign < 0:
                    kept.pop(entry_seq, None)
                elif kind == "move":
                    kept[entry_seq] = (version["site"], version.get("observed_at") or version["ts"], placed_time(version))
                else:
                    kept[entry_seq] = (version["ts"], placed_time(version), version.get("inject"))
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
            last = max(moves, key=lambda seq: _move_key(seq, moves[seq][2])) if moves else None
            site, since, since_exercise_time = moves[last] if moves else (self.home[team], None, None)
            if moves:
                self.moved[team] = _move_key(last, since_exercise_time)
            else:
                self.moved.pop(team, None)
            self.teams[team].update(site=site, since=since, since_exercise_time=since_exercise_time, actions=len(actions),
                                    last_action=actions[max(actions)][0] if actions else None)
        for inject, team in answers:
            entry = self.injects.get(inject)
            if not entry or team not in entry.get("released", {}):
                continue
            entry["responses"].pop(team, None)
            answering = [s for s, (_, _, linked) in self.kept[team]["actions"].items()
                         if linked == inject and s > entry["released"][team][0]]
            for seq in answering:  # the first made counts (_record_response keeps the shortest)
                ts, exercise_time, _ = self.kept[team]["actions"][seq]
                _record_response(entry, {"team": team, "ts": ts, "exercise_time": exercise_time}, self.clock)

    def _add_evaluators(self, entry: dict, sign: int) -> None:
        """Count (sign 1) or take back (-1) what an entry adds to the evaluators' part of the state."""
        kind, seq = entry["kind"], entry["seq"]
        if entry.get("by") in self.people:  # a withdrawn entry no longer counts as the person's last
            own = self.entries_by.setdefault(entry["by"], {})
            if sign > 0:
                own[seq] = {"ts": entry["ts"], "exercise_time": placed_time(entry), "kind": kind}
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
            rated = (placed_time(entry), entry.get("by") or entry["role"], entry["rating"])
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
            "requests": self._requests_shown()[0],
            "requests_by_team": self._requests_shown()[1],
        }
        state = copy.deepcopy(state)
        for inject, entry in state["injects"].items():  # lateness counts play time: the night is not late
            if "released" in entry:  # each team's release, as its exercise time
                entry["released"] = {team: out[2] for team, out in entry["released"].items()}
            if entry.get("status") in STILL_TO_DO and entry.get("due") is not None:
                entry["due_play"] = self.clock.play_time(entry["due"])
                if inject in self.conditions:  # due team by team, as each meets what it waits for
                    entry["teams_due"] = self._teams_due(inject, entry)
                    dues = [t["due_play"] for t in entry["teams_due"].values() if t["due"] is not None]
                    entry["due_play"] = min(dues, default=None)
                    if not dues:
                        entry["waiting"] = True
                        del entry["due_play"]
        for request in state["requests"].values():  # how long an open request waits counts play time too
            if request["answer"] is None and request.get("exercise_time") is not None:
                request["asked_play"] = self.clock.play_time(request["exercise_time"])
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


def requests_by_team(requests: dict) -> dict:
    """Return, per team, how many requests it sent, how many control answered and how fast (the median and
    the longest wait, seconds of play time), and how many are still open: the debrief's and the report's table."""
    found = {}
    for request in requests.values():
        row = found.setdefault(request["team"], {"asked": 0, "answered": 0, "open": 0, "waits": []})
        row["asked"] += 1
        if request["answer"] is None:
            row["open"] += 1
        else:
            row["answered"] += 1
            row["waits"].append(request["response"])
    for row in found.values():
        waits = sorted(row.pop("waits"))
        row["median"] = statistics.median(waits) if waits else None
        row["longest"] = waits[-1] if waits else None
    return found


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


def _waited(request: dict, answer: dict, clock: ExerciseClock) -> float:
    """Return how long a team waited for control's answer to its request: play time where both moments
    have an exercise time (pauses and nights do not count), else wall time."""
    if request.get("exercise_time") is not None and answer["exercise_time"] is not None:
        seconds = clock.play_time(answer["exercise_time"]) - clock.play_time(request["exercise_time"])
    else:
        seconds = (parse_iso(answer["ts"]) - parse_iso(request["ts"])).total_seconds()
    return round(max(0.0, seconds), 1)


def _move_key(seq: int, placed: float | None) -> tuple:
    """Order a team's moves by when they were made (a move kept offline comes before one sent since), then by seq."""
    return (-1 if placed is None else placed, seq)


def _record_response(entry, action, clock: ExerciseClock):
    """Note a team's response time to a released inject: release to its first answering action.

    Counted in play time when both moments have an exercise time (pauses and jumps do not count),
    else wall time.
    """
    if not entry or action["team"] not in entry.get("released", {}):
        return
    _seq, at, exercise_time = entry["released"][action["team"]]  # this team's: teams may get it at different times
    answered = placed_time(action)  # when the team did it, though its tablet sent it later
    if exercise_time is not None and answered is not None:
        seconds = clock.play_time(answered) - clock.play_time(exercise_time)
    else:
        seconds = (parse_iso(action["ts"]) - parse_iso(at)).total_seconds()
    seconds = round(max(0.0, seconds), 1)
    # the first answer made, though a later one arrived first (an action kept on a tablet offline)
    if action["team"] not in entry["responses"] or seconds < entry["responses"][action["team"]]:
        entry["responses"][action["team"]] = seconds
