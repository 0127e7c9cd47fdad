"""Limits: wrong codes per address, submissions per connection, oversized messages."""

import time

import pytest
import requests
import socketio

from control.web.throttle import Bucket, WrongCodes

from .conftest import CODES, CODES_ENV, new_id


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_wrong_codes_block_an_address_for_the_window():
    clock = Clock()
    guard = WrongCodes(limit=3, window=60, clock=clock)
    for _ in range(2):
        guard.failed("10.0.0.9")
    assert guard.wait("10.0.0.9") == 0
    guard.failed("10.0.0.9")
    assert guard.wait("10.0.0.9") == 60 and guard.wait("10.0.0.10") == 0
    clock.now += 30
    assert guard.wait("10.0.0.9") == 30
    clock.now += 31
    assert guard.wait("10.0.0.9") == 0


def test_bucket_allows_a_burst_then_the_rate():
    clock = Clock()
    bucket = Bucket(rate=10, burst=5, clock=clock)
    assert [bucket.take() for _ in range(6)] == [True] * 5 + [False]
    clock.now += 0.25
    assert [bucket.take() for _ in range(3)] == [True, True, False]


def test_too_many_wrong_codes_get_429_and_refused_sockets(server):
    for _ in range(10):
        assert server.get("/api/state", headers={"Authorization": "Bearer guess"}).status_code == 401
    blocked = server.get("/api/state", headers={"Authorization": "Bearer guess"})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "Too many wrong codes" in blocked.json()["error"]
    # the right code from the same address waits too, on every door
    assert server.get("/api/state", "director").status_code == 429
    assert requests.get(f"{server.url}/login?code={CODES['director']}", timeout=5).status_code == 429
    with pytest.raises(socketio.exceptions.ConnectionError):
        socketio.Client(reconnection=False).connect(server.url, auth={"code": CODES["director"]},
                                                    transports=["websocket"], wait_timeout=5)


def test_the_rate_limit_answers_and_never_drops(server):
    client = server.connect("observer")
    payloads = [{"id": new_id(), "kind": "note", "text": f"burst {n}"} for n in range(150)]
    answers = {}
    for p in payloads:  # all at once, without waiting for each ack: a script gone wild
        client.emit("submit", p, callback=lambda ack, i=p["id"]: answers.__setitem__(i, ack))
    deadline = time.monotonic() + 30
    while len(answers) < len(payloads) and time.monotonic() < deadline:
        time.sleep(0.05)
    acks = [answers[p["id"]] for p in payloads]  # every submission got an answer
    slowed = [p for p, a in zip(payloads, acks, strict=True) if not a["ok"]]
    assert slowed, "150 submissions at once should meet the limit"
    for ack in acks:
        assert ack["ok"] or (ack["retry"] is True and "too many submissions from this connection" in ack["error"])
    stored = server.get("/api/events?limit=5000", "director").json()["events"]
    assert len(stored) == 150 - len(slowed)
    for p in slowed:  # sent again, as the phone's outbox does, at whatever pace the limit allows
        ack = client.submit(p)
        while ack.get("retry"):
            time.sleep(0.05)
            ack = client.submit(p)
        assert ack["ok"] and not ack["duplicate"]
    assert len(server.get("/api/events?limit=5000", "director").json()["events"]) == 150


def test_an_oversized_message_is_refused_at_the_transport(server):
    client = server.connect("observer")
    with pytest.raises((socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError,
                        socketio.exceptions.DisconnectedError)):
        client.call("submit", {"id": new_id(), "kind": "note", "text": "x" * 400_000}, timeout=5)
    assert server.get("/healthz").json()["ok"] is True
    assert server.get("/api/events", "director").json()["events"] == []
    assert server.connect("observer").submit({"id": new_id(), "kind": "note", "text": "after"})["ok"]


def test_behind_a_proxy_wrong_codes_count_per_client_not_per_proxy(tmp_path):
    """Behind nginx every request comes from 127.0.0.1: one guesser must not lock the whole room out."""
    from control.web import create_app

    app = create_app({"DATABASE": str(tmp_path / "proxy.db"), "CODES": CODES_ENV, "ASYNC_MODE": "threading",
                      "BEHIND_PROXY": True})
    client = app.test_client()

    def state(code, address):
        return client.get("/api/state", headers={"Authorization": f"Bearer {code}", "X-Forwarded-For": address})

    for _ in range(10):
        assert state("guess", "10.0.0.66").status_code == 401
    assert state("guess", "10.0.0.66").status_code == 429
    assert state(CODES["director"], "10.0.0.7").status_code == 200
