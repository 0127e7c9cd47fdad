"""The storage failing under a real server: a full disk, a write lock held by another program, the
database file deleted.  Nothing is acknowledged that is not stored, every sender is told to send
again (never refused), /healthz and every screen say so, and it all clears when writes go through."""

import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from .conftest import ROOT, Page, Server, new_id, wait_for_text
from .test_phone_pages import PHONE, rate, ready


def note(text="seen at the farm"):
    return {"id": new_id(), "kind": "note", "text": text}


def until(predicate, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("not true within the time")


class FullDisk:
    """A directory on a small tmpfs that the test fills up and frees again.  Where a tmpfs cannot be
    mounted (not root), the server's own file-size limit stands in for the full disk."""

    def __init__(self, root):
        self.path = root / "disk"
        self.path.mkdir()
        self.mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(self.path)],
                                      capture_output=True).returncode == 0
        self.server = None

    def fill(self):
        if not self.mounted:
            largest = max(os.path.getsize(p) for p in self.path.iterdir())
            resource.prlimit(self.server.proc.pid, resource.RLIMIT_FSIZE, (largest, resource.RLIM_INFINITY))
            return
        fd = os.open(self.path / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * 65536)
        except OSError:
            pass
        try:
            while True:
                os.write(fd, b"\0" * 512)
        except OSError:
            os.close(fd)

    def free(self):
        if not self.mounted:
            resource.prlimit(self.server.proc.pid, resource.RLIMIT_FSIZE,
                             (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        else:
            os.remove(self.path / "filler")

    def unmount(self):
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], check=False)


@pytest.fixture
def full_disk(tmp_path):
    disk = FullDisk(tmp_path)
    server = Server(disk.path / "exercise.db", log_path=tmp_path / "server.log").start()
    disk.server = server
    yield disk, server
    server.stop()
    disk.unmount()


def test_a_full_disk_is_answered_retry_and_nothing_acknowledged_is_lost(full_disk):
    disk, server = full_disk
    director, observer = server.connect("director"), server.connect("observer")
    assert observer.submit(note("before"))["ok"]
    disk.fill()
    waiting = [note(f"while the disk is full {i}") for i in range(5)]
    for payload in waiting:
        ack = observer.submit(payload)
        assert ack == {"ok": False, "retry": True, "error": ack["error"]}, ack
        assert "full" in ack["error"] or "written" in ack["error"]
    health = server.get("/healthz")
    assert health.status_code == 503 and health.json()["ok"] is False and health.json()["storage"]
    until(lambda: director.health and director.health[-1]["ok"] is False)
    late = server.connect("screen")  # a screen that opens now is told at once
    until(lambda: late.health and late.health[-1]["ok"] is False)

    disk.free()
    for payload in waiting:  # what the phone does: the same entries again, with the same ids
        assert observer.submit(payload)["ok"]
    until(lambda: director.health[-1]["ok"] is True)
    assert server.get("/healthz").status_code == 200
    stored = [e["text"] for e in server.get("/api/events", "director").json()["events"]]
    assert stored == ["before"] + [p["text"] for p in waiting]


def test_the_fault_clears_by_itself_when_nobody_writes(full_disk):
    disk, server = full_disk
    observer = server.connect("observer")
    disk.fill()
    assert observer.submit(note())["retry"] is True
    disk.free()
    until(lambda: server.get("/healthz").status_code == 200)  # the server tries a write every few seconds


