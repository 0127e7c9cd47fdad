"""The running exercise: the one write path into the event log, and role-filtered reads of it.

No Flask here.  `submit` checks a payload (shape, scenario ids, permission, live state), stores it,
commits, and only then returns the stored event for the transport to acknowledge and broadcast.
An entry is refused only when it is itself wrong; when the storage fails, the sender is told to
send it again (StorageFault) and the fault is reported to every screen until a write succeeds.
"""

import bisect
import copy
import dataclasses
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import feedback, permissions
from .clock import ClockError, ExerciseClock
from .eventlog import EventLog, StorageFault
from .events import (
    CORRECTABLE,
    FUTURE_TOLERANCE,
    INJECT_STATUS,
    KINDS,
    InvalidEvent,
    Submission,
    build_kind,
    parse_payload,
    placed_time,
    unknown_field,
    unknown_id,
)
from .i18n import _, in_language
from .photos import PhotoStore
from .scenario import Scenario, ScenarioError
from .state import StateFolder, apply_amends, moved_by_shift
from .timefmt import DAY, escaped, exercise_seconds, iso, parse_iso, utc_now

FOLD_SLICE = 1000  # events folded between two yields; a state at a past instant is kept every slice
PAGE_BYTES = 1_000_000  # about this much JSON in one page of events (resume, /api/events)
READ_PAGE = 500  # rows read from the log at a time while a page is filled
CHECK_KINDS = ("clock", *INJECT_STATUS, "retract", "amend", "safety_ack", "request_answer")

# What a released inject carries to its teams: the player-facing part of the MSEL row,
# never the expected actions or the controllers' notes.
INJECT_PLAYER_FIELDS = ("title", "description", "teams", "site", "from", "to", "delivery")
ACTOR_FIELDS = ("actor", "cue")  # who delivers an inject and their line: the control cell's only (real names)
CONTROL_ONLY = ("expected_actions", "controller_notes", *ACTOR_FIELDS)  # MSEL columns players may never read

logger = logging.getLogger("excon")
NOT_STORED = _("the server failed on this entry (a fault in ExCon, written to its log); it was not saved — "
               "write it again, or tell exercise control")


def let_others_run():
    """Yield to the other green threads (a plain sleep(0) under eventlet's monkey patching)."""
    time.sleep(0)


@dataclass
class Receipt:
    event: dict
    duplicate: bool


@dataclass
class _Waiting:
    """A checked payload waiting for the next commit; `result` is its Receipt or the error."""

    sub: Submission
    role: str
    conn: str | None
    on_stored: object
    by: str | None = None  # the person who sent it (None: a shared code, known by its role)
    result: Receipt | Exception | None = None


