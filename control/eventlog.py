"""The append-only event log in one SQLite file.

Table `events`: one row per event, never updated or deleted (two triggers refuse it); the kind's
fields are kept as JSON in `body` and put back at the top level when read.  Table `codes` keeps
the access codes and `settings` the session secret, so that both survive a restart.
"""

import errno
import fcntl
import json
import os
import re
import sqlite3
import threading
import time
from contextlib import contextmanager

import sqlite_utils

from .events import STORED_ENVELOPE as ENVELOPE_COLUMNS  # the envelope: a column each; the rest is `body`
from .i18n import N_, Message, _

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- server order; AUTOINCREMENT never reuses a number
    id TEXT NOT NULL UNIQUE,                -- the sender's UUID: a resend finds the first event
    kind TEXT NOT NULL,
    ts TEXT NOT NULL,                       -- server UTC time, ISO 8601
    exercise_time REAL,                     -- seconds from day 1 00:00; NULL before the start
    observed_at TEXT,                       -- the sender's time of observation (phones set theirs by the server's)
    observed_time REAL,                     -- the exercise time at observed_at (NULL: as exercise_time)
    role TEXT NOT NULL,
    body TEXT NOT NULL,                     -- the kind's fields as a JSON object
    conn TEXT,                              -- audit: the connection that submitted it
    by TEXT                                 -- who: the person's id, or the shared code's role
);
CREATE INDEX IF NOT EXISTS events_kind ON events(kind);
CREATE INDEX IF NOT EXISTS events_ts ON events(ts);
CREATE INDEX IF NOT EXISTS events_exercise_time ON events(exercise_time);
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: record a correction (retract or amend) instead'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: record a correction (retract or amend) instead'); END;
CREATE TABLE IF NOT EXISTS codes (
    role TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,                    -- random, carried in the signed login cookie
    role TEXT NOT NULL,
    started TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS retired_codes (
    digest TEXT PRIMARY KEY,                -- SHA-256 of a code rotated away: never valid again
    role TEXT NOT NULL,
    retired TEXT NOT NULL
);
"""
# Where an entry belongs on a timeline: made after the columns a log from an earlier version lacks.
PLACED = "COALESCE(observed_time, exercise_time)"
LATER_SCHEMA = f"CREATE INDEX IF NOT EXISTS events_placed ON events({PLACED})"


LOCK_WAIT = 2.0  # seconds a write waits for another program's write lock before it gives up
LOCK_POLL = 0.02


MAX_SEQ = 2**63 - 1  # SQLite's largest integer: no seq, and no `since`, beyond it


class StorageFault(Exception):
    """The event log cannot be written now (disk full, locked, read-only, deleted …); nothing of the
    attempt is stored.  Not the entry's fault: its sender keeps it and sends it again.

    message: a Message, shown to the people whose entries wait; lasting: the database file itself is
    gone or replaced; no write can make it right again."""

    def __init__(self, message: Message, lasting: bool = False):
        super().__init__(message)
        self.message = message
        self.lasting = lasting


def is_storage_error(error: BaseException) -> bool:
    """Tell a fault of the storage (retry later) from a fault of what was being stored."""
    if isinstance(error, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError,
                          sqlite3.DataError)):
        return False
    return isinstance(error, (sqlite3.DatabaseError, OSError))


def describe_storage_error(error: BaseException) -> Message:
    text = str(error)
    if "locked" in text or "busy" in text:
        waited = f"{LOCK_WAIT:g}"
        return _("the event log is locked by another program (waited %(seconds)s s)", seconds=waited)
    if "full" in text or getattr(error, "errno", None) in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return _("the disk holding the event log is full")
    if "readonly" in text or "read-only" in text:
        return _("the event log's file is read-only")
    return _("the event log could not be written (%(error)s)", error=text)


class EventLog:
    """Open (or create) the log at `path`; one writer at a time through `append`.

    writer: this is the server that writes the exercise.  Only its connection writes the database
    file itself (SQLite's checkpoints; every other connection leaves them to it), so that it can
    tell its own changes to the file from anyone else's (`check_file`)."""

    def __init__(self, path, lock_wait: float = LOCK_WAIT, writer: bool = False):
        self.path = str(path)
        self.lock_wait = lock_wait
        self.writer = writer
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=0)
        self.db = sqlite_utils.Database(conn)
        # SQLite must never sleep inside a call waiting for a lock: that would stall every green
        # thread of the server.  Writes wait in `_begin`, a sleep at a time, instead.
        self.db.execute("PRAGMA busy_timeout=0")
        # WAL lets readers work during a write; synchronous=FULL makes every commit durable
        # before we acknowledge it, so an acked event survives a crash or a power cut.
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        if not writer:
            self.db.execute("PRAGMA wal_autocheckpoint=0")
        self.lock = threading.RLock()
        self.rescued = None  # where everything acknowledged was copied when the file was lost
        if self._schema_missing():  # writes only when something is missing: a held lock does not stop a start
            with self.transaction():
                for statement in _statements(SCHEMA):
                    self.db.execute(statement)
                columns = {c.name for c in self.db["events"].columns}
                # a log from before the audit column, the roster, or the observation time
                for column, sql_type in (("conn", "TEXT"), ("by", "TEXT"), ("observed_time", "REAL")):
                    if column not in columns:
                        self.db.execute(f"ALTER TABLE events ADD COLUMN {column} {sql_type}")
                self.db.execute(LATER_SCHEMA)
        self.identity = _file_identity(self.path)
        self.wal_identity = _file_identity(self.path + "-wal")
        self._note_own_writes()

    def _schema_missing(self) -> bool:
        present = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master")}
        wanted = set(re.findall(r"CREATE (?:TABLE|INDEX|TRIGGER) IF NOT EXISTS (\w+)", SCHEMA + LATER_SCHEMA))
        if not wanted <= present:
            return True
        return not {"conn", "by", "observed_time"} <= {c.name for c in self.db["events"].columns}

    def _note_own_writes(self) -> None:
        """Remember the database file and WAL as this process left them (the writer's only)."""
        if self.writer:
            self.own_database = _file_state(self.path)
            self.own_wal_size = (_file_state(self.path + "-wal") or (0, 0))[0]

    def append(self, event: dict) -> dict:
        """Store one event (envelope + fields); return it with its `seq`.  Committed at once, or with
        the transaction it runs in."""
        row = {k: event.get(k) for k in ENVELOPE_COLUMNS if k != "seq"}
        body = {k: v for k, v in event.items() if k not in ENVELOPE_COLUMNS}
        row["body"] = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        with self.transaction():  # inside a group commit's transaction, this adds to it
            cursor = self.db.execute(
                "INSERT INTO events (id, kind, ts, exercise_time, observed_at, observed_time, role, body, conn, by) "
                "VALUES (:id, :kind, :ts, :exercise_time, :observed_at, :observed_time, :role, :body, :conn, :by)", row)
            return {"seq": cursor.lastrowid, **event}

    @contextmanager
    def transaction(self):
        """Make the writes inside one transaction with one durable commit (group commit); all or none.

        A fault of the storage (disk full, locked, read-only …) is raised as StorageFault."""
        with self.lock:
            if self.db.conn.in_transaction:  # inside another one (bulk, a group commit): the outer one commits
                yield self
                return
            try:
                self._begin()
                try:
                    yield self
                    self.db.execute("COMMIT")
                    self._note_own_writes()
                except BaseException:
                    if self.db.conn.in_transaction:
                        try:
                            self.db.execute("ROLLBACK")
                        except sqlite3.Error:  # SQLite may have rolled back by itself (disk full)
                            pass
                    raise
            except StorageFault:
                raise
            except Exception as e:
                if is_storage_error(e):
                    raise StorageFault(describe_storage_error(e)) from e
                raise

    def _begin(self) -> None:
        """Take the write lock, waiting a sleep at a time (a green sleep in the server) while another
        program holds it."""
        waited = 0.0
        while True:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e) or waited >= self.lock_wait:
                    raise
            time.sleep(LOCK_POLL)
            waited += LOCK_POLL

    def check_file(self) -> None:
        """Raise StorageFault if the database file or its WAL was deleted, replaced or (seen by the
        writer) changed by another program since this process last wrote them: commits would go to
        a file nobody will open again, or beside one that no longer holds what was acknowledged.
        The first time, everything this process can still read is copied to a rescue file."""
        try:
            database, wal = _file_state(self.path), _file_state(self.path + "-wal")
        except OSError as e:  # the directory unreadable, say: no knowing, no acknowledging
            raise StorageFault(_("the database file %(db)s cannot be looked at (%(error)s)", db=self.path,
                                 error=e.strerror)) from e
        wrong = None  # what happened, then (as `rescue`) what came of the copy
        if (database and database[2:]) != self.identity:
            wrong = N_("the database file %(db)s was deleted or replaced while ExCon ran; %(rescue)s")
        elif self.wal_identity is not None and (wal and wal[2:]) != self.wal_identity:
            wrong = N_("the database's write-ahead log %(db)s-wal was deleted or replaced while ExCon ran; %(rescue)s")
        elif self.writer and database != self.own_database:
            wrong = N_("the database file %(db)s was changed by another program while ExCon ran; %(rescue)s")
        elif self.writer and wal and wal[0] < self.own_wal_size:
            wrong = N_("the database's write-ahead log %(db)s-wal was cut short by another program; %(rescue)s")
        if wrong is None:
            if self.wal_identity is None and wal:
                self.wal_identity = wal[2:]
            return
        if self.rescued is None:
            self.rescued = self._rescue()
        raise StorageFault(Message(wrong, db=self.path, rescue=self.rescued), lasting=True)

    def _rescue(self) -> Message:
        """Copy what this process can still read (acknowledged events included) to a new file."""
        target = f"{self.path}.rescued-{time.strftime('%Y%m%d-%H%M%S')}"
        try:
            self.backup(target)
        except Exception as e:  # noqa: BLE001 - the fault is raised in any case; say what came of the copy
            return _("copying what was acknowledged to %(target)s failed (%(error)s): keep the phones' entries",
                     target=target, error=str(e))
        return _("everything acknowledged was copied to %(target)s: restart ExCon with --db %(target)s", target=target)

    def heartbeat(self, moment: str) -> None:
        """Write and commit one small row: does the storage take writes again?"""
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('heartbeat', ?)", [moment])

    @contextmanager
    def bulk(self):
        """Write many events in one transaction without syncing each: for generated data only."""
        with self.lock:
            self.db.execute("PRAGMA synchronous=OFF")  # only outside a transaction: set before it
            try:
                with self.transaction():
                    yield self
            finally:
                self.db.execute("PRAGMA synchronous=FULL")

    def get(self, event_id: str) -> dict | None:
        """Return the event with this client id, or None."""
        rows = list(self.db.query("SELECT * FROM events WHERE id = ?", [event_id]))
        return _event(rows[0]) if rows else None

    def at_seq(self, seq: int) -> dict | None:
        """Return the event with this seq, or None."""
        rows = list(self.db.query("SELECT * FROM events WHERE seq = ?", [seq]))
        return _event(rows[0]) if rows else None

    def since(self, seq: int = 0, limit: int | None = None, kinds=None):
        """Yield events after `seq` in order, at most `limit`, optionally of some kinds only."""
        sql, params = "SELECT * FROM events WHERE seq > ?", [seq]
        if kinds:
            sql += f" AND kind IN ({','.join('?' * len(kinds))})"
            params += list(kinds)
        sql += " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        for row in self.db.query(sql, params):
            yield _event(row)

    def before(self, seq: int, limit: int, kinds=None):
        """Yield events before `seq`, newest first, at most `limit`, optionally of some kinds only."""
        sql, params = "SELECT * FROM events WHERE seq < ?", [seq]
        if kinds:
            sql += f" AND kind IN ({','.join('?' * len(kinds))})"
            params += list(kinds)
        for row in self.db.query(sql + " ORDER BY seq DESC LIMIT ?", [*params, limit]):
            yield _event(row)

    def seq_before(self, ts: str) -> int:
        """Return the last seq stored before wall time `ts` (0 if none): read from there to start at `ts`."""
        row = self.db.execute("SELECT MAX(seq) FROM events WHERE ts < ?", [ts]).fetchone()
        return row[0] or 0

    def seq_at(self, ts: str) -> int:
        """Return the last seq of an event stamped at or before wall time `ts` (0 if none).

        The events up to it are the log as it stood at `ts`, even when the wall clock was set back
        during the exercise and `ts` does not always grow with `seq`."""
        row = self.db.execute("SELECT MAX(seq) FROM events WHERE ts <= ?", [ts]).fetchone()
        return row[0] or 0

    def max_exercise_time(self) -> float | None:
        """Return the latest exercise time stored: exercise time never goes back below it."""
        return self.db.execute("SELECT MAX(exercise_time) FROM events").fetchone()[0]

    def seq_before_exercise_time(self, seconds: float) -> int:
        """Return the last seq stored before exercise time `seconds` (it never goes back; NULL is before the start)."""
        row = self.db.execute("SELECT MAX(seq) FROM events WHERE exercise_time < ? OR exercise_time IS NULL",
                              [seconds]).fetchone()
        return row[0] or 0

    def marks(self):
        """Yield the events a replay jumps between: injects, safety alerts, clock changes, bookmarks."""
        sql = """SELECT * FROM events WHERE kind IN ('inject', 'inject_skip', 'inject_defer', 'inject_recall',
                     'schedule_shift', 'safety', 'clock')
                 OR (kind IN ('note', 'evaluation') AND json_extract(body, '$.bookmark') = 1) ORDER BY seq"""
        for row in self.db.query(sql):
            yield _event(row)

    def about_inject(self, inject: str):
        """Yield, in order, the decisions on one inject (released, skipped, deferred, recalled) and every action or
        evaluation that names it as written or as corrected since (an amend may add or take the link)."""
        sql = """SELECT * FROM events WHERE (kind IN ('inject', 'inject_skip', 'inject_defer', 'inject_recall')
                     AND json_extract(body, '$.inject') = :inject)
                 OR (kind IN ('action', 'evaluation') AND (json_extract(body, '$.inject') = :inject
                     OR id IN (SELECT json_extract(body, '$.target') FROM events
                               WHERE kind = 'amend' AND json_extract(body, '$.inject') = :inject)))
                 ORDER BY seq"""
        for row in self.db.query(sql, {"inject": inject}):
            yield _event(row)

    def naming_photo(self, name: str):
        """Yield the entries and corrections that name a photo (photos.py), in order."""
        sql = """SELECT * FROM events WHERE kind IN ('evaluation', 'action', 'note', 'amend') AND instr(body, :name) > 0
                 ORDER BY seq"""
        for row in self.db.query(sql, {"name": name}):
            yield _event(row)

    def of_kind(self, kind: str):
        """Yield every event of one kind, in order."""
        for row in self.db.query("SELECT * FROM events WHERE kind = ? ORDER BY seq", [kind]):
            yield _event(row)

    def bucket_counts(self, start: float, end: float, bucket: int, kinds) -> list[dict]:
        """Count events per exercise-time bucket (where each belongs: when it was observed), lane (team,
        'injects' or 'control') and kind.

        Retracted events are left out; events from before the clock started have no exercise time.
        """
        sql = f"""
            SELECT CAST({PLACED} / :bucket AS INTEGER) * :bucket AS bucket,
                   CASE WHEN kind LIKE 'inject%' THEN 'injects'
                        ELSE COALESCE(json_extract(body, '$.team'), 'control') END AS lane,
                   kind, COUNT(*) AS count
            FROM events
            WHERE {PLACED} >= :start AND {PLACED} <= :end
              AND kind IN ({','.join(f"'{k}'" for k in kinds if k.isidentifier())})
              AND id NOT IN (SELECT json_extract(body, '$.target') FROM events WHERE kind = 'retract')
            GROUP BY bucket, lane, kind ORDER BY bucket"""
        return list(self.db.query(sql, {"bucket": bucket, "start": start, "end": end}))

    def referenced_ids(self) -> dict:
        """Return, per kind of scenario id (team, site, objective, task, action_type, request_kind, inject),
        the ids the stored events name: a log must fit the scenario it is served with."""
        found = {}
        for name in ("team", "site", "objective", "task", "action_type", "request_kind"):
            found[name] = {row[0] for row in self.db.execute(
                f"SELECT DISTINCT json_extract(body, '$.{name}') FROM events "
                f"WHERE json_extract(body, '$.{name}') IS NOT NULL AND kind != 'amend'")}
        found["team"] |= {row[0] for row in self.db.execute(
            "SELECT DISTINCT value FROM events, json_each(events.body, '$.teams') WHERE kind = 'inject'")}
        found["inject"] = {row[0] for row in self.db.execute(
            "SELECT DISTINCT json_extract(body, '$.inject') FROM events WHERE kind IN ('inject_skip', 'inject_defer') "
            "OR (kind = 'inject' AND json_extract(body, '$.adhoc') IS NULL)")}
        return found

    def last_seq(self) -> int:
        return self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM events").fetchone()[0]

    def stored_codes(self) -> dict:
        with self.lock:
            return {row["role"]: row["code"] for row in self.db.query("SELECT role, code FROM codes")}

    def backup(self, path) -> None:
        """Copy the database to a new file, consistent even while events are written (SQLite online backup)."""
        target = sqlite3.connect(str(path))
        try:
            with self.lock:
                self.db.conn.backup(target)
        finally:
            target.close()

    def store_codes(self, codes: dict, retire: tuple | None = None) -> None:
        """Store the codes; retire: (role, digest of its old code, when), remembered in the same commit."""
        with self.transaction():
            self.db.execute("DELETE FROM codes")
            for role, code in codes.items():
                self.db.execute("INSERT INTO codes (role, code) VALUES (?, ?)", [role, code])
            if retire:
                self.db.execute("INSERT OR IGNORE INTO retired_codes (role, digest, retired) VALUES (?, ?, ?)",
                                list(retire))

    def open_session(self, session_id: str, role: str, started: str, replaces=None) -> None:
        """Open a login session; `replaces`: the browser's previous session, closed in the same commit."""
        with self.transaction():
            if isinstance(replaces, str):
                self.db.execute("DELETE FROM sessions WHERE id = ?", [replaces])
            self.db.execute("INSERT INTO sessions (id, role, started) VALUES (?, ?, ?)", [session_id, role, started])

    def session_is_open(self, session_id) -> bool:
        if not isinstance(session_id, str):
            return False
        return self.db.execute("SELECT 1 FROM sessions WHERE id = ?", [session_id]).fetchone() is not None

    def close_session(self, session_id) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM sessions WHERE id = ?", [session_id])

    def retired_codes(self) -> dict:
        """Return {digest: when it was retired} of every code rotated away."""
        return {row["digest"]: row["retired"] for row in self.db.query("SELECT digest, retired FROM retired_codes")}

    def put_setting(self, key: str, value: str) -> None:
        """Store a setting, replacing what was there."""
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [key, value])

    def stored_setting(self, key: str) -> str | None:
        """Return a stored setting, or None."""
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def setting(self, key: str, make) -> str:
        """Return a stored setting, storing `make()` first if there is none."""
        stored = self.stored_setting(key)
        if stored is not None:
            return stored
        with self.transaction():
            row = self.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
            if row:
                return row[0]
            value = make()
            self.db.execute("INSERT INTO settings (key, value) VALUES (?, ?)", [key, value])
            return value

    def close(self):
        self.db.conn.close()


