"""The server pushes the state it folds to the rooms of the screens that draw it (director,
controllers, screen) after commits, coalesced, ending on the latest state; nobody else gets it."""

import threading
import time

from .conftest import new_id
from .test_state_push import apply_push

COMPARED = ("last_seq", "teams", "injects", "objectives", "safety")


def drawn_from(client):
    """Rebuild the state a page draws: the last push (asked over the socket), then every push after it."""
    answer = client.call("state", timeout=10)
    assert answer["ok"] and answer["version"] >= 1
    state, version = answer["state"], answer["version"]
    for push in list(client.states):
        if push["version"] <= version:
            continue
        assert "state" in push or push["from"] == version, "a push is missing"
        state, version = apply_push(state, push), push["version"]
    return state


def settle(client, count=3):
    """Wait until no new push has come for a while (the last one is after the last commit)."""
    seen, quiet_since = len(client.states), time.monotonic()
    while time.monotonic() - quiet_since < 1.0:
        time.sleep(0.05)
        if len(client.states) != seen:
            seen, quiet_since = len(client.states), time.monotonic()


def test_staff_screens_get_the_state_after_commits_and_others_get_nothing(server):
    director, controller, screen = (server.connect(r) for r in ("director", "controller", "screen"))
    observer, alpha = server.connect("observer"), server.connect("team:alpha")
    alpha.submit({"id": new_id(), "kind": "move", "team": "alpha", "site": "farm"})
    for client in (director, controller, screen):
        client_state = None
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and client_state is None:
            client_state = next((p for p in client.states if p.get("state", {}).get("last_seq") == 1
                                 or p.get("patch", {}).get("set", {}).get("last_seq") == 1), None)
            time.sleep(0.02)
        assert client_state is not None, client.states
    settle(director)
    assert observer.states == [] and alpha.states == []
    assert alpha.call("state")["state"]["teams"] == {"alpha": alpha.call("state")["state"]["teams"]["alpha"]}
    assert alpha.call("state")["version"] is None  # a team's state is read now, never pushed


def test_after_a_storm_of_entries_every_screen_ends_on_the_state_the_api_gives(server):
    director = server.connect("director")
    screen = server.connect("screen")
    director.submit({"id": new_id(), "kind": "clock", "op": "start"})
    director.submit({"id": new_id(), "kind": "inject", "inject": "I-01"})

    def tablet(team):
        client = server.connect(f"team:{team}")
        for i in range(20):
            ack = client.submit({"id": new_id(), "kind": "action", "team": team, "site": "farm",
                                 "action_type": "interview", "text": f"step {i}", "inject": "I-01" if i == 3 else None}
                                if team in ("alpha", "bravo") else
                                {"id": new_id(), "kind": "move", "team": team, "site": ["farm", "club"][i % 2]})
            assert ack["ok"], ack

    def observer():
        client = server.connect("observer")
        for i in range(20):
            assert client.submit({"id": new_id(), "kind": "evaluation", "team": "charlie", "objective": "obj-identify",
                                  "rating": "PSMU"[i % 4], "note": f"seen {i}"})["ok"]

    workers = [threading.Thread(target=tablet, args=(t,)) for t in ("alpha", "bravo", "delta")]
    workers.append(threading.Thread(target=observer))
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    settle(director)
    settle(screen)
    api = server.get("/api/state", "director").json()
    for client in (director, screen):
        drawn = drawn_from(client)
        assert {k: drawn[k] for k in COMPARED} == {k: api[k] for k in COMPARED}
        assert drawn["clock"]["state"] == "running"
    assert api["last_seq"] == 82
    assert len(director.states) < 82  # coalesced: fewer pushes than events
    assert any("patch" in push for push in director.states)


def test_the_last_push_is_handed_out_with_the_clock_read_now(server):
    """A quiet stretch: the last push is minutes old, the clock ran on; a screen that (re)connects
    must not start from the old reading."""
    director = server.connect("director")
    director.submit({"id": new_id(), "kind": "clock", "op": "start", "day": 1, "time": "13:00", "rate": 600})
    settle(director)
    pushed = director.states[-1]
    pushed_at = (pushed["state"] if "state" in pushed else pushed["patch"]["set"])["clock"]["exercise_time"]
    time.sleep(1.5)  # nothing happens: no push
    answer = director.call("state")
    assert answer["state"]["clock"]["exercise_time"] >= pushed_at + 600  # at least a second later, at 600×
    assert answer["state"]["at"] > pushed.get("state", pushed.get("patch", {}).get("set", {})).get("at", "")
