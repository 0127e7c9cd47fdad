"""The running exercise: the one write path into the event log, and role-filtered reads of it.

No Flask here.  `submit` checks a payload (shape, scenario ids, permission, live state), stores it,
commits, and only then returns the stored event for the transport to acknowledge and broadcast.
"""

import bisect
import copy
import dataclasses
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import permissions
from .clock import ClockError, ExerciseClock
from .events import CORRECTABLE, INJECT_STATUS, KINDS, InvalidEvent, Submission, build_kind, parse_payload
from .eventlog import EventLog
from .scenario import Scenario
from .state import StateFolder, apply_amends
from .timefmt import exercise_seconds, iso, utc_now

SNAPSHOT_EVERY = 1000  # events between two kept states, for the state at a past instant

# What a released inject carries to its teams: the player-facing part of the MSEL row,
# never the expected actions or the controllers' notes.
INJECT_PLAYER_FIELDS = ("title", "description", "teams", "site", "from", "to", "delivery")


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
    result: Receipt | Exception | None = None


class Exercise:
    """Hold the scenario, the log and the little live state that checks need."""

    def __init__(self, scenario: Scenario, log: EventLog, now=utc_now):
        self.scenario = scenario
        self.log = log
        self.now = now
        self.lock = threading.RLock()
        self.queue_lock = threading.Lock()
        self.commit_lock = threading.Lock()  # held by the submit that stores everything queued
        self.queue = []  # submits waiting for the next commit
        self._load()

    def _load(self) -> None:
        """(Re)build the live state the checks need from the log."""
        self.clock = ExerciseClock()
        self.inject_status = {}  # inject id -> 'released' | 'skipped' | 'deferred'
        self.released_to = {}  # released inject id (MSEL or ad-hoc) -> its target teams
        self.amends = {}  # target id -> [amend events]
        self.retracted = set()
        self.acknowledged = set()  # safety alert ids
        self.live_views = {}  # view key -> (a role with that view, StateFolder kept current)
        self.snapshots = {}  # view key -> [(last seq folded, its ts, StateFolder)], for past instants
        self.seen_seq = 0  # the last event taken into this state
        last = self.log.last_seq()  # another process may be writing (a relay): stop there
        for event in self.log.since(0, kinds=("clock", "inject", "inject_skip", "inject_defer", "retract", "amend",
                                              "safety_ack")):
            if event["seq"] <= last:
                self._remember(event)
        self.seen_seq = last

    def catch_up(self) -> int:
        """Take in the events another process (the writer) stored since this one last looked; return how many.

        Only relays need it: on the writer every event passes through `submit`."""
        with self.lock:
            new = list(self.log.since(self.seen_seq))
            for event in new:
                self._remember(event)
            return len(new)

    # --- writing ---------------------------------------------------------------------------

    def submit(self, payload, role: str, on_stored=None, conn: str | None = None) -> Receipt:
        """Check and store one payload from `role`; raise InvalidEvent (nothing stored) if it may not be.

        on_stored: called with the stored event after the commit and before any later event's, so
        that broadcasts leave in `seq` order.  conn: the connection that sent it (kept for audit).
        Submits that arrive while a commit is on the disk are stored together in the next one (group
        commit): each still returns only once its event is committed.
        """
        waiting = _Waiting(parse_payload(payload, self.scenario), role, conn, on_stored)
        with self.queue_lock:
            self.queue.append(waiting)
        with self.commit_lock:
            if waiting.result is None:  # no commit took it while this one waited: store the queue
                time.sleep(0)  # first let the other submits that are ready join the queue (a green yield)
                with self.queue_lock:
                    batch, self.queue = self.queue, []
                self._store(batch)
        if isinstance(waiting.result, Exception):
            raise waiting.result
        return waiting.result

    def _store(self, batch: list["_Waiting"]) -> None:
        """Check and store `batch` in one transaction, then hand each stored event to its on_stored."""
        with self.lock:
            try:
                with self.log.transaction():
                    for waiting in batch:
                        try:
                            waiting.result = self._store_one(waiting.sub, waiting.role, waiting.conn)
                        except InvalidEvent as e:
                            waiting.result = e
            except Exception as e:  # nothing of the batch is stored: forget what it changed, all resend
                self._load()
                for waiting in batch:
                    waiting.result = e if not isinstance(waiting.result, InvalidEvent) else waiting.result
                raise
            for waiting in batch:
                if isinstance(waiting.result, Receipt) and not waiting.result.duplicate and waiting.on_stored:
                    waiting.on_stored(waiting.result.event)

    def _store_one(self, sub: Submission, role: str, conn: str | None) -> Receipt:
        existing = self.log.get(sub.id)  # within the transaction: finds an earlier copy in the same batch too
        if existing is not None:
            return Receipt(existing, duplicate=True)
        now = self.now()
        fields = self._check_live(sub, role, now)
        event = {"id": sub.id, "kind": sub.kind, "ts": iso(now),
                 "exercise_time": self._exercise_time(sub, now), "role": role, "conn": conn}
        if sub.observed_at:
            event["observed_at"] = sub.observed_at
        event.update(fields)
        stored = self.log.append(event)
        self._remember(stored)
        return Receipt(stored, duplicate=False)

    def _check_live(self, sub: Submission, role: str, now: datetime) -> dict:
        """Check permission and the live state; return the fields to store."""
        fields = dict(sub.fields)
        if sub.kind in ("retract", "amend"):
            target = self._correctable_target(fields["target"])
            checked = [target]
            if sub.kind == "amend":
                checked.append(self._amended(target, sub.changes))
                fields.update(sub.changes)
            for version in checked:  # before and after: nobody moves an entry into or out of their reach
                reason = permissions.may_submit(role, version)
                if reason:
                    raise InvalidEvent(f"{reason}, so it may not correct this one")
            return fields
        reason = permissions.may_submit(role, {"kind": sub.kind, "role": role, **fields})
        if reason:
            raise InvalidEvent(reason)
        inject = fields.get("inject")
        status = self.inject_status.get(inject)
        if sub.kind == "clock":
            try:
                self.clock.check(fields["op"], self._clock_target(fields), now)
            except ClockError as e:
                raise InvalidEvent(str(e)) from None
        elif sub.kind == "inject":
            if status == "released":
                raise InvalidEvent(f"inject {inject} is already released")
            if not fields.get("adhoc"):
                row = self.scenario.injects[inject]
                fields.update({k: row[k] for k in INJECT_PLAYER_FIELDS})
        elif sub.kind in ("inject_skip", "inject_defer"):
            if status == "released":
                raise InvalidEvent(f"inject {inject} is already released; it can no longer be skipped or deferred")
        elif sub.kind == "safety_ack":
            target = self.log.get(fields["target"])
            if target is None or target["kind"] != "safety":
                raise InvalidEvent(f"no safety alert with id {fields['target']!r}")
            if target["id"] in self.acknowledged:
                raise InvalidEvent("that safety alert has already been acknowledged")
        elif inject is not None:  # an action or evaluation that links an inject
            if inject not in self.released_to:
                known = inject in self.scenario.injects
                raise InvalidEvent(f"inject {inject} has not been released" if known else f"unknown inject {inject!r}")
            if sub.kind == "action" and fields["team"] not in self.released_to[inject]:
                raise InvalidEvent(f"inject {inject} was not released to team {fields['team']}")
        return fields

    def _correctable_target(self, target_id: str) -> dict:
        target = self.log.get(target_id)
        if target is None:
            raise InvalidEvent(f"no event with id {target_id!r} to correct")
        if target["kind"] not in CORRECTABLE:
            raise InvalidEvent(f"{target['kind']} events cannot be corrected; only {', '.join(CORRECTABLE)}")
        if target["id"] in self.retracted:
            raise InvalidEvent("that event has already been retracted")
        return apply_amends(target, self.amends.get(target["id"], ()))

    def _amended(self, target: dict, changes: dict) -> dict:
        """Return the target with `changes` laid over it, checked as its own kind."""
        cls = KINDS[target["kind"]]
        own = {f.name: target.get(f.name) for f in dataclasses.fields(cls)}
        for key in changes:
            if key not in own:
                raise InvalidEvent(f"unknown field {str(key)[:50]!r} for kind {target['kind']!r}")
        merged = build_kind(cls, {**own, **changes})
        merged.check(self.scenario)
        return {**target, **merged.fields()}

    def _clock_target(self, fields: dict) -> float | None:
        """Return the exercise time a start/resume sets, or None when the clock just goes on."""
        if fields.get("day") is not None:
            return exercise_seconds(fields["day"], fields["time"])
        if fields["op"] == "start":
            return exercise_seconds(1, self.scenario.days[1]["schedule"][0]["start"])
        return None

    def _exercise_time(self, sub: Submission, now: datetime) -> float | None:
        if sub.kind == "clock":
            target = self._clock_target(sub.fields)
            if target is not None:
                return float(target)
        return self.clock.exercise_time(now)

    def _remember(self, event: dict) -> None:
        self.seen_seq = max(self.seen_seq, event["seq"])
        kind = event["kind"]
        if kind == "clock":
            self.clock.apply(event)
        elif kind in ("inject", "inject_skip", "inject_defer"):
            self.inject_status[event["inject"]] = INJECT_STATUS[kind]
            if kind == "inject":
                self.released_to[event["inject"]] = event["teams"]
        elif kind == "safety_ack":
            self.acknowledged.add(event["target"])
        elif kind == "retract":
            self.retracted.add(event["target"])
        elif kind == "amend":
            self.amends.setdefault(event["target"], []).append(event)
        if kind in permissions.CORRECTIONS:
            self.live_views.clear()  # a correction reaches into the past: fold again when asked
            target = self.log.get(event["target"])
            for snaps in self.snapshots.values():  # states kept from before the target still hold
                snaps[:] = [snap for snap in snaps if snap[0] < target["seq"]]
        else:
            for role, folder in self.live_views.values():
                if self.view(role, event) is not None:
                    folder.add(event)

    # --- reading ---------------------------------------------------------------------------

    def view(self, role: str, event: dict) -> dict | None:
        """Return `event` as `role` receives it, or None (a correction is judged by its target)."""
        return permissions.view(role, event, self._target_of(event))

    def deliveries(self, event: dict) -> list[tuple[str, dict]]:
        """Return (role, event as that role receives it) for every role that may receive `event`."""
        target = self._target_of(event)
        found = ((r, permissions.view(r, event, target)) for r in permissions.broadcast_order(self.scenario.teams))
        return [(r, v) for r, v in found if v is not None]

    def _target_of(self, event: dict) -> dict | None:
        return self.log.get(event["target"]) if event["kind"] in permissions.TARGETED else None

    def events_for(self, role: str, since: int = 0, limit: int = 5000) -> tuple[list, int, bool]:
        """Return up to `limit` events after seq `since` that `role` may see.

        Returns (events, the last seq examined, whether it stopped at `limit`): a caller asks
        again from that seq while the last value is true.
        """
        return self._collect(role, lambda cursor: list(self.log.since(cursor, limit=limit)), since, limit, limit)

    def recent_for(self, role: str, limit: int) -> list:
        """Return the last `limit` events `role` may see, oldest first."""
        page = max(limit, 200)
        found, _, _ = self._collect(role, lambda cursor: list(self.log.before(cursor, page)),
                                    self.log.last_seq() + 1, limit, page)
        return found[::-1]

    def _collect(self, role, next_page, cursor, limit, page_size):
        """Walk pages of the log from `cursor`, keeping what `role` may see, until `limit` or the end."""
        found = []
        while True:
            batch = next_page(cursor)
            for event in batch:
                cursor = event["seq"]
                shown = self.view(role, event)
                if shown is not None:
                    found.append(shown)
                    if len(found) == limit:
                        return found, cursor, True
            if len(batch) < page_size:
                return found, cursor, False

    def recent_until(self, role: str, until: datetime, limit: int) -> list:
        """Return the last `limit` events `role` may see that were stored by `until`, oldest first."""
        page = max(limit, 200)
        start = self.log.seq_before(iso(until + timedelta(microseconds=1))) + 1
        found, _, _ = self._collect(role, lambda cursor: list(self.log.before(cursor, page)), start, limit, page)
        return found[::-1]

    def effective(self, role: str, events) -> list:
        """Return `events` as `role` sees them now: retracted ones dropped, amends applied."""
        return [shown for shown in (self._seen_now(role, e) for e in events) if shown is not None]

    def _seen_now(self, role: str, event: dict) -> dict | None:
        """Return one stored event as `role` sees it with every correction known now; None if it does not count."""
        if event["kind"] in permissions.CORRECTIONS or event["id"] in self.retracted:
            return None
        shown = self.view(role, event)
        return apply_amends(shown, self.amends.get(event["id"], ())) if shown is not None else None

    def marks_for(self, role: str) -> list:
        """Return the moments a replay jumps between, as `role` sees them."""
        return self.effective(role, self.log.marks())

    def evidence_for(self, role: str) -> list:
        """Return every evaluation that counts, with its corrections: the evidence per objective."""
        return self.effective(role, self.log.of_kind("evaluation"))

    def timeline_for(self, role: str, start: float, end: float, bucket: int) -> list[dict]:
        """Return event counts per `bucket` seconds of exercise time, lane and kind, for a zoomed-out timeline."""
        return self.log.bucket_counts(start, end, bucket, permissions.kinds_seen_in_full(role))

    def state_for(self, role: str, at: datetime | None = None) -> dict:
        """Return the state at `at` (default now) as `role` may see it.

        The state now comes from a fold kept current event by event (one per kind of view);
        a past instant is folded from the log.
        """
        if at is not None:
            return self._state_at(role, at)
        with self.lock:
            key = self._view_key(role)
            if key not in self.live_views:
                folder = StateFolder(self.scenario, **self._fold_options(role))
                for event in self.effective(role, self.log.since(0)):
                    folder.add(event)
                self.live_views[key] = (role, folder)
            return self.live_views[key][1].snapshot(self.now())

    def _view_key(self, role: str) -> tuple:
        """Roles that see the same events share folds."""
        return permissions.role_team(role), tuple(permissions.kinds_seen_in_full(role))

    def _state_at(self, role: str, at: datetime) -> dict:
        """Fold from the last kept state before `at`, keeping a state every SNAPSHOT_EVERY events."""
        at_text = iso(at)
        with self.lock:
            snaps = self.snapshots.setdefault(self._view_key(role), [])
            seq, ts, folder = snaps[-1] if snaps else (0, "", None)
            if ts <= at_text:  # extend the kept states up to `at`
                folder = copy.deepcopy(folder) if folder else StateFolder(self.scenario, **self._fold_options(role))
                while True:
                    batch = list(self.log.since(seq, limit=SNAPSHOT_EVERY))
                    if not batch or batch[0]["ts"] > at_text:
                        break
                    for event in batch:
                        if event["ts"] > at_text:
                            break
                        seq, ts = event["seq"], event["ts"]
                        self._fold_one(role, folder, event)
                    else:
                        if len(batch) == SNAPSHOT_EVERY:
                            snaps.append((seq, ts, copy.deepcopy(folder)))
                            continue
                    break
                return folder.snapshot(at)
            index = bisect.bisect_right([snap[1] for snap in snaps], at_text) - 1
            seq, ts, kept = snaps[index] if index >= 0 else (0, "", None)
            folder = copy.deepcopy(kept) if kept else StateFolder(self.scenario, **self._fold_options(role))
            for event in self.log.since(seq, limit=SNAPSHOT_EVERY):
                if event["ts"] > at_text:
                    break
                self._fold_one(role, folder, event)
            return folder.snapshot(at)

    def _fold_one(self, role: str, folder: StateFolder, event: dict) -> None:
        """Fold one stored event as `role` sees it, with every correction known now."""
        shown = self._seen_now(role, event)
        if shown is not None:
            folder.add(shown)

    def _fold_options(self, role: str) -> dict:
        team = permissions.role_team(role)
        return {"teams": None if team is None else [team], "pending_injects": team is None,
                "objectives": permissions.may_see(role, {"kind": "evaluation"})}

    def scenario_for(self, role: str) -> dict:
        """Return the scenario as `role` may read it: teams never read the MSEL."""
        if permissions.role_team(role) is None:
            return self.scenario.raw
        return {k: v for k, v in self.scenario.raw.items() if k != "injects"}