class Exercise:
    """Hold the scenario, the log and the little live state that checks need.

    now: the wall clock (for `ts`); monotonic: a clock that never steps (for elapsed exercise time),
    by default time.monotonic with the real wall clock, or `now` itself with a test's hand clock.
    """

    def __init__(self, scenario: Scenario, log: EventLog, now=utc_now, monotonic=None):
        self.scenario = scenario
        self.log = log
        self.photos = PhotoStore(f"{log.path}.photos")  # next to the database: copy them with it
        self.photo_access = {}  # role -> photo names it may see (found once, kept)
        self.now = now
        self.monotonic = monotonic or (time.monotonic if now is utc_now else lambda: now().timestamp())
        self.lock = threading.RLock()
        self.queue_lock = threading.Lock()
        self.commit_lock = threading.Lock()  # held by the submit that stores everything queued
        self.queue = []  # submits waiting for the next commit
        self.fault = None  # the storage fault screens are shown, while there is one
        self.on_health = None  # called with health() whenever the fault appears or clears
        self.on_changed = None  # called after every commit that stored something (StatePushes.changed)
        self.live_views = {}  # view key -> (a role with that view, StateFolder kept current)
        self.building = {}  # view key -> lock held while that view is first folded
        self.snapshots = {}  # view key -> [(last seq folded, StateFolder)], for past instants
        self.generation = 0  # corrections stored so far: a fold that saw one arrive keeps nothing
        # view key -> (last seq folded, StateFolder, generation): where the replay last stood, folded on from
        # there when it moves forward (a replay that plays); a lock each, so that one request at a time does
        self.replay_cursors = {}
        self.replay_locks = {}
        self._load_checks()
        self.folded_seq = self.seen_seq  # the last event folded into the live views
        self.clock.anchor(self.now(), self.monotonic(), floor=self.log.max_exercise_time())

    def _load_checks(self) -> None:
        """Build the state the checks need from the log."""
        self.clock = ExerciseClock()
        self.inject_status = {}  # inject id -> 'released' | 'skipped' | 'deferred' | 'recalled'
        self.released_to = {}  # released inject id (MSEL or ad-hoc) -> every team it was ever released to (answers link)
        self.holding = {}  # inject id -> the teams that have it now (none once recalled): what a release or recall meets
        self.amends = {}  # target id -> [amend events, in seq order]
        self.retracted = {}  # target id -> seq of its retract
        self.acknowledged = set()  # safety alert ids
        self.answered = set()  # ids of the requests control has answered
        self.seen_seq = 0  # the last event taken into this state
        last = self.log.last_seq()  # another process may be writing (a relay): stop there
        for event in self.log.since(0, kinds=CHECK_KINDS):
            if event["seq"] <= last:
                self._remember(event, live=False)
        self.seen_seq = last

    def catch_up(self) -> int:
        """Take in the events another process (the writer) stored since this one last looked; return how many.

        Only relays need it: on the writer every event passes through `submit`."""
        with self.lock:
            new = list(self.log.since(self.seen_seq))
            for event in new:
                self._remember(event, live=False)
                self._fold_views(event)
            if any(event["kind"] == "clock" for event in new):  # count on, as the writer does, monotonically
                self.clock.anchor(self.now(), self.monotonic())
            return len(new)

    # --- the clock, read now --------------------------------------------------------------

    def exercise_time_now(self) -> float | None:
        return self.clock.exercise_time(self.now(), self.monotonic())

    def clock_now(self) -> dict:
        return self.clock.as_dict(self.now(), self.monotonic())

    def time_now(self) -> dict:
        """Return the parts of a state that change with time alone: `at` and the clock, read now."""
        return {"at": iso(self.now()), "clock": self.clock_now()}

    # --- writing ---------------------------------------------------------------------------

    def submit(self, payload, role: str, on_stored=None, conn: str | None = None, by: str | None = None) -> Receipt:
        """Check and store one payload from `role`; return its Receipt once it is committed.

        Raises InvalidEvent (nothing stored: the entry itself is wrong) or StorageFault (nothing
        stored: send it again).  on_stored: called with the stored event after the commit and before
        any later event's, so that broadcasts leave in `seq` order.  conn: the connection that sent
        it (kept for audit).  by: the person of the roster who sent it, when they logged in with their
        own code; the event's `by` is then theirs, else the role's.  Submits that arrive while a
        commit is on the disk are stored together in the next one (group commit).
        """
        kind = payload.get("kind") if isinstance(payload, dict) else None
        if kind in KINDS and kind not in permissions.CORRECTIONS:  # before the scenario is consulted:
            reason = permissions.may_submit_kind(role, kind)  # a refusal tells nothing about its ids
            if reason:
                raise InvalidEvent(reason)
        waiting = _Waiting(parse_payload(payload, self.scenario), role, conn, on_stored, by)
        with self.queue_lock:
            self.queue.append(waiting)
        with self.commit_lock:
            if waiting.result is None:  # no commit took it while this one waited: store the queue
                let_others_run()  # first let the other submits that are ready join the queue
                with self.queue_lock:
                    batch, self.queue = self.queue, []
                self._store(batch)
        if isinstance(waiting.result, Exception):
            raise waiting.result
        return waiting.result

    def _store(self, batch: list[_Waiting]) -> None:
        """Store `batch`, give every member its answer, then hand each stored event to its on_stored."""
        with self.lock:
            stored = self._commit_group(batch)
            for event in stored:
                self._fold_views(event)
            faults = [w.result for w in batch if isinstance(w.result, StorageFault)]
            if faults:
                self._set_fault(faults[0])
            elif stored:
                self._set_fault(None)
            for waiting in batch:
                if isinstance(waiting.result, Receipt) and not waiting.result.duplicate and waiting.on_stored:
                    waiting.on_stored(waiting.result.event)
            if stored and self.on_changed:
                try:
                    self.on_changed()
                except Exception:  # the screens' push, not the entries: they are stored and answered
                    logger.exception("scheduling the state push failed")

    def _commit_group(self, batch: list[_Waiting]) -> list[dict]:
        """Store the batch in one commit; if that fails, each member in a commit of its own, so that
        one entry the storage cannot take never costs the others theirs.  Return the stored events."""
        try:
            self.log.check_file()
            return self._commit(batch)
        except StorageFault as fault:
            # Every member sends again, the refused ones too: a refusal may have come from a member
            # that was rolled back (a second release of the same inject); the resend finds the truth.
            for waiting in batch:
                waiting.result = fault
            return []
        except Exception as failure:
            if len(batch) == 1:
                batch[0].result = self._answer_for(failure)
                return []
        stored = []
        for i, waiting in enumerate(batch):
            try:
                stored += self._commit([waiting])
            except StorageFault as fault:  # the storage, not this entry: the rest would fail alike
                for rest in batch[i:]:
                    rest.result = fault
                break
            except Exception as failure:
                waiting.result = self._answer_for(failure)
        return stored

    def _commit(self, members: list[_Waiting]) -> list[dict]:
        """Check and store `members` in one transaction; all or nothing, the checks' state included."""
        undo = []
        try:
            with self.log.transaction():
                for waiting in members:
                    waiting.result = None
                    try:
                        waiting.result = self._store_one(waiting.sub, waiting.role, waiting.conn, undo, waiting.by)
                    except InvalidEvent as e:
                        waiting.result = e
        except BaseException:
            for step in reversed(undo):
                step()
            for waiting in members:
                if isinstance(waiting.result, Receipt):
                    waiting.result = None
            raise
        return [w.result.event for w in members if isinstance(w.result, Receipt) and not w.result.duplicate]

    def _answer_for(self, failure: Exception) -> Exception:
        """Return what a sender is told when storing its entry failed."""
        if isinstance(failure, (StorageFault, InvalidEvent)):
            return failure
        logger.error("an entry could not be stored", exc_info=failure)
        return InvalidEvent(NOT_STORED)

    def _store_one(self, sub: Submission, role: str, conn: str | None, undo: list, by: str | None = None) -> Receipt:
        existing = self.log.get(sub.id)  # within the transaction: finds an earlier copy in the same batch too
        stored_role, by, conn = feedback.stored_identity(self.scenario, sub.fields, role, by, conn) \
            if sub.kind == "feedback" else (role, by, conn)
        if existing is not None:
            if not _same_entry(existing, sub, stored_role):  # never confirm, or pretend to store, someone else's entry
                raise InvalidEvent(_("the id %(id)s is already taken by another entry: every entry needs a new id",
                                     id=sub.id), field="id")
            return Receipt(existing, duplicate=True)
        now = self.now()
        fields = self._check_live(sub, role, now)
        event = {"id": sub.id, "kind": sub.kind, "ts": iso(now), "exercise_time": self._exercise_time(sub, now),
                 "role": stored_role, "by": by or stored_role, "conn": conn}
        if sub.observed_at:
            event["observed_at"] = sub.observed_at
            event["observed_time"] = self._observed_time(sub.observed_at, now, event["exercise_time"])
        if sub.kind == "feedback":
            self._check_feedback(fields, stored_role, by, placed_time(event))
            if stored_role == feedback.ANONYMOUS_ROLE:  # when it was written would match its sender's other entries
                event.pop("observed_at", None)
                event.pop("observed_time", None)
        event.update(fields)
        stored = self.log.append(event)
        undo.append(self._remember(stored, live=True))
        return Receipt(stored, duplicate=False)

    # --- health of the storage --------------------------------------------------------------

    def health(self) -> dict:
        """Return {"ok": …, "storage": the fault (a Message) or None, "since": …} for /healthz and the screens
        (health_in_language gives it in a reader's language)."""
        if self.fault is None:
            return {"ok": True, "storage": None, "since": None}
        return {"ok": False, "storage": self.fault["error"], "since": self.fault["since"]}

    def check_health(self, probe: bool = False) -> dict:
        """Look at the storage (every few seconds, from the writing server): is the database file still
        the one it wrote, and does a write go through (after a fault; with `probe`, in any case: at
        start and now and then, so that a full disk is seen before an entry meets it)?  Return health()."""
        try:
            self.log.check_file()
            if self.fault is not None or probe:
                with self.lock:
                    self.log.heartbeat(iso(self.now()))
                self._set_fault(None)
        except StorageFault as fault:
            self._set_fault(fault)
        return self.health()

    def _set_fault(self, fault: StorageFault | None) -> None:
        if fault is None:
            if self.fault is None or self.fault["lasting"]:
                return
            self.fault = None
            logger.warning("storage: writes go through again")
        else:
            if self.fault is not None and (self.fault["error"] == fault.message or self.fault["lasting"]):
                return
            self.fault = {"error": fault.message, "since": iso(self.now()), "lasting": fault.lasting}
            logger.error("STORAGE FAILING: %s — entries are kept on the phones and sent again%s", fault,
                         "; restart ExCon on a database file that exists" if fault.lasting else "")
        if self.on_health:
            self.on_health(self.health())

    # --- the live checks ---------------------------------------------------------------------

    def _check_live(self, sub: Submission, role: str, now: datetime) -> dict:
        """Check permission and the live state; return the fields to store."""
        fields = dict(sub.fields)
        if sub.kind in permissions.CORRECTIONS:
            target = self._correctable_target(fields["target"], role)
            checked = [target]
            if sub.kind == "amend":
                amended = self._amended(target, sub.changes)
                if target["kind"] == "request" and target["id"] in self.answered and amended["team"] != target["team"]:
                    raise InvalidEvent(_("control has answered this request to team %(team)s: it stays that team's (withdraw "
                                         "it and log the request anew for the other team)", team=target["team"]),
                                       field="team")
                self._check_links(amended["kind"], amended, role)  # as if it were entered now
                self._check_photos(sub.changes.get("photos"))  # checked as a field of its kind by _amended
                checked.append(amended)
                fields.update(sub.changes)
            for version in checked:  # before and after: nobody moves an entry into or out of their reach
                reason = permissions.may_submit(role, version)
                if reason:
                    raise InvalidEvent(_("%(reason)s, so it may not correct this one", reason=reason))
            return fields
        reason = permissions.may_submit(role, {"kind": sub.kind, "role": role, **fields})
        if reason:
            raise InvalidEvent(reason)
        self._check_photos(fields.get("photos"))
        inject = fields.get("inject")
        status = self.inject_status.get(inject)
        if sub.kind == "clock":
            try:
                self.clock.check(fields["op"], self._clock_target(fields), now, self.monotonic())
            except ClockError as e:
                raise InvalidEvent(e.message, field=e.field) from None
        elif sub.kind == "inject":
            if status == "released":
                raise InvalidEvent(_("inject %(inject)s is already released", inject=inject), field="inject")
            if not fields.get("adhoc"):
                row = self.scenario.injects[inject]
                holding = self.holding.get(inject, [])
                again = [t for t in fields.get("teams", ()) if t in holding]
                if again:
                    raise InvalidEvent(_("inject %(inject)s is already released to team %(team)s", inject=escaped(inject),
                                         team=escaped(again[0])), field="teams")
                # to the teams named, else to every team of the row that does not have it yet
                teams = fields.get("teams") or [t for t in row["teams"] if t not in holding]
                fields.update({k: row[k] for k in INJECT_PLAYER_FIELDS}, teams=teams)
        elif sub.kind in ("inject_skip", "inject_defer"):
            if status == "released":
                raise InvalidEvent(_("inject %(inject)s is already released; it can no longer be skipped or deferred",
                                     inject=inject), field="inject")
            now_time = self.clock.exercise_time(now, self.monotonic()) if fields.get("day") is not None else None
            if now_time is not None and exercise_seconds(fields["day"], fields["time"]) < now_time:
                raise InvalidEvent(_("day %(day)s %(time)s is already past: defer it to a later time",
                                     day=fields["day"], time=fields["time"]), field="time")
        elif sub.kind == "inject_recall":
            if not self.holding.get(inject):  # released again to some teams after a recall: those may be recalled
                if status == "recalled":
                    raise InvalidEvent(_("inject %(inject)s is already recalled", inject=escaped(inject)), field="inject")
                raise InvalidEvent(_("inject %(inject)s is not released: there is nothing to recall", inject=escaped(inject))
                                   if status or inject in self.scenario.injects else unknown_id("inject", inject),
                                   field="inject")
            fields["teams"] = self.holding[inject]
        elif sub.kind == "request_answer":
            fields["team"] = self._answerable(fields)["team"]
        elif sub.kind == "schedule_shift":
            self._check_shift(exercise_seconds(fields["day"], fields["time"]), fields["minutes"])
        elif sub.kind == "safety_ack":
            target = self.log.get(fields["target"])
            if target is None or target["kind"] != "safety":
                raise InvalidEvent(_("no safety alert with id '%(target)s'", target=escaped(fields["target"])),
                                   field="target")
            if target["id"] in self.acknowledged:
                raise InvalidEvent(_("that safety alert has already been acknowledged"), field="target")
        elif sub.kind == "assignment":
            if fields.get("day") is None and self.clock.exercise_time(now, self.monotonic()) is None:
                raise InvalidEvent(_("the exercise clock has not started: say which day the assignment is for"),
                                   field="day")
        else:
            self._check_links(sub.kind, fields, role)
        return fields

    def _check_feedback(self, fields: dict, stored_role: str, by: str | None, written: float | None) -> None:
        """Refuse a questionnaire's answer written before it opened, or a named one sent with a shared code
        (whose name would it bear?).  written: the exercise time it was written at."""
        try:
            feedback.check_open(self.scenario, fields["questionnaire"], fields.get("day"), written, self.clock.state == "ended")
        except feedback.FeedbackError as e:
            raise InvalidEvent(e.message, field=e.field) from None
        if stored_role != feedback.ANONYMOUS_ROLE and by is None:
            raise InvalidEvent(_("this questionnaire is answered under your own name: log in with your personal code"),
                               field="questionnaire")

    def _check_shift(self, start: int, minutes: int) -> None:
        """Refuse a schedule shift that would move an inject still to do out of its day (a shift moves the
        rest of one day: play runs late today, tomorrow's MSEL stands)."""
        day_start = start // DAY * DAY
        for inject, entry in self.state_for("director")["injects"].items():
            if moved_by_shift(entry, start) and not day_start <= entry["due"] + minutes * 60 < day_start + DAY:
                raise InvalidEvent(_("shifting by %(minutes)s min would move inject %(inject)s out of day %(day)s "
                                     "(00:00–24:00); a shift moves the rest of one day", minutes=minutes,
                                     inject=escaped(inject), day=start // DAY + 1), field="minutes")

    def _answerable(self, fields: dict) -> dict:
        """Return the request an answer names, as it stands; refuse one that is not a request, withdrawn,
        already answered, or an inject not released to the request's team."""
        stored = self.log.get(fields["request"])
        request = self.version(stored) if stored is not None and stored["kind"] == "request" else None
        if request is None:
            raise InvalidEvent(_("no open request with id '%(request)s'", request=escaped(fields["request"])),
                               field="request")
        if request["id"] in self.answered:
            raise InvalidEvent(_("that request has already been answered"), field="request")
        inject = fields.get("inject")
        if inject is not None and request["team"] not in self.holding.get(inject, ()):
            raise InvalidEvent(_("inject %(inject)s was not released to team %(team)s", inject=escaped(inject),
                                 team=request["team"]) if inject in self.scenario.injects or inject in self.released_to
                               else unknown_id("inject", inject), field="inject")
        return request

    def _check_photos(self, names) -> None:
        """Refuse an entry naming a photo the server does not have: the phone sends its photos first."""
        for name in names or ():
            if not self.photos.has(name):
                raise InvalidEvent(_("photo %(name)s has not reached the server: send the photo before the entry",
                                     name=name[:12]), field="photos")

    def _check_links(self, kind: str, fields: dict, role: str) -> None:
        """Check the inject an action or evaluation answers: released, and for an action to its team.
        A team is told nothing about injects it did not receive, not even whether they exist."""
        inject = fields.get("inject")
        if inject is None:
            return
        teams = self.released_to.get(inject)
        if permissions.role_team(role) is not None:
            if teams is None or fields.get("team") not in teams:
                raise InvalidEvent(_("no inject '%(inject)s' was released to your team", inject=escaped(inject)),
                                   field="inject")
            return
        if teams is None:
            known = inject in self.scenario.injects
            raise InvalidEvent(_("inject %(inject)s has not been released", inject=inject) if known
                               else unknown_id("inject", inject), field="inject")
        if kind == "action" and fields["team"] not in teams:
            raise InvalidEvent(_("inject %(inject)s was not released to team %(team)s", inject=inject,
                                 team=fields["team"]), field="inject")

    def _correctable_target(self, target_id: str, role: str) -> dict:
        """Return the entry a correction names, as it stands now; refuse one the role cannot see."""
        target = self.log.get(target_id)
        current = self.version(target) if target is not None else None
        if current is None or not permissions.may_see(role, current):
            if target is not None and target["id"] in self.retracted and permissions.may_see(role, target):
                raise InvalidEvent(_("that event has already been retracted (withdrawn)"), field="target")
            raise InvalidEvent(_("no entry with id '%(target)s' that you may correct", target=escaped(target_id)),
                               field="target")
        if target["kind"] not in CORRECTABLE:
            raise InvalidEvent(_("%(kind)s events cannot be corrected; only %(kinds)s", kind=target["kind"],
                                 kinds=", ".join(CORRECTABLE)), field="target")
        return current

    def _amended(self, target: dict, changes: dict) -> dict:
        """Return the target with `changes` laid over it, checked as its own kind."""
        cls = KINDS[target["kind"]]
        own = {f.name: target.get(f.name) for f in dataclasses.fields(cls)}
        for key in changes:
            if key not in own:
                raise InvalidEvent(unknown_field(key, target["kind"]), field=str(key)[:50])
        merged = build_kind(cls, {**own, **changes})
        merged.check(self.scenario)
        return {**{k: v for k, v in target.items() if k not in own}, **merged.fields()}  # a field set to null goes

    def _clock_target(self, fields: dict) -> float | None:
        """Return the exercise time a start/resume sets, or None when the clock just goes on."""
        if fields.get("day") is not None:
            return exercise_seconds(fields["day"], fields["time"])
        if fields["op"] == "start":
            return exercise_seconds(1, self.scenario.days[1]["schedule"][0]["start"])
        return None

    def _observed_time(self, observed_at: str, now: datetime, stored_time: float | None) -> float | None:
        """Return the exercise time at `observed_at`, where the entry belongs on timelines; refuse an
        observation in the future or from before the exercise started (a phone's clock gone wrong)."""
        observed = parse_iso(observed_at)
        if (observed - now).total_seconds() > FUTURE_TOLERANCE:
            raise InvalidEvent(_("observed_at %(observed)s is in the future (the server's time is %(now)s): check the "
                                 "device's clock and reload the page", observed=observed_at, now=iso(now)), field="observed_at")
        # The phones stamp by this server's wall clock; if it was stepped since the last clock event (NTP on a
        # laptop that joined a network), the clock's history is in the wall time from before the step.
        observed -= timedelta(seconds=self.clock.wall_step(now, self.monotonic()))
        started = self.clock.started_at
        if started is not None and observed < started:
            raise InvalidEvent(_("observed_at %(observed)s is before the exercise started (%(start)s): check the "
                                 "device's clock", observed=observed_at, start=iso(started)), field="observed_at")
        moment = self.clock.exercise_time_at(observed)
        if moment is None or stored_time is None:
            return None
        return min(moment, stored_time)

    def _exercise_time(self, sub: Submission, now: datetime) -> float | None:
        if sub.kind == "clock":
            target = self._clock_target(sub.fields)
            if target is not None:
                return float(target)
        return self.clock.exercise_time(now, self.monotonic())

    def _remember(self, event: dict, live: bool):
        """Take a stored event into the checks' state; return a function that takes it out again
        (a commit that fails forgets what it changed).  live: stored now by this process."""
        kind, previous_seq = event["kind"], self.seen_seq
        self.seen_seq = max(self.seen_seq, event["seq"])
        steps = []
        if kind == "clock":
            before = dataclasses.replace(self.clock)
            self.clock.apply(event, mono=self.monotonic() if live else None)
            steps.append(lambda: setattr(self, "clock", before))
        elif kind in INJECT_STATUS:
            inject = event["inject"]
            status, teams, ever = self.inject_status.get(inject), self.holding.get(inject), self.released_to.get(inject)
            self.inject_status[inject] = INJECT_STATUS[kind]
            if kind == "inject":  # to some of its teams, or the last of them: the teams that have it
                row = self.scenario.injects.get(inject)
                holding = [*(teams or ()), *event["teams"]]  # a recall leaves none
                self.holding[inject] = holding
                self.released_to[inject] = [*(ever or ()), *(t for t in event["teams"] if t not in (ever or ()))]
                if row is not None and not event.get("adhoc") and any(t not in holding for t in row["teams"]):
                    self.inject_status[inject] = "pending" if status in (None, "skipped") else status
            elif kind == "inject_recall":
                self.holding[inject] = []
            steps.append(lambda: _restore(self.inject_status, inject, status))
            steps.append(lambda: _restore(self.holding, inject, teams))
            steps.append(lambda: _restore(self.released_to, inject, ever))
        elif kind == "safety_ack":
            self.acknowledged.add(event["target"])
            steps.append(lambda: self.acknowledged.discard(event["target"]))
        elif kind == "request_answer":
            self.answered.add(event["request"])
            steps.append(lambda: self.answered.discard(event["request"]))
        elif kind == "retract":
            self.retracted[event["target"]] = event["seq"]
            steps.append(lambda: self.retracted.pop(event["target"], None))
        elif kind == "amend":
            self.amends.setdefault(event["target"], []).append(event)
            steps.append(lambda: self.amends[event["target"]].remove(event))

        def undo():
            for step in steps:
                step()
            self.seen_seq = previous_seq

        return undo

    # --- the live views, kept current event by event ------------------------------------------

    def _fold_views(self, event: dict) -> None:
        """Fold a committed event into every live view; a correction replaces its target's effect."""
        self.folded_seq = max(self.folded_seq, event["seq"])
        for role, folder in self.live_views.values():
            self._fold_live(folder, role, event)
        if event["kind"] in permissions.CORRECTIONS:
            self.generation += 1
            target_seq = self.log.get(event["target"])["seq"]
            for snaps in self.snapshots.values():  # states kept from before the target still hold
                snaps[:] = [snap for snap in snaps if snap[0] < target_seq]

    def _fold_live(self, folder: StateFolder, role: str, event: dict) -> None:
        """Fold one committed event into one live view as `role` sees it."""
        if event["kind"] in permissions.CORRECTIONS:
            target = self.log.get(event["target"])
            _correct(folder, role, self.version(target, event["seq"] - 1), self.version(target, event["seq"]),
                     event["seq"])
            return
        shown = self.view(role, event)
        if shown is not None:
            folder.add(shown)

    def state_for(self, role: str, at: datetime | None = None) -> dict:
        """Return the state at `at` (default now) as `role` may see it.

        The state now comes from a fold kept current event by event (one per kind of view);
        a past instant is folded from the log, from the nearest kept state.
        """
        if at is not None:
            return self._state_at(role, at)
        return self._live_view(role).snapshot(self.now(), clock=self.clock_now())

    def feedback_open_for(self, role: str) -> list | None:
        """Return the questionnaires open now (feedback.open_now) for a role that answers them, else None."""
        if permissions.may_submit_kind(role, "feedback") is not None or "feedback" not in self.scenario.raw:
            return None
        return feedback.open_now(self.scenario, self.clock_now())

    def requests_for(self, role: str) -> list:
        """Return every team request `role` may see that counts, with control's answer and the wait (the
        state carries the open ones and the latest answered only)."""
        return self._live_view(role).all_requests()

    def _live_view(self, role: str) -> StateFolder:
        """Return the fold kept current for `role`'s kind of view, folded from the log the first time."""
        key = self.view_key(role)
        if key not in self.live_views:
            with self.building.setdefault(key, threading.Lock()):
                if key not in self.live_views:
                    self._build_view(role, key)
        return self.live_views[key][1]

    def _build_view(self, role: str, key: tuple) -> None:
        """Fold the log for a new live view, a slice at a time so that other green threads go on.

        The fold runs without the lock, over the events up to `upto` with the corrections known up to
        `upto`; under the lock, what was stored meanwhile is folded in as `_fold_views` would have."""
        upto = self.folded_seq
        folder = StateFolder(self.scenario, correctable=True, **self._fold_options(role))

        def fold_as_it_stood(event):
            if event["kind"] in permissions.CORRECTIONS:  # laid over their entries already: just seen
                if self.view(role, event) is not None:
                    folder.last_seq = max(folder.last_seq, event["seq"])
                return
            version = self.version(event, upto)
            shown = self.view(role, version) if version is not None else None
            if shown is not None:
                folder.add(shown)

        self._walk(0, upto, fold_as_it_stood)
        with self.lock:
            self._walk(upto, self.folded_seq, lambda event: self._fold_live(folder, role, event), pause=False)
            self.live_views[key] = (role, folder)

    def _walk(self, cursor: int, upto: int, each, after_slice=None, pause=True) -> None:
        """Call each(event) for the events after seq `cursor` up to `upto`, read a slice at a time;
        after each whole slice, after_slice(last seq) and (pause) a turn for the other green threads."""
        while cursor < upto:
            batch = list(self.log.since(cursor, limit=FOLD_SLICE))
            for event in batch:
                if event["seq"] > upto:
                    return
                cursor = event["seq"]
                each(event)
            if len(batch) < FOLD_SLICE:
                return
            if after_slice:
                after_slice(cursor)
            if pause:
                let_others_run()

    def view_key(self, role: str) -> tuple:
        """Roles that see the same events share folds."""
        return permissions.role_team(role), tuple(permissions.kinds_seen_in_full(role))

    def _state_at(self, role: str, at: datetime) -> dict:
        """Fold the events stored by `at` (every event up to the last one stamped at or before it, so
        that a wall clock set back mid-exercise still gives a state that existed), starting from where
        the replay last stood when that is at most a slice before (a replay that plays asks instant after
        instant), else from the nearest state kept (one every FOLD_SLICE events), copied."""
        upto = self.log.seq_at(iso(at))
        key = self.view_key(role)
        lock = self.replay_locks.setdefault(key, threading.Lock())
        if not lock.acquire(blocking=False):  # another request folds from the cursor: this one from a kept state
            return self._state_from_kept(role, key, at, upto)[0]
        try:
            generation, last = self.generation, self.replay_cursors.get(key)
            if last is not None and last[2] == generation and last[0] <= upto <= last[0] + FOLD_SLICE:
                folder = last[1]
                self._walk(last[0], upto, lambda event: self._fold_as_it_stands(folder, role, event), pause=False)
                state = folder.snapshot(at)
            else:
                state, folder = self._state_from_kept(role, key, at, upto)
            if generation == self.generation:
                self.replay_cursors[key] = (upto, folder, generation)
            return state
        finally:
            lock.release()

    def _fold_as_it_stands(self, folder: StateFolder, role: str, event: dict) -> None:
        """Fold one stored event into a past state, with every correction known now."""
        shown = self._seen_now(role, event)
        if shown is not None:
            folder.add(shown)
        elif event["kind"] in permissions.CORRECTIONS and self.view(role, event) is not None:
            folder.last_seq = max(folder.last_seq, event["seq"])  # seen, as in the live states

    def _state_from_kept(self, role: str, key: tuple, at: datetime, upto: int) -> tuple[dict, StateFolder]:
        """Return the state at `at` (events up to seq `upto`) and its folder, folded from a copy of the
        nearest state kept for view `key`; keep a state every FOLD_SLICE events on the way."""
        snaps = self.snapshots.setdefault(key, [])
        index = bisect.bisect_right([snap[0] for snap in snaps], upto) - 1
        cursor, kept = snaps[index] if index >= 0 else (0, None)
        folder = copy.deepcopy(kept) if kept else StateFolder(self.scenario, **self._fold_options(role))
        generation = self.generation

        def keep(last_seq):
            if last_seq < upto and generation == self.generation and (not snaps or last_seq > snaps[-1][0]):
                snaps.append((last_seq, copy.deepcopy(folder)))

        self._walk(cursor, upto, lambda event: self._fold_as_it_stands(folder, role, event), after_slice=keep)
        return folder.snapshot(at), folder

    def _fold_options(self, role: str) -> dict:
        team = permissions.role_team(role)
        return {"teams": None if team is None else [team], "pending_injects": team is None,
                "objectives": permissions.may_see(role, {"kind": "evaluation"}),
                "evaluators": permissions.may_see(role, {"kind": "assignment"})}

    # --- reading ---------------------------------------------------------------------------

    def version(self, event: dict, upto: int | None = None) -> dict | None:
        """Return an entry as it stands with the corrections stored up to seq `upto` (default: all);
        None once it is withdrawn."""
        withdrawn = self.retracted.get(event["id"])
        if withdrawn is not None and (upto is None or withdrawn <= upto):
            return None
        amends = self.amends.get(event["id"], ())
        if upto is not None:
            amends = [a for a in amends if a["seq"] <= upto]
        return apply_amends(event, amends)

    def view(self, role: str, event: dict) -> dict | None:
        """Return a stored event as `role` receives it (live, in resume and in /api/events), or None."""
        kind = event["kind"]
        if kind in permissions.CORRECTIONS:
            target = self.log.get(event["target"])
            if target is None:
                return None
            before = self.version(target, event["seq"] - 1)
            after = self.version(target, event["seq"]) if kind == "amend" else None
            return permissions.view_correction(role, event, before, after) if before is not None else None
        target = self.log.get(event["target"]) if kind in permissions.TARGETED else None
        return permissions.view(role, event, target)

    def may_see_photo(self, role: str, name: str) -> bool:
        """Tell whether `role` may see a photo: it reads an entry that shows it (as written or as corrected)."""
        allowed = self.photo_access.setdefault(role, set())
        if name in allowed:
            return True
        for event in self.log.naming_photo(name):
            seen = self.view(role, event)
            if seen and (name in (seen.get("photos") or ()) or name in ((seen.get("entry") or {}).get("photos") or ())):
                allowed.add(name)  # an entry, once stored, stays: a withdrawal leaves the evidence where it was
                return True
        return False

    def deliveries(self, event: dict) -> list[tuple[str, dict]]:
        """Return (role, event as that role receives it) for every role that may receive `event`."""
        found = ((r, self.view(r, event)) for r in permissions.broadcast_order(self.scenario.teams))
        return [(r, v) for r, v in found if v is not None]

    def events_for(self, role: str, since: int = 0, limit: int = 5000) -> tuple[list, int, bool]:
        """Return up to `limit` events after seq `since` that `role` may see (and about PAGE_BYTES of JSON).

        Returns (events, the last seq examined, whether it stopped early): a caller asks again from
        that seq while the last value is true.
        """
        page = min(limit, READ_PAGE)
        return self._collect(role, lambda cursor: list(self.log.since(cursor, limit=page)), since, limit, page)

    def recent_for(self, role: str, limit: int) -> tuple[list, bool]:
        """Return the last `limit` events `role` may see (fewer if they take more than PAGE_BYTES of
        JSON), oldest first, and whether older ones were left out for size."""
        page = min(limit, READ_PAGE)
        found, _cursor, more = self._collect(role, lambda cursor: list(self.log.before(cursor, page)),
                                             self.log.last_seq() + 1, limit, page)
        return found[::-1], more and len(found) < limit

    def recent_until(self, role: str, until: datetime, limit: int) -> tuple[list, bool]:
        """Return the last `limit` events `role` may see that were stored by `until`, oldest first."""
        page = min(limit, READ_PAGE)
        start = self.log.seq_at(iso(until)) + 1
        found, _cursor, more = self._collect(role, lambda cursor: list(self.log.before(cursor, page)), start, limit, page)
        return found[::-1], more and len(found) < limit

    def _collect(self, role, next_page, cursor, limit, page_size):
        """Walk pages of the log from `cursor`, keeping what `role` may see, until `limit`, about
        PAGE_BYTES of JSON, or the end."""
        found, size_so_far = [], 0
        while True:
            batch = next_page(cursor)
            for event in batch:
                shown = self.view(role, event)
                if shown is not None:
                    size = _wire_size(shown)
                    if found and size_so_far + size > PAGE_BYTES:
                        return found, cursor, True
                    found.append(shown)
                    size_so_far += size
                cursor = event["seq"]
                if len(found) == limit:
                    return found, cursor, True
            if len(batch) < page_size:
                return found, cursor, False
            let_others_run()

    def effective(self, role: str, events) -> list:
        """Return `events` as `role` sees them now: withdrawn ones dropped, amends applied."""
        found = []
        for i, event in enumerate(events):
            shown = self._seen_now(role, event)
            if shown is not None:
                found.append(shown)
            if i % FOLD_SLICE == FOLD_SLICE - 1:
                let_others_run()
        return found

    def _seen_now(self, role: str, event: dict) -> dict | None:
        """Return one stored entry as `role` sees it with every correction known now; None if it does
        not count.  Visibility is judged on the entry as it now stands (an action moved to another
        team is that team's)."""
        if event["kind"] in permissions.CORRECTIONS:
            return None
        version = self.version(event)
        return self.view(role, version) if version is not None else None

    def search_for(self, role: str, wanted, limit: int) -> tuple[list, bool]:
        """Return the last `limit` events `role` may see that `wanted` (an EventFilter) matches, as they
        now read (withdrawn ones left out, amends applied), oldest first; and whether older ones may match
        too.  Walks the log from its end a page at a time: a rare match costs one pass over the log."""
        found, cursor, size = [], self.log.last_seq() + 1, 0
        while True:
            batch = list(self.log.before(cursor, READ_PAGE, kinds=wanted.kinds))
            for event in batch:
                cursor = event["seq"]
                shown = self._seen_now(role, event)
                if shown is not None and wanted.matches(shown):
                    size += _wire_size(shown)
                    if found and size > PAGE_BYTES:  # about a megabyte of JSON, as a page of events
                        return found[::-1], True
                    found.append(shown)
                    if len(found) == limit:
                        return found[::-1], True
            if len(batch) < READ_PAGE:
                return found[::-1], False
            let_others_run()

    def marks_for(self, role: str) -> list:
        """Return the moments a replay jumps between, as `role` sees them."""
        return self.effective(role, self.log.marks())

    def evidence_for(self, role: str) -> list:
        """Return every evaluation that counts, with its corrections: the evidence per objective."""
        return self.effective(role, self.log.of_kind("evaluation"))

    def feedback_for(self, role: str) -> list:
        """Return the participants' questionnaire answers that count (feedback.counting), for a role that
        may read them summed up (none receives them one by one: permissions.SEE); an anonymous one without
        its place in the log."""
        if not permissions.may_call(role, "feedback"):
            return []
        return [feedback.unstamped(a) for a in feedback.counting(list(self.log.of_kind("feedback")))]

    def inject_for(self, role: str, inject: str) -> dict:
        """Return what happened to one inject, as `role` sees it now: the decisions on it (released,
        skipped, deferred, in order) and the actions and evaluations that answer it (corrections applied)."""
        found = self.effective(role, self.log.about_inject(inject))
        decisions = [e for e in found if e["kind"] in INJECT_STATUS]
        answers = [e for e in found if e["kind"] not in INJECT_STATUS and e.get("inject") == inject]
        return {"decisions": decisions, "answers": answers}

    def timeline_for(self, role: str, start: float, end: float, bucket: int) -> list[dict]:
        """Return event counts per `bucket` seconds of exercise time, lane and kind, for a zoomed-out timeline."""
        return self.log.bucket_counts(start, end, bucket, permissions.kinds_seen_in_full(role))

    def pages_for(self, role: str):
        """Yield every event `role` may see, a page at a time (for the exports)."""
        cursor, more = 0, True
        while more:
            found, cursor, more = self.events_for(role, cursor, FOLD_SLICE)
            yield from found
            let_others_run()  # a local client reads as fast as we write: the socket alone never waits

    def scenario_for(self, role: str, lang: str | None = None) -> dict:
        """Return the scenario as `role` may read it, its texts in `lang`: teams never read the MSEL;
        the screen (which players walk past) reads it without what control expects of the players;
        neither reads the roster, the evaluators' plan (players never learn who evaluates them) nor
        what a good performance of a critical task looks like (the evaluators' guide); only the control
        cell reads the actors' real names and their cues."""
        raw = self.scenario.in_language(lang or self.scenario.language).raw
        team = permissions.role_team(role) is not None
        if not team and permissions.family(role) != "screen":
            if permissions.may_call(role, "cue_sheet"):
                return raw
            # the evaluators: everything but who the actors really are and what they are told
            return {**{k: v for k, v in raw.items() if k != "actors"},
                    "injects": [{k: v for k, v in row.items() if k not in ACTOR_FIELDS} for row in raw["injects"]]}
        objectives = [{**o, "tasks": [{k: v for k, v in task.items() if k != "description"} for task in o["tasks"]]}
                      for o in raw["objectives"]]
        shown = {k: v for k, v in raw.items() if k not in ("injects", "people", "assignments", "actors")}
        if team:
            return {**shown, "objectives": objectives}
        injects = [{k: v for k, v in row.items() if k not in CONTROL_ONLY} for row in raw["injects"]]
        return {**shown, "objectives": objectives, "injects": injects}


def check_log_fits(scenario: Scenario, log: EventLog) -> None:
    """Refuse to serve a log written for another exercise, or naming ids the scenario no longer has:
    screens and the report would break on them.  The first start stores the exercise's id."""
    written_for = log.setting("scenario_id", lambda: scenario.exercise_id)
    if written_for != scenario.exercise_id:
        raise ScenarioError(_("%(db)s holds the log of exercise '%(written_for)s', not of '%(exercise)s' (exercise.id in "
                              "the scenario file): start with that exercise's scenario, or a new --db", db=log.path,
                              written_for=escaped(written_for), exercise=escaped(scenario.exercise_id)))
    tables = {"team": scenario.teams, "site": scenario.sites, "objective": scenario.objectives,
              "task": scenario.tasks, "action_type": scenario.action_types, "request_kind": scenario.request_kinds,
              "inject": scenario.injects}
    for name, ids in log.referenced_ids().items():
        missing = sorted(str(i) for i in ids - set(tables[name]))
        if missing:
            named = ", ".join(map(repr, missing[:5])) + (" …" if len(missing) > 5 else "")
            raise ScenarioError(_("%(db)s has events about %(name)s %(ids)s, which the scenario no longer has: put them "
                                  "back in the scenario file (ids cannot change once events name them)", db=log.path,
                                  name=name, ids=named))


def health_in_language(health: dict, lang: str) -> dict:
    """Return a health() answer with its storage fault in `lang`."""
    return {**health, "storage": in_language(health["storage"], lang)} if health.get("storage") else health


def _correct(folder: StateFolder, role: str, before: dict | None, after: dict | None, seq: int) -> None:
    """Replace the effect of a corrected entry on one live view (`before` and `after` as stored)."""
    old = permissions.view(role, before) if before is not None else None
    new = permissions.view(role, after) if after is not None else None
    if old is not None or new is not None:
        folder.correct(old, new, seq)


def _same_entry(stored: dict, sub: Submission, role: str) -> bool:
    """Tell whether a submit is a resend of the entry already stored under its id."""
    sent = {**sub.fields, **(sub.changes or {})}
    unstamped = stored["role"] == feedback.ANONYMOUS_ROLE  # an anonymous answer is stored without its observed_at
    return (stored["kind"] == sub.kind and stored["role"] == role and (unstamped or stored.get("observed_at") == sub.observed_at)
            and all(stored.get(k) == v for k, v in sent.items()))


def _restore(table: dict, key, value) -> None:
    if value is None:
        table.pop(key, None)
    else:
        table[key] = value


def _wire_size(value) -> int:
    """About the bytes a value takes as JSON on the wire: its texts (a letter beyond ASCII is written
    as a \\u escape of six), and a little for the rest."""
    if isinstance(value, str):
        return len(value) if value.isascii() else 6 * len(value)
    if isinstance(value, dict):
        return 20 + sum(_wire_size(v) + 10 for v in value.values())
    if isinstance(value, list):
        return sum(_wire_size(v) + 2 for v in value)
    return 10
