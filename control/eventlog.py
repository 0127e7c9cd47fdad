"""The append-only event log in one SQLite file.

Table `events`: one row per event, never updated or deleted (two triggers refuse it); the kind's
fields are kept as JSON in `body` and put back at the top level when read.  Table `codes` keeps
the access codes and `settings` the session secret, so that both survive a restart.
"""

import json
import sqlite3
import threading
from contextlib import contextmanager

import sqlite_utils

ENVELOPE_COLUMNS = ("seq", "id", "kind", "ts", "exercise_time", "observed_at", "role", "conn")

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- server order; AUTOINCREMENT never reuses a number
    id TEXT NOT NULL UNIQUE,                -- the sender's UUID: a resend finds the first event
    kind TEXT NOT NULL,
    ts TEXT NOT NULL,                       -- server UTC time, ISO 8601
    exercise_time REAL,                     -- seconds from day 1 00:00; NULL before the start
    observed_at TEXT,                       -- the sender's own time of observation
    role TEXT NOT NULL,
    body TEXT NOT NULL,                     -- the kind's fields as a JSON object
    conn TEXT                               -- audit: the connection that submitted it
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
"""


class EventLog:
    """Open (or create) the log at `path`; one writer at a time through `append`."""

    def __init__(self, path):
        self.path = str(path)
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db = sqlite_utils.Database(conn)
        # WAL lets readers work during a write; synchronous=FULL makes every commit durable
        # before we acknowledge it, so an acked event survives a crash or a power cut.
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.conn.executescript(SCHEMA)
        if "conn" not in {c.name for c in self.db["events"].columns}:  # a log written before the audit column
            self.db.execute("ALTER TABLE events ADD COLUMN conn TEXT")
        self.lock = threading.RLock()

    def append(self, event: dict) -> dict:
        """Store one event (envelope + fields) and commit; return it with its `seq`."""
        row = {k: event.get(k) for k in ENVELOPE_COLUMNS if k != "seq"}
        body = {k: v for k, v in event.items() if k not in ENVELOPE_COLUMNS}
        row["body"] = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        with self.lock:
            cursor = self.db.execute(
                "INSERT INTO events (id, kind, ts, exercise_time, observed_at, role, body, conn) "
                "VALUES (:id, :kind, :ts, :exercise_time, :observed_at, :role, :body, :conn)", row)
            # isolation_level=None: the INSERT is its own transaction, committed when execute returns,
            # unless it runs inside `transaction()`, which commits once for all its appends.
            return {"seq": cursor.lastrowid, **event}

    @contextmanager
    def transaction(self):
        """Make the appends inside one transaction with one durable commit (group commit); all or none."""
        with self.lock:
            if self.db.conn.in_transaction:  # inside bulk(): the outer transaction commits
                yield self
                return
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self
                self.db.execute("COMMIT")
            except BaseException:
                if self.db.conn.in_transaction:
                    self.db.execute("ROLLBACK")
                raise

    @contextmanager
    def bulk(self):
        """Write many events in one transaction without syncing each: for generated data only."""
        with self.lock:
            self.db.execute("PRAGMA synchronous=OFF")
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            finally:
                if self.db.conn.in_transaction:
                    self.db.execute("COMMIT")
                self.db.execute("PRAGMA synchronous=FULL")

    def get(self, event_id: str) -> dict | None:
        """Return the event with this client id, or None."""
        rows = list(self.db.query("SELECT * FROM events WHERE id = ?", [event_id]))
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

    def before(self, seq: int, limit: int):
        """Yield events before `seq`, newest first, at most `limit`."""
        for row in self.db.query("SELECT * FROM events WHERE seq < ? ORDER BY seq DESC LIMIT ?", [seq, limit]):
            yield _event(row)

    def seq_before(self, ts: str) -> int:
        """Return the last seq stored before wall time `ts` (0 if none): read from there to start at `ts`."""
        row = self.db.execute("SELECT MAX(seq) FROM events WHERE ts < ?", [ts]).fetchone()
        return row[0] or 0

    def seq_before_exercise_time(self, seconds: float) -> int:
        """Return the last seq stored before exercise time `seconds` (it never goes back; NULL is before the start)."""
        row = self.db.execute("SELECT MAX(seq) FROM events WHERE exercise_time < ? OR exercise_time IS NULL", [seconds]).fetchone()
        return row[0] or 0

    def marks(self):
        """Yield the events a replay jumps between: injects, safety alerts, clock changes, bookmarks."""
        sql = """SELECT * FROM events WHERE kind IN ('inject', 'inject_skip', 'inject_defer', 'safety', 'clock')
                 OR (kind IN ('note', 'evaluation') AND json_extract(body, '$.bookmark') = 1) ORDER BY seq"""
        for row in self.db.query(sql):
            yield _event(row)

    def of_kind(self, kind: str):
        """Yield every event of one kind, in order."""
        for row in self.db.query("SELECT * FROM events WHERE kind = ? ORDER BY seq", [kind]):
            yield _event(row)

    def bucket_counts(self, start: float, end: float, bucket: int, kinds) -> list[dict]:
        """Count events per exercise-time bucket, lane (team, 'injects' or 'control') and kind.

        Retracted events are left out; events from before the clock started have no exercise time.
        """
        sql = f"""
            SELECT CAST(exercise_time / :bucket AS INTEGER) * :bucket AS bucket,
                   CASE WHEN kind LIKE 'inject%' THEN 'injects'
                        ELSE COALESCE(json_extract(body, '$.team'), 'control') END AS lane,
                   kind, COUNT(*) AS count
            FROM events
            WHERE exercise_time >= :start AND exercise_time <= :end
              AND kind IN ({','.join(f"'{k}'" for k in kinds if k.isidentifier())})
              AND id NOT IN (SELECT json_extract(body, '$.target') FROM events WHERE kind = 'retract')
            GROUP BY bucket, lane, kind ORDER BY bucket"""
        return list(self.db.query(sql, {"bucket": bucket, "start": start, "end": end}))

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

    def store_codes(self, codes: dict) -> None:
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self.db.execute("DELETE FROM codes")
                for role, code in codes.items():
                    self.db.execute("INSERT INTO codes (role, code) VALUES (?, ?)", [role, code])
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def setting(self, key: str, make) -> str:
        """Return a stored setting, storing `make()` first if there is none."""
        with self.lock:
            row = self.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
            if row:
                return row[0]
            value = make()
            self.db.execute("INSERT INTO settings (key, value) VALUES (?, ?)", [key, value])
            return value

    def close(self):
        self.db.conn.close()


def _event(row: dict) -> dict:
    body = json.loads(row.pop("body"))
    return {**{k: v for k, v in row.items() if k in ENVELOPE_COLUMNS and (v is not None or k == "exercise_time")},
            **body}
