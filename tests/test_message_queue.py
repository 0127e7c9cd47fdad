"""Two server processes sharing broadcasts through a real redis-server: one writes the event log,
the other relays; an event submitted on either reaches the directors on both, exactly once."""

import threading
import time

import pytest

from tests.conftest import RedisServer, Server, new_id


@pytest.fixture
def redis_url(tmp_path):
    """A real redis-server; a missing one fails the test (never skips)."""
    try:
        server = RedisServer(tmp_path)
    except RuntimeError as e:
        pytest.fail(str(e))
    yield server.url
    server.stop()


@pytest.fixture
def two_processes(tmp_path, redis_url):
    db = tmp_path / "exercise.db"
    writer = Server(db, extra_args=["--message-queue", redis_url]).start()
    relay = Server(db, extra_args=["--message-queue", redis_url, "--relay"]).start()
    yield writer, relay
    relay.stop()
    writer.stop()


def note(text="seen on site"):
    return {"id": new_id(), "kind": "note", "text": text}


def copies(client, event_id, settle=0.5):
    """Return how many times `client` received the event, after waiting for any late copy."""
    client.wait_for(lambda e: e["id"] == event_id)
    time.sleep(settle)
    return sum(1 for e in client.received if e["id"] == event_id)


def test_an_event_on_the_relay_reaches_directors_on_both_processes_exactly_once(two_processes):
    writer, relay = two_processes
    on_writer, on_relay = writer.connect("director"), relay.connect("director")
    observer = relay.connect("observer")
    payload = note()
    ack = observer.submit(payload)
    assert ack["ok"] and ack["seq"] == 1 and not ack["duplicate"]
    assert copies(on_writer, payload["id"]) == 1
    assert copies(on_relay, payload["id"]) == 1
    again = observer.submit(payload)  # a resend through the relay finds the first
    assert again["ok"] and again["duplicate"] and again["seq"] == 1
    assert copies(on_writer, payload["id"], settle=0.3) == 1


def test_an_event_on_the_writer_reaches_a_director_on_the_relay_exactly_once(two_processes):
    writer, relay = two_processes
    on_relay = relay.connect("director")
    team = writer.connect("team:alpha")
    payload = {"id": new_id(), "kind": "action", "team": "alpha", "action_type": "interview", "site": "club",
               "text": "spoke to the manager"}
    assert team.submit(payload)["ok"]
    assert copies(on_relay, payload["id"]) == 1


def test_submits_on_both_processes_get_one_strictly_increasing_seq(two_processes):
    writer, relay = two_processes
    watchers = [writer.connect("director"), relay.connect("director")]
    senders = [writer.connect("controller"), relay.connect("controller"), relay.connect("observer")]
    acks = []

    def send(client):
        for i in range(15):
            acks.append(client.submit(note(f"entry {i}")))

    threads = [threading.Thread(target=send, args=(c,)) for c in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(a["ok"] for a in acks) and len(acks) == 45
    assert sorted(a["seq"] for a in acks) == list(range(1, 46))
    for watcher in watchers:
        watcher.wait_for(lambda e, w=watcher: len(w.received) >= 45)
        time.sleep(0.3)
        assert [e["seq"] for e in watcher.received] == list(range(1, 46))  # each once, in seq order


def test_the_relay_refuses_bad_input_with_the_writers_reason_and_stores_nothing(two_processes):
    writer, relay = two_processes
    team = relay.connect("team:bravo")
    ack = team.submit({"id": new_id(), "kind": "action", "team": "alpha", "action_type": "interview",
                       "site": "club", "text": "not our team"})
    assert not ack["ok"] and "own team" in ack["error"]
    ack = team.submit({"id": new_id(), "kind": "note", "text": "teams do not write staff notes"})
    assert not ack["ok"] and "may not submit note" in ack["error"]
    assert writer.get("/api/events", role="director").json()["events"] == []


def test_the_relay_shows_what_the_writer_stored_and_keeps_rooms_apart(two_processes):
    writer, relay = two_processes
    bravo_on_relay = relay.connect("team:bravo")
    alpha = writer.connect("team:alpha")
    release = {"id": new_id(), "kind": "inject", "inject": "I-01"}
    assert writer.connect("director").submit(release)["ok"]
    action = {"id": new_id(), "kind": "action", "team": "alpha", "action_type": "interview", "site": "club",
              "text": "spoke to the manager"}
    assert alpha.submit(action)["ok"]
    state = relay.get("/api/state", role="director").json()
    assert state["last_seq"] == 2
    assert state["injects"]["I-01"]["status"] == "released"
    time.sleep(0.5)
    assert action["id"] not in [e["id"] for e in bravo_on_relay.received]  # another team's action


def test_a_second_writer_on_the_same_queue_is_refused(two_processes, tmp_path, redis_url):
    """Two writers would each check against their own state: the second one must be a relay."""
    with pytest.raises(RuntimeError, match="another writer .* start this process with --relay"):
        Server(tmp_path / "other.db", extra_args=["--message-queue", redis_url]).start()


def test_a_writer_restarted_right_after_a_kill_takes_its_place_back(tmp_path, redis_url):
    """Its claim on the queue outlives it for a few seconds; a writer that is gone holds nothing."""
    writer = Server(tmp_path / "exercise.db", extra_args=["--message-queue", redis_url]).start()
    writer.kill9()
    again = Server(tmp_path / "exercise.db", extra_args=["--message-queue", redis_url],
                   log_path=tmp_path / "again.log").start()
    try:
        assert again.connect("observer").submit({"id": new_id(), "kind": "note", "text": "back"})["ok"]
    finally:
        again.stop()
