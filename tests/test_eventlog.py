"""The events table is append-only, ordered, and keeps one event per client id."""

import sqlite3

import pytest

from control.eventlog import EventLog

from .conftest import new_id


def event(**extra):
    return {"id": new_id(), "kind": "note", "ts": "2026-05-04T09:00:00.000000Z", "exercise_time": None,
            "role": "observer", "text": "seen", **extra}


def test_append_gives_increasing_seq_and_reads_back_flat(log):
    first, second = log.append(event()), log.append(event(bookmark=True))
    assert second["seq"] > first["seq"]
    read = list(log.since(0))
    assert [e["seq"] for e in read] == [first["seq"], second["seq"]]
    assert read[1]["bookmark"] is True and read[1]["text"] == "seen" and read[1]["exercise_time"] is None


def test_update_and_delete_are_refused_by_the_database(log):
    log.append(event())
    for sql in ("UPDATE events SET kind = 'move'", "DELETE FROM events", "UPDATE events SET body = '{}'"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            log.db.execute(sql)
    assert log.count() == 1 and list(log.since(0))[0]["kind"] == "note"


def test_a_second_event_with_the_same_id_is_refused(log):
    first = event()
    log.append(first)
    with pytest.raises(sqlite3.IntegrityError):
        log.append(dict(first))
    assert log.count() == 1


def test_seq_is_never_reused(tmp_path):
    log = EventLog(tmp_path / "x.db")
    seqs = [log.append(event())["seq"] for _ in range(3)]
    log.close()
    again = EventLog(tmp_path / "x.db")
    assert again.append(event())["seq"] == seqs[-1] + 1
    assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.close()


def test_since_pages_and_filters(log):
    for _ in range(5):
        log.append(event())
    log.append(event(kind="move"))
    assert [e["seq"] for e in log.since(2, limit=2)] == [3, 4]
    assert [e["kind"] for e in log.since(0, kinds=("move",))] == ["move"]
    assert log.last_seq() == 6


def test_settings_are_kept(log):
    assert log.setting("k", lambda: "v1") == "v1"
    assert log.setting("k", lambda: "v2") == "v1"


def test_every_event_records_its_role_and_connection(exercise):
    stored = exercise.submit({"id": new_id(), "kind": "move", "team": "alpha", "site": "hq"}, "team:alpha",
                             conn="socket:abc123").event
    again = exercise.log.get(stored["id"])
    assert (again["role"], again["conn"]) == ("team:alpha", "socket:abc123")


def test_an_older_log_gets_the_audit_column(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
                 " ts TEXT NOT NULL, exercise_time REAL, observed_at TEXT, role TEXT NOT NULL, body TEXT NOT NULL)")
    conn.commit()
    conn.close()
    log = EventLog(path)
    assert log.append(event(conn="http"))["conn"] == "http"
    log.close()
