"""Against a real `run.py` process with real python-socketio clients over websocket."""

import sqlite3
import time

import pytest
import socketio

from .conftest import CODES, Server, new_id


def move(team, site="hq"):
    return {"id": new_id(), "kind": "move", "team": team, "site": site}


def test_ack_and_broadcast_to_every_allowed_client(server):
    director, observer, alpha, screen = (server.connect(r) for r in ("director", "observer", "team:alpha", "screen"))
    payload = move("alpha", "club")
    ack = alpha.submit(payload)
    assert ack == {"ok": True, "seq": 1, "duplicate": False, "placed_time": None}
    for client in (director, observer, alpha, screen):
        event = client.wait_for(lambda e: e["id"] == payload["id"])
        assert event["seq"] == 1 and event["role"] == "team:alpha" and event["site"] == "club"
        assert event["ts"].endswith("Z")


def barrier(server, team_client, team):
    """Send an event the team may see and wait for it: whatever came before has arrived too."""
    marker = move(team)
    server.connect("controller").submit(marker)
    team_client.wait_for(lambda e: e["id"] == marker["id"])


def test_clients_never_receive_what_their_role_may_not_see(server):
    director, observer, screen = server.connect("director"), server.connect("observer"), server.connect("screen")
    alpha, bravo = server.connect("team:alpha"), server.connect("team:bravo")
    evaluation = {"id": new_id(), "kind": "evaluation", "objective": "obj-identify", "team": "alpha",
                  "rating": "M", "note": "the manager stayed in the room during the interview"}
    assert observer.submit(evaluation)["ok"]
    assert director.submit({"id": new_id(), "kind": "inject", "inject": "I-02"})["ok"]  # bravo and delta
    assert director.submit({"id": new_id(), "kind": "inject_skip", "inject": "I-03", "reason": "late"})["ok"]
    assert director.submit({"id": new_id(), "kind": "note", "text": "controller aside", "team": "alpha"})["ok"]
    assert bravo.submit({"id": new_id(), "kind": "safety", "text": "real world: player twisted an ankle"})["ok"]
    alpha_move = move("alpha")
    assert alpha.submit(alpha_move)["ok"]
    director.wait_for(lambda e: e["id"] == alpha_move["id"])
    barrier(server, alpha, "alpha")
    barrier(server, bravo, "bravo")
    screen.wait_for(lambda e: e["id"] == alpha_move["id"])

    def kinds(client):
        return [e["kind"] for e in client.received]

    assert "evaluation" in kinds(director) and "evaluation" in kinds(observer)
    on_screen = next(e for e in screen.received if e["kind"] == "evaluation")
    assert on_screen["rating"] == "M" and "note" not in on_screen  # ratings for coverage, never the notes
    assert kinds(alpha) == ["move", "move"]  # its own move and the barrier; nothing else
    assert [e["kind"] for e in bravo.received] == ["inject", "safety", "move"]
    assert bravo.received[0]["inject"] == "I-02"
    # the HTTP views filter the same way
    alpha_events = server.get("/api/events", "team:alpha").json()["events"]
    assert [e["kind"] for e in alpha_events] == ["move", "move"]
    assert server.get("/api/state", "team:bravo").json()["objectives"] == {}
    resumed = alpha.call("resume", {"since": 0})
    assert [e["kind"] for e in resumed["events"]] == ["move", "move"]


def test_resubmitting_an_id_never_creates_a_second_event(server):
    alpha, director = server.connect("team:alpha"), server.connect("director")
    payload = move("alpha", "farm")
    first = alpha.submit(payload)
    again = {"ok": True, "seq": first["seq"], "duplicate": True, "placed_time": None}
    assert [alpha.submit(payload) for _ in range(3)] == [again] * 3
    other = server.connect("team:alpha")  # a resend from a reconnected client
    assert other.submit(payload)["duplicate"] is True
    director.wait_for(lambda e: e["id"] == payload["id"])
    barrier(server, director, "alpha")
    assert [e["id"] for e in director.received].count(payload["id"]) == 1
    assert len(server.get("/api/events", "director").json()["events"]) == 2


BAD_INPUTS = [
    ("team:alpha", {"id": new_id(), "kind": "dance", "team": "alpha"}, "unknown kind"),
    ("team:alpha", move("zulu"), "unknown team 'zulu'"),
    ("team:alpha", {"id": new_id(), "kind": "move", "team": "alpha", "site": "casino"}, "unknown site 'casino'"),
    ("observer", {"id": new_id(), "kind": "evaluation", "objective": "obj-nope", "team": "alpha", "rating": "P",
                  "note": "n"}, "unknown objective 'obj-nope'"),
    ("director", {"id": new_id(), "kind": "inject", "inject": "I-404"}, "unknown inject 'I-404'"),
    ("team:alpha", {"id": new_id(), "kind": "move", "team": "alpha"}, "missing field 'site'"),
    ("team:alpha", {"id": new_id(), "kind": "move", "team": ["alpha"], "site": "hq"}, "field 'team' must be text"),
    ("observer", {"id": new_id(), "kind": "note", "text": "x" * 10_001}, "longer than 10000 characters"),
    ("observer", "just a string", "the payload must be a JSON object"),
    ("observer", [1, 2, 3], "the payload must be a JSON object"),
    ("observer", 42, "the payload must be a JSON object"),
    ("team:alpha", {"id": new_id(), "kind": "clock", "op": "start"}, "the team:alpha role may not submit clock"),
    ("team:alpha", move("bravo"), "may only log its own team's move"),
    ("screen", {"id": new_id(), "kind": "safety", "text": "x"}, "the screen role may not submit safety"),
    ("observer", {"kind": "note", "text": "no id"}, "missing field 'id'"),
]