def test_a_write_lock_held_by_another_program_is_answered_retry_and_stalls_nobody(server):
    director, observer = server.connect("director"), server.connect("observer")
    holder = sqlite3.connect(server.db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # e.g. someone's sqlite3 shell in the middle of an edit
    acks = []
    sender = threading.Thread(target=lambda: acks.append(observer.submit(note("during the lock"))))
    sender.start()
    time.sleep(0.3)  # the submit is now waiting for the lock, a green sleep at a time
    answer = director.call("resume", {"since": 0}, timeout=10)
    assert answer["ok"] and not acks  # the server answered someone else while the submit still waited
    sender.join(15)
    assert acks[0]["ok"] is False and acks[0]["retry"] is True and "locked" in acks[0]["error"]
    assert server.get("/healthz").status_code == 503
    holder.execute("ROLLBACK")
    holder.close()
    assert observer.submit(note("after the lock"))["ok"]
    assert server.get("/healthz").status_code == 200


def test_a_deleted_database_is_noticed_and_nothing_more_is_acknowledged(tmp_path):
    server = Server(tmp_path / "exercise.db").start()
    try:
        director, observer = server.connect("director"), server.connect("observer")
        assert observer.submit(note("stored"))["ok"]
        for suffix in ("", "-wal", "-shm"):
            os.remove(server.db_path + suffix)
        ack = observer.submit(note("after the deletion"))
        assert ack["ok"] is False and ack["retry"] is True and "deleted or replaced" in ack["error"]
        until(lambda: director.health and "deleted" in director.health[-1]["storage"])
        assert "deleted" in server.get("/healthz").json()["storage"]
        time.sleep(2.5)  # the fault lasts: no write can make it right again
        assert server.get("/healthz").status_code == 503
    finally:
        server.stop()
    assert "STORAGE FAILING" in server.log_text()
    # What was acknowledged before the deletion was copied out of the deleted file while it was open.
    [rescued] = [p for p in tmp_path.iterdir() if ".rescued-" in p.name]
    assert f"restart ExCon with --db {rescued}" in ack["error"]
    texts = [row[0] for row in sqlite3.connect(rescued).execute("SELECT json_extract(body, '$.text') FROM events")]
    assert texts == ["stored"]


@pytest.mark.parametrize("how", ["the WAL cut short", "a backup copied over the database"])
def test_a_database_changed_under_the_server_is_noticed(tmp_path, how):
    server = Server(tmp_path / "exercise.db").start()
    try:
        observer = server.connect("observer")
        assert observer.submit(note("before"))["ok"]
        if how == "the WAL cut short":
            os.truncate(server.db_path + "-wal", 0)
        else:  # the restore done while the server runs, instead of after stopping it
            old = sqlite3.connect(tmp_path / "old.db")
            old.execute("CREATE TABLE other (x)")
            old.close()
            shutil.copyfile(tmp_path / "old.db", server.db_path)
        ack = observer.submit(note("after"))
        assert ack["ok"] is False and ack["retry"] is True, ack
        assert server.get("/healthz").status_code == 503
    finally:
        server.stop()


def test_a_start_on_a_full_disk_is_reported_before_anyone_submits(full_disk, tmp_path):
    disk, server = full_disk
    server.stop()
    disk.fill()
    again = Server(server.db_path, log_path=tmp_path / "again.log", preexec_fn=server.preexec_fn)
    if not disk.mounted:  # the file-size limit stands in for the full disk: set it on the new process
        again.start()
        disk.server = again
        disk.fill()
    else:
        again.start()
    try:
        until(lambda: again.get("/healthz").status_code == 503)  # the server's own test write at start
    finally:
        disk.free()
        again.stop()


def test_a_write_lock_held_at_start_neither_stops_the_start_nor_a_backup(server, tmp_path):
    assert server.connect("observer").submit(note("kept"))["ok"]
    server.stop()
    holder = sqlite3.connect(server.db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        backup = subprocess.run([sys.executable, str(ROOT / "run.py"), "backup", str(tmp_path / "copy.db"),
                                 "--db", server.db_path], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert backup.returncode == 0 and "Backed up 1 events" in backup.stdout, backup.stderr
        rotate = subprocess.run([sys.executable, str(ROOT / "run.py"), "codes", "--rotate", "observer", "--db",
                                 server.db_path], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert rotate.returncode != 0 and "locked by another program" in rotate.stderr
        assert "Traceback" not in rotate.stderr
        again = Server(server.db_path, log_path=tmp_path / "again.log").start()
        try:
            until(lambda: again.get("/healthz").status_code == 503)
            assert again.get("/api/events", "director").json()["events"][0]["text"] == "kept"  # reading goes on
        finally:
            again.stop()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.mark.parametrize("link", ["symlink", "hard link"])
def test_a_second_server_through_another_name_of_the_same_file_refuses_to_start(server, tmp_path, link):
    other = tmp_path / "another-name.db"
    (os.symlink if link == "symlink" else os.link)(server.db_path, other)
    with pytest.raises(RuntimeError, match="another ExCon server .* is already serving"):
        Server(other, log_path=tmp_path / "second.log").start()


def test_a_restored_log_makes_open_screens_start_again(tmp_path):
    """Restored from a backup, the log has fewer events than a screen saw: the screen must not take
    the new events for ones it already has."""
    server = Server(tmp_path / "exercise.db").start()
    observer = server.connect("observer")
    for i in range(5):
        assert observer.submit(note(f"before the backup {i}"))["ok"]
    backup = subprocess.run([sys.executable, str(ROOT / "run.py"), "backup", str(tmp_path / "backup.db"), "--db",
                             server.db_path], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert backup.returncode == 0, backup.stderr
    for i in range(5):
        assert observer.submit(note(f"after the backup {i}"))["ok"]
    seen = server.connect("director").call("resume", {"since": 0})["events"]
    tenth = seen[-1]
    server.stop()  # the disk fails; the operator restores the backup, as the README says
    restored = Server(tmp_path / "backup.db", log_path=tmp_path / "restored.log", port=server.port).start()
    try:
        screen = restored.connect("screen")
        assert screen.call("resume", {"since": 10})["reset"] is True  # it has only 5
        assert restored.connect("observer").submit(note("after the restore"))["ok"]
        assert screen.call("resume", {"since": 5})["at_since"] == seen[4]["id"]  # the same event 5
        answer = screen.call("resume", {"since": 6})
        assert answer["at_since"] != seen[5]["id"]  # a new event 6: the screen's 6 was another
        assert tenth["seq"] == 10
    finally:
        restored.stop()


def test_a_lone_surrogate_costs_only_its_own_entry(server):
    """20 observers save at once while one sends text that SQLite cannot store."""
    observers = [server.connect("observer") for _ in range(20)]
    poisoner = server.connect("controller")
    results, poisoned = [], []

    def rate(client, i):
        for j in range(10):
            results.append(client.submit({"id": new_id(), "kind": "evaluation", "team": "alpha",
                                          "objective": "obj-identify", "rating": "S", "note": f"{i}/{j}"}))

    def poison():
        for _ in range(10):
            poisoned.append(poisoner.submit({**note(), "text": "bad \ud800 text"}))

    threads = [threading.Thread(target=rate, args=(c, i)) for i, c in enumerate(observers)]
    threads.append(threading.Thread(target=poison))
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 200 and all(ack["ok"] for ack in results), [a for a in results if not a["ok"]][:3]
    assert all(ack["ok"] is False and "surrogate" in ack["error"] and "retry" not in ack for ack in poisoned)
    assert len(server.get("/api/events?limit=5000", "director").json()["events"]) == 200


def test_a_second_server_on_the_same_database_refuses_to_start(server, tmp_path):
    with pytest.raises(RuntimeError, match="another ExCon server .* is already serving"):
        Server(server.db_path, log_path=tmp_path / "second.log").start()
    assert server.get("/healthz").ok  # the first one goes on


def test_a_second_server_on_the_same_port_refuses_to_start(server, tmp_path):
    """Not two processes sharing the port (SO_REUSEPORT) and splitting the room between them."""
    second = subprocess.run([sys.executable, str(ROOT / "run.py"), "--host", "127.0.0.1", "--port", str(server.port),
                             "--db", str(tmp_path / "other.db")], capture_output=True, text=True, timeout=60)
    assert second.returncode != 0
    assert f"port {server.port} is already in use" in second.stderr


def test_a_phone_keeps_its_entry_while_the_disk_is_full_and_the_director_sees_it(full_disk, browser):
    disk, server = full_disk
    observer = Page(browser, server, **PHONE)
    observer.login("observer")
    ready(observer.page)
    director = Page(browser, server, viewport={"width": 1280, "height": 720})
    director.login("director")
    director.page.wait_for_selector("body[data-ready='1']", timeout=15000)
    disk.fill()
    rate(observer.page, "S", "Logged while the disk was full.")
    observer.page.wait_for_selector("body[data-storage='failing']", timeout=15000)
    assert observer.page.locator("#mylog-list .state-waiting").count() == 1
    assert observer.page.locator("#mylog-list .state-refused").count() == 0
    assert "cannot save right now" in observer.page.inner_text("#banner")
    director.page.wait_for_selector("#storage-fault:not([hidden])", timeout=15000)
    assert "STORAGE FAILING" in director.page.inner_text("#storage-fault")
    disk.free()
    observer.page.wait_for_selector("#mylog-list .state-saved", timeout=20000)
    director.page.wait_for_selector("#storage-fault[hidden]", state="attached", timeout=15000)
    assert [e["note"] for e in server.get("/api/events", "director").json()["events"]] == [
        "Logged while the disk was full."]
    for page in (observer, director):
        page.context.close()


def test_a_director_screen_open_during_a_restore_draws_the_restored_log(tmp_path, browser):
    server = Server(tmp_path / "exercise.db").start()
    view = Page(browser, server, viewport={"width": 1280, "height": 720})
    view.login("director")  # before the backup: its session is in the copy (a later login would be too new)
    page = view.page
    page.wait_for_selector("body[data-ready='1']", timeout=15000)
    observer = server.connect("observer")
    for i in range(3):
        assert observer.submit(note(f"before the backup {i}"))["ok"]
    assert subprocess.run([sys.executable, str(ROOT / "run.py"), "backup", str(tmp_path / "backup.db"), "--db",
                           server.db_path], cwd=ROOT, capture_output=True, timeout=60).returncode == 0
    for i in range(3):
        assert observer.submit(note(f"lost with the disk {i}"))["ok"]
    wait_for_text(page, "#feed", "lost with the disk 2")
    page.evaluate("window.beforeTheRestore = true")
    server.stop()
    restored = Server(tmp_path / "backup.db", log_path=tmp_path / "restored.log", port=server.port).start()
    try:
        assert restored.connect("observer").submit(note("after the restore"))["ok"]
        wait_for_text(page, "#feed", "after the restore", timeout=30)
        assert page.evaluate("window.beforeTheRestore") is None  # drawn again from the restored log
        assert "lost with the disk" not in page.inner_text("#feed")
    finally:
        view.context.close()
        restored.stop()
