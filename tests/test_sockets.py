"""Socket.IO handlers through Flask-SocketIO's test client: quick checks of the contract."""

from control.web import socketio

from .conftest import CODES, new_id


def connect(app, role):
    return socketio.test_client(app, auth={"code": CODES[role]})


def events(client):
    return [m["args"][0] for m in client.get_received() if m["name"] == "event"]


def test_bad_or_missing_code_is_refused(app):
    assert not socketio.test_client(app, auth={"code": "guess"}).is_connected()
    assert not socketio.test_client(app).is_connected()
    assert not socketio.test_client(app, auth="dir-code").is_connected()


def test_submit_acks_after_storing_and_broadcasts_by_role(app):
    director, alpha, bravo, screen = (connect(app, r) for r in ("director", "team:alpha", "team:bravo", "screen"))
    payload = {"id": new_id(), "kind": "move", "team": "alpha", "site": "club"}
    ack = alpha.emit("submit", payload, callback=True)
    assert ack == {"ok": True, "seq": 1, "duplicate": False, "placed_time": None}
    assert app.extensions["excon"].exercise.log.get(payload["id"])["site"] == "club"
    assert [e["id"] for e in events(director)] == [payload["id"]]
    assert [e["id"] for e in events(alpha)] == [payload["id"]]
    assert [e["id"] for e in events(screen)] == [payload["id"]]
    assert events(bravo) == []


def test_duplicate_is_acked_with_the_first_seq_and_not_broadcast_again(app):
    alpha, director = connect(app, "team:alpha"), connect(app, "director")
    payload = {"id": new_id(), "kind": "move", "team": "alpha", "site": "club"}
    first = alpha.emit("submit", payload, callback=True)
    again = alpha.emit("submit", payload, callback=True)
    assert again == {"ok": True, "seq": first["seq"], "duplicate": True, "placed_time": None}
    assert len(events(director)) == 1


def test_refusal_is_one_sentence_and_stores_nothing(app):
    observer = connect(app, "observer")
    ack = observer.emit("submit", {"id": new_id(), "kind": "clock", "op": "start"}, callback=True)
    assert ack == {"ok": False, "error": "the observer role may not submit clock events"}
    assert observer.emit("submit", "hello", callback=True)["error"] == "the payload must be a JSON object"
    assert app.extensions["excon"].exercise.log.count() == 0
    assert events(observer) == []


def test_resume_returns_what_the_role_may_see(app):
    director = connect(app, "director")
    for team in ("alpha", "bravo", "alpha"):
        director.emit("submit", {"id": new_id(), "kind": "move", "team": team, "site": "hq"}, callback=True)
    alpha = connect(app, "team:alpha")
    ack = alpha.emit("resume", {"since": 1}, callback=True)
    assert ack["ok"] and [e["seq"] for e in ack["events"]] == [3] and ack["more"] is False
    assert alpha.emit("resume", {"since": "x"}, callback=True)["ok"] is False
    assert alpha.emit("resume", None, callback=True)["ok"] is False


def test_every_new_app_keeps_the_handlers(tmp_path):
    # Flask-SocketIO hands handlers to a server only at init_app: a second app must still refuse bad codes.
    from control.web import create_app

    from .conftest import CODES_ENV
    for n in range(2):
        app = create_app({"DATABASE": str(tmp_path / f"{n}.db"), "CODES": CODES_ENV, "ASYNC_MODE": "threading"})
        assert not socketio.test_client(app, auth={"code": "guess"}).is_connected()
        director = connect(app, "director")
        assert director.emit("submit", {"id": new_id(), "kind": "clock", "op": "start"}, callback=True)["ok"]


def test_submit_and_resume_without_a_payload_are_answered(app):
    client = connect(app, "observer")
    assert client.emit("submit", callback=True) == {"ok": False, "error": "the payload must be a JSON object"}
    assert client.emit("submit", {"a": 1}, {"b": 2}, callback=True)["ok"] is False
    assert client.emit("resume", callback=True)["ok"] is False