class WriterLockTaken(Exception):
    """Another server process already writes this database."""


def hold_writer_lock(path: str):
    """Take the lock that makes one server process the writer of the database at `path`.

    A file lock (flock) on the database file itself — whatever name, symbolic or hard link reaches
    it — held until the process ends; the system drops it even on a kill or a crash.  (SQLite locks
    with fcntl, which Linux keeps apart from flock.)  `<path>.lock` says who holds it.  Return the
    open file; keep it open for as long as the process runs: closing any descriptor of the database
    file would drop SQLite's own locks.  Raise WriterLockTaken, naming the holder, when another
    process holds it."""
    database = open(path, "ab")  # noqa: SIM115 (held, and its lock with it, until the process ends)
    try:
        fcntl.flock(database, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        try:
            with open(f"{path}.lock", encoding="utf-8") as note:
                holder = note.read().strip() or _("another process")
        except OSError:
            holder = _("another process")
        database.close()
        raise WriterLockTaken(holder) from None
    try:
        with open(f"{path}.lock", "w", encoding="utf-8") as note:
            note.write(f"pid {os.getpid()} on {os.uname().nodename}\n")
    except OSError:  # only a note for the operator
        pass
    return database


def _statements(script: str):
    """Split a script into statements (a trigger's body holds semicolons of its own)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            yield statement.strip()
            statement = ""


def _file_identity(path: str):
    """Return (device, inode) of a file, or None when there is no file."""
    state = _file_state(path)
    return state[2:] if state else None


def _file_state(path: str):
    """Return (size, modification time, device, inode) of a file, or None when there is no file."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_size, found.st_mtime_ns, found.st_dev, found.st_ino


def _event(row: dict) -> dict:
    body = json.loads(row.pop("body"))
    return {**{k: v for k, v in row.items() if k in ENVELOPE_COLUMNS and (v is not None or k == "exercise_time")},
            **body}
