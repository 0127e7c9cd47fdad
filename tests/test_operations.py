"""Operator commands against a running server: rotate a code, back up, serve HTTPS."""

import sqlite3
import subprocess
import sys
import time

import pytest
import requests
import socketio

from .conftest import CODES, ROOT, Server, new_id
from .test_photos import png


def run(*args, **kwargs):
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, **kwargs)


def test_rotating_a_code_drops_the_old_code_sessions_and_sockets(tmp_path):
    server = Server(tmp_path / "x.db", codes_env="").start()  # codes kept in the database, as in real use
    try:
        codes = dict(line.split()[:2] for line in run("codes", "--db", server.db_path).stdout.splitlines())
        old = codes["observer"]
        client = socketio.Client(reconnection=False)
        client.connect(server.url, auth={"code": old}, transports=["websocket"], wait_timeout=10)
        browser = requests.Session()
        browser.get(f"{server.url}/login?code={old}", timeout=5)
        assert browser.get(server.url + "/api/state", timeout=5).status_code == 200
        result = run("codes", "--db", server.db_path, "--rotate", "observer")
        assert result.returncode == 0, result.stderr
        new = dict(line.split()[:2] for line in result.stdout.splitlines()[1:])["observer"]
        assert new != old and "New code for observer" in result.stdout
        deadline = time.monotonic() + 10
        while client.connected and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not client.connected  # the server dropped the socket that used the old code
        assert browser.get(server.url + "/api/state", timeout=5).status_code == 401  # and its session
        assert requests.get(server.url + "/api/state", headers={"Authorization": f"Bearer {old}"},
                            timeout=5).status_code == 401
        fresh = socketio.Client(reconnection=False)
        fresh.connect(server.url, auth={"code": new}, transports=["websocket"], wait_timeout=10)
        assert fresh.call("submit", {"id": new_id(), "kind": "note", "text": "new code works"})["ok"]
        fresh.disconnect()
        other = run("codes", "--db", server.db_path).stdout
        assert codes["director"] in other  # the other roles keep theirs
    finally:
        server.stop()


def test_rotate_refuses_an_unknown_role(tmp_path):
    result = run("codes", "--db", str(tmp_path / "x.db"), "--rotate", "admiral")
    assert result.returncode != 0 and "unknown role 'admiral'" in result.stderr


def test_backup_while_the_exercise_runs(server, tmp_path):
    writer = server.connect("observer")
    photo = requests.post(server.url + "/api/photos", data=png(), timeout=10,
                          headers={"Authorization": f"Bearer {CODES['observer']}"}).json()["name"]
    for n in range(30):
        assert writer.submit({"id": new_id(), "kind": "note", "text": f"before backup {n}", "photos": [photo]})["ok"]
    copy = tmp_path / "backup.db"
    result = run("backup", str(copy), "--db", server.db_path)
    assert result.returncode == 0, result.stderr
    assert "Backed up 30 events" in result.stdout and "Photos copied to " in result.stdout
    assert (tmp_path / "backup.db.photos" / photo).read_bytes() == png()  # the photos go with the log
    assert writer.submit({"id": new_id(), "kind": "note", "text": "after backup"})["ok"]  # the server goes on
    db = sqlite3.connect(copy)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 30
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("DELETE FROM events")  # the copy keeps the append-only triggers
    db.close()
    # restore: start a server on the copy; it carries on from there
    restored = Server(copy).start()
    try:
        assert len(restored.get("/api/events", "director").json()["events"]) == 30
        assert restored.connect("observer").submit({"id": new_id(), "kind": "note", "text": "resumed"})["seq"] == 31
    finally:
        restored.stop()
    assert run("backup", str(copy), "--db", server.db_path).returncode != 0  # never over an existing file


def test_https_on_the_lan_with_secure_cookies(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server = Server(tmp_path / "tls.db", extra_args=["--certfile", str(cert), "--keyfile", str(key)], tls=True).start()
    try:
        response = requests.get(f"{server.url}/login?code={CODES['director']}", verify=str(cert), timeout=5,
                                allow_redirects=False)
        assert response.status_code == 303 and "Secure" in response.headers["Set-Cookie"]
        assert "HttpOnly" in response.headers["Set-Cookie"]
        client = socketio.Client(reconnection=False, ssl_verify=False)
        client.connect(server.url, auth={"code": CODES["director"]}, transports=["websocket"], wait_timeout=10)
        assert client.call("submit", {"id": new_id(), "kind": "clock", "op": "start"})["ok"]
        client.disconnect()
    finally:
        server.stop()
