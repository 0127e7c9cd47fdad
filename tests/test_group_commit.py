"""Group commit: submits that wait while a commit is on the disk are stored together, each
acknowledged only after that commit, broadcast in seq order; a failed commit stores none of them."""

import threading
from contextlib import contextmanager

from control.eventlog import StorageFault
from tests.conftest import new_id


def action(team="alpha", **fields):
    return {"id": new_id(), "kind": "action", "team": team, "action_type": "interview", "site": "club",
            "text": "spoke to the manager", **fields}


def after_each_commit(log, record):
    """Call record() after every commit of `log` (an inner transaction() joins the outer one)."""
    original = log.transaction

    @contextmanager
    def recorded():
        outer = not log.db.conn.in_transaction
        with original() as inner:
            yield inner
        if outer:
            record()

    log.transaction = recorded


def count_commits(log):
    commits = []
    after_each_commit(log, lambda: commits.append(1))
    return commits


def submit_while_blocked(exercise, payloads, role="director"):
    """Hold the commit while every payload is submitted from its own thread, then let one commit take them."""
    results, broadcast = [None] * len(payloads), []

    def send(i, payload):
        try:
            results[i] = exercise.submit(payload, role, on_stored=broadcast.append)
        except Exception as e:  # noqa: BLE001 - the test looks at what each submit raised
            results[i] = e

    threads = [threading.Thread(target=send, args=(i, p)) for i, p in enumerate(payloads)]
    with exercise.commit_lock:
        for t in threads:
            t.start()
        while len(exercise.queue) + sum(r is not None for r in results) < len(payloads):  # queued or refused
            threading.Event().wait(0.001)
    for t in threads:
        t.join(10)
    return results, broadcast


def test_submits_that_wait_together_share_one_commit(exercise):
    commits = count_commits(exercise.log)
    payloads = [action() for _ in range(20)]
    results, broadcast = submit_while_blocked(exercise, payloads)
    assert len(commits) == 1
    assert sorted(r.event["id"] for r in results) == sorted(p["id"] for p in payloads)
    seqs = [event["seq"] for event in broadcast]
    assert seqs == sorted(seqs) and len(set(seqs)) == 20
    assert exercise.log.count() == 20


def test_one_bad_submit_in_a_batch_is_refused_alone(exercise):
    payloads = [action(), action(team="nowhere"), action(), action(inject="I-01")]
    results, broadcast = submit_while_blocked(exercise, payloads)
    assert [type(r).__name__ for r in results] == ["Receipt", "InvalidEvent", "Receipt", "InvalidEvent"]
    assert "not been released" in str(results[3])
    assert exercise.log.count() == 2 and len(broadcast) == 2


def test_a_later_submit_in_the_same_batch_sees_the_earlier_one(exercise):
    """An inject released and an action answering it, stored in the same commit."""
    release = {"id": new_id(), "kind": "inject", "inject": "I-01"}
    team = exercise.scenario.injects["I-01"]["teams"][0]
    answer = action(team=team, inject="I-01")
    again = dict(release)  # the same id twice: the second is the duplicate of the first
    results, broadcast = submit_while_blocked(exercise, [release, answer, again])
    assert [r.duplicate for r in results] == [False, False, True]
    assert [e["kind"] for e in broadcast] == ["inject", "action"]


def test_a_failed_commit_stores_none_of_the_batch_and_forgets_it(exercise, monkeypatch):
    release = {"id": new_id(), "kind": "inject", "inject": "I-01"}
    original = exercise.log.append
    calls = []

    def append_then_fail(event):
        calls.append(event)
        if len(calls) == 2:
            raise OSError("disk full")
        return original(event)

    monkeypatch.setattr(exercise.log, "append", append_then_fail)
    results, broadcast = submit_while_blocked(exercise, [release, action()])
    assert [type(r) for r in results] == [StorageFault, StorageFault]  # nothing stored: both senders resend
    assert "disk holding the event log is full" in str(results[0])
    assert exercise.log.count() == 0 and broadcast == []
    assert "I-01" not in exercise.inject_status  # the release that was rolled back is forgotten
    monkeypatch.setattr(exercise.log, "append", original)
    assert not exercise.submit(release, "director").duplicate  # sent again, it is stored


def test_each_submit_returns_only_after_its_commit(exercise):
    committed = []
    after_each_commit(exercise.log, lambda: committed.append(exercise.log.count()))
    receipt = exercise.submit(action(), "director", on_stored=lambda event: committed.append("broadcast"))
    assert committed == [1, "broadcast"] and receipt.event["seq"] == 1


def test_concurrent_submits_from_many_threads_lose_nothing(exercise, threads=8):
    stored = []
    lock = threading.Lock()

    def sender():
        for _ in range(25):
            receipt = exercise.submit(action(), "director")
            with lock:
                stored.append(receipt.event["seq"])

    workers = [threading.Thread(target=sender) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    assert sorted(stored) == list(range(1, threads * 25 + 1))
    assert exercise.log.count() == threads * 25


def test_an_entry_the_storage_cannot_take_costs_only_its_own_place(exercise, monkeypatch):
    """A member that fails its group's commit for a reason of its own is answered alone; the
    others are stored, each in a commit of its own."""
    poison = action(text="the one the disk layer chokes on")
    original = exercise.log.append

    def choke(event):
        if event.get("text") == poison["text"]:
            raise UnicodeEncodeError("utf-8", "x", 0, 1, "surrogates not allowed")
        return original(event)

    monkeypatch.setattr(exercise.log, "append", choke)
    payloads = [action(), poison, action(), action()]
    results, broadcast = submit_while_blocked(exercise, payloads)
    assert [type(r).__name__ for r in results] == ["Receipt", "InvalidEvent", "Receipt", "Receipt"]
    assert "the server failed on this entry" in str(results[1])
    assert exercise.log.count() == 3 and len(broadcast) == 3
    assert [e["seq"] for e in broadcast] == sorted(e["seq"] for e in broadcast)


def test_a_storage_fault_is_reported_and_clears_with_the_next_write(exercise, monkeypatch):
    seen = []
    exercise.on_health = seen.append
    original = exercise.log.append

    def full(event):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exercise.log, "append", full)
    try:
        exercise.submit(action(), "director")
    except StorageFault as fault:
        assert "full" in str(fault)
    assert exercise.health()["ok"] is False and seen[-1]["storage"]
    monkeypatch.setattr(exercise.log, "append", original)
    exercise.submit(action(), "director")
    assert exercise.health() == {"ok": True, "storage": None, "since": None} and seen[-1]["ok"] is True
    assert len(seen) == 2


def test_a_deleted_database_file_stops_every_acknowledgement(exercise, tmp_path):
    exercise.submit(action(), "director")
    (tmp_path / "exercise.db").unlink()
    try:
        exercise.submit(action(), "director")
        raise AssertionError("acknowledged into a deleted file")
    except StorageFault as fault:
        assert "deleted or replaced" in str(fault)
    assert exercise.check_health()["ok"] is False  # for good: restart on a file that exists
