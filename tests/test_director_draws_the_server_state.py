"""The director's page folds nothing: after a sequence of every kind of event (corrections, clock
pause and resume, inject release, skip and defer, a safety alert and its acknowledgement), what
it draws is the state /api/state gives, in its panels as well as in its data."""

import time

from .conftest import new_id, until, wait_for_text
from .test_director_page import ready

COMPARED = ["last_seq", "teams", "injects", "objectives", "safety"]


def every_kind(server):
    """Drive one of each kind from the roles that send them; return the ids used."""
    director, controller = server.connect("director"), server.connect("controller")
    alpha, charlie, observer = server.connect("team:alpha"), server.connect("team:charlie"), server.connect("observer")
    ids = {name: new_id() for name in ("move", "moved", "action", "rating", "alert")}

    def send(client, payload):
        ack = client.submit({"id": new_id()} | payload)
        assert ack["ok"], (payload, ack)

    send(director, {"kind": "clock", "op": "start", "day": 1, "time": "13:00"})
    send(controller, {"kind": "inject", "inject": "I-01"})
    send(controller, {"kind": "inject_skip", "inject": "I-02", "reason": "the union rep is ill"})
    send(controller, {"kind": "inject_defer", "inject": "I-03", "reason": "after the raid"})
    send(alpha, {"id": ids["move"], "kind": "move", "team": "alpha", "site": "farm"})
    send(alpha, {"id": ids["moved"], "kind": "move", "team": "alpha", "site": "club"})
    send(alpha, {"id": ids["action"], "kind": "action", "team": "alpha", "site": "club", "action_type": "interview",
                 "text": "spoke to the bouncer", "inject": "I-01"})
    send(charlie, {"kind": "move", "team": "charlie", "site": "shelter"})
    send(observer, {"id": ids["rating"], "kind": "evaluation", "team": "alpha", "objective": "obj-identify",
                    "rating": "S", "note": "asked about passports"})
    send(observer, {"kind": "note", "team": "alpha", "text": "good briefing", "bookmark": True})
    send(observer, {"kind": "amend", "target": ids["rating"], "rating": "U", "reason": "meant U"})
    send(alpha, {"kind": "amend", "target": ids["action"], "site": "farm", "reason": "it was at the farm"})
    send(alpha, {"kind": "retract", "target": ids["moved"], "reason": "never went"})
    send(observer, {"id": ids["alert"], "kind": "safety", "text": "an actor fell on the stairs", "site": "club"})
    send(director, {"kind": "clock", "op": "pause"})
    send(director, {"kind": "clock", "op": "resume"})
    send(controller, {"kind": "inject", "adhoc": True, "inject": "AH-1", "title": "A call from the embassy",
                      "description": "The embassy asks about its citizen.", "teams": ["charlie"],
                      "delivery": "phone call"})
    send(director, {"kind": "safety_ack", "target": ids["alert"]})
    return ids


def drawn_state(page, done, timeout=10):
    """The state the page draws from, once `done(state)` holds."""
    deadline = time.monotonic() + timeout
    while True:
        state = page.evaluate("window.excon.server.state")
        if done(state) or time.monotonic() > deadline:
            return state
        time.sleep(0.1)


def test_after_every_kind_the_page_draws_what_the_server_folds(open_page, server):
    view = open_page("director")
    page = ready(view.page)
    every_kind(server)
    api = server.get("/api/state", "director").json()
    assert api["last_seq"] == 18
    wanted = {k: api[k] for k in COMPARED}
    drawn = drawn_state(page, lambda state: state["last_seq"] == api["last_seq"])
    assert {k: drawn[k] for k in COMPARED} == wanted
    assert page.evaluate("window.excon.server.state.clock.state") == "running"
    # What people see: the board, the alarm gone, the map, coverage and the feed as the server folds them.
    wait_for_text(page, "[data-inject='I-01']", "answered: Alpha")
    assert "SKIPPED" in page.inner_text("[data-inject='I-02']")
    assert "DEFERRED" in page.inner_text("[data-inject='I-03']")
    assert "A call from the embassy" in page.inner_text("[data-inject='AH-1']")
    until(page, "document.getElementById('safety').hidden")
    until(page, """(() => { const t = document.getElementById('map-plot').data.find((t) => t.name === 'Team Alpha');
        return t && Math.abs(t.x[0] - 860) < 40; })()""")  # back at the farm: the later move was withdrawn
    coverage = page.evaluate("document.getElementById('coverage-plot').data[0].hovertext[0][0]")
    assert "U 1" in coverage and "S 0" in coverage
    assert "(withdrawn)" in page.inner_text("#feed")
    assert "at Greenfield Farm" in page.inner_text("#feed").replace("\u2068", "").replace("\u2069", "")
    assert view.errors == []


def test_a_page_that_lost_its_connection_catches_up_with_the_state(open_page, server):
    view = open_page("screen")
    page = ready(view.page)
    view.context.set_offline(True)
    page.wait_for_selector("body:not([data-connection='live'])", timeout=15000)
    every_kind(server)
    view.context.set_offline(False)
    page.wait_for_selector("body[data-connection='live']", timeout=20000)
    api = server.get("/api/state", "screen").json()
    until(page, f"window.excon.server.state.last_seq === {api['last_seq']}", timeout=15)
    assert drawn_state(page, lambda state: True)["injects"] == api["injects"]
    until(page, "document.getElementById('safety').hidden")


def test_a_page_opened_after_a_quiet_stretch_shows_the_clock_as_it_is_now(open_page, server):
    director = server.connect("director")
    assert director.submit({"id": new_id(), "kind": "clock", "op": "start", "day": 1, "time": "13:00",
                            "rate": 600})["ok"]
    time.sleep(2)  # no event, so no push: the last one is 2 s (20 exercise minutes) old
    before = server.get("/api/state", "director").json()["clock"]["exercise_time"]
    view = open_page("director")
    page = ready(view.page)
    until(page, "document.body.dataset.stateVersion !== undefined")
    assert page.evaluate("window.excon.server.exerciseNow()") >= before
    assert page.evaluate("window.excon.server.state.clock.exercise_time") >= before