@pytest.fixture(scope="module")
def quiet_server(tmp_path_factory):
    """One server for the bad-input cases: none of them may store anything."""
    srv = Server(tmp_path_factory.mktemp("bad") / "exercise.db").start()
    yield srv
    srv.stop()


@pytest.mark.parametrize("role, payload, message", BAD_INPUTS, ids=[m for _, _, m in BAD_INPUTS])
def test_bad_input_is_refused_clearly_and_stores_nothing(quiet_server, role, payload, message):
    server = quiet_server
    client = server.connect(role)
    ack = client.submit(payload)
    assert ack["ok"] is False and message in ack["error"]
    assert "\n" not in ack["error"] and len(ack["error"]) < 300  # one plain sentence, no traceback
    assert server.get("/api/events", "director").json()["events"] == []
    assert client.received == []


def test_resume_after_a_dropped_connection(server):
    alpha = server.connect("team:alpha")
    first = move("alpha", "club")
    alpha.submit(first)
    seen = alpha.wait_for(lambda e: e["id"] == first["id"])["seq"]
    alpha.disconnect()
    director = server.connect("director")
    missed = [move("alpha", site) for site in ("hq", "farm")]
    for payload in missed:
        director.submit(payload)
    director.submit(move("bravo"))  # not alpha's business
    again = server.connect("team:alpha")
    ack = again.call("resume", {"since": seen})
    assert ack["ok"] and [e["id"] for e in ack["events"]] == [p["id"] for p in missed]
    assert again.call("resume", {"since": "zero"})["ok"] is False


def test_bad_codes_are_refused(server):
    for auth in ({"code": "guess"}, {}, None, {"code": 5}):
        client = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=5)
    assert server.get("/api/events").status_code == 401
    assert server.get("/api/state", headers={"Authorization": "Bearer guess"}).status_code == 401


def test_an_acknowledged_event_survives_kill_9(tmp_path):
    srv = Server(tmp_path / "crash.db").start()
    try:
        director = srv.connect("director")
        acked = []
        for n in range(20):
            payload = move("alpha", ("club", "hq")[n % 2])
            assert director.submit(payload)["ok"]
            acked.append(payload["id"])
        director.submit({"id": new_id(), "kind": "clock", "op": "start"})
        srv.clients.clear()
        srv.kill9()
        rows = sqlite3.connect(srv.db_path).execute("SELECT id FROM events ORDER BY seq").fetchall()
        assert [r[0] for r in rows][:20] == acked
        srv.start()  # the same database file
        events = srv.get("/api/events", "director").json()["events"]
        assert [e["id"] for e in events][:20] == acked and len(events) == 21
        assert srv.get("/api/state", "director").json()["clock"]["state"] == "running"
        again = srv.connect("director")
        assert again.submit({"id": acked[0], "kind": "move", "team": "alpha", "site": "club"})["duplicate"]
        assert again.submit(move("alpha"))["seq"] == 22
    finally:
        srv.stop()


def test_clock_survives_a_restart(tmp_path):
    srv = Server(tmp_path / "clock.db").start()
    try:
        director = srv.connect("director")
        director.submit({"id": new_id(), "kind": "clock", "op": "start", "day": 3, "time": "09:00"})
        time.sleep(0.3)
        director.submit({"id": new_id(), "kind": "clock", "op": "pause"})
        paused = srv.get("/api/state", "director").json()["clock"]
        srv.stop()
        srv.start()
        after = srv.get("/api/state", "director").json()["clock"]
        assert after["state"] == "paused" and after["exercise_time"] == paused["exercise_time"]
        assert after["day"] == 3
        assert srv.connect("director").submit({"id": new_id(), "kind": "clock", "op": "pause"})["error"] == \
            "cannot pause the exercise clock while it is paused"
    finally:
        srv.stop()


def test_http_endpoints_of_the_real_server(server):
    assert server.get("/healthz").json()["ok"] is True
    assert server.get("/api/scenario", "observer").json()["exercise"]["id"] == "marenburg-2026"
    assert "injects" not in server.get("/api/scenario", "team:echo").json()
    assert server.get("/api/events?limit=9999", "director").status_code == 400
    assert server.get("/api/state?at=nonsense", "director").status_code == 400


def test_codes_from_the_environment_are_used(server):
    assert set(CODES) == {"director", "controller", "observer", "screen", "team:alpha", "team:bravo",
                          "team:charlie", "team:delta", "team:echo"}
    for role in CODES:
        assert server.connect(role).connected
