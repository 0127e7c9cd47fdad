"""Every role × every endpoint, and every role × what it receives, against a real server."""

import pytest
import requests

from .conftest import CODES, new_id

STAFF = {"director", "controller", "lead_evaluator", "observer"}
TEAMS = {f"team:{t}" for t in ("alpha", "bravo", "charlie", "delta", "echo")}
# every role with a shared code (a lead evaluator is a person of the roster: see test_people.py)
ALL = STAFF - {"lead_evaluator"} | {"screen"} | TEAMS

ENDPOINTS = {
    "/api/scenario": ALL | STAFF, "/api/events": ALL | STAFF, "/api/state": ALL | STAFF,
    "/api/timeline": STAFF | {"screen"},
    "/api/marks": STAFF, "/api/evidence": STAFF, "/api/search": STAFF,
    "/api/injects/I-01": {"director", "controller", "lead_evaluator"},
    "/run-sheet": {"director", "controller"}, "/cue-sheet": {"director", "controller"},
    "/api/export/events.csv": STAFF, "/api/export/events.jsonl": STAFF, "/api/export/report.html": STAFF,
    "/director": {"director", "controller", "lead_evaluator", "screen"},
    "/wall": {"director", "controller", "lead_evaluator", "screen"},
    "/observe": STAFF, "/team": {"director", "controller"} | TEAMS, "/debrief": STAFF, "/codes": {"director"},
}


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
def test_who_may_call_each_endpoint(server, path):
    for role in sorted(ALL):
        bearer = requests.get(server.url + path, headers={"Authorization": f"Bearer {CODES[role]}"}, timeout=20)
        assert bearer.status_code == (200 if role in ENDPOINTS[path] else 403), (role, path, bearer.status_code)
        browser = requests.Session()
        browser.get(f"{server.url}/login?code={CODES[role]}", timeout=5)
        by_session = browser.get(server.url + path, timeout=20, allow_redirects=False)
        assert by_session.status_code == (200 if role in ENDPOINTS[path] else 403), (role, path)
    anonymous = requests.get(server.url + path, timeout=5, allow_redirects=False)
    assert anonymous.status_code in (401, 302)


# What each role receives of one event of each kind (about team alpha unless named).
RECEIVES = {
    "director": "all", "controller": "all", "observer": "all", "screen": "all",
    "team:alpha": {"clock", "inject-all", "action-alpha", "move-alpha", "retract-action", "action2-alpha",
                   "amend-to-bravo"},
    "team:bravo": {"clock", "inject-all", "inject-bravo", "amend-to-bravo", "recall-bravo", "request-bravo",
                   "answer-bravo"},
    "team:charlie": {"clock", "inject-all"},
    "team:delta": {"clock", "inject-all", "inject-bravo", "recall-bravo"},
    "team:echo": {"clock", "inject-all", "safety-echo", "ack-echo"},
}


def test_what_each_role_receives_by_broadcast_resume_and_http(server):
    listeners = {role: server.connect(role) for role in sorted(ALL)}
    director = server.connect("director")
    labels = {}

    def send(label, role, **fields):
        payload = {"id": new_id(), **fields}
        ack = (director if role == "director" else server.connect(role)).submit(payload)
        assert ack["ok"], (label, ack)
        labels[payload["id"]] = label
        return payload["id"]

    send("clock", "director", kind="clock", op="start")
    send("inject-all", "director", kind="inject", inject="I-01")
    send("inject-bravo", "director", kind="inject", inject="I-02")
    send("skip", "controller", kind="inject_skip", inject="I-03", reason="late")
    send("defer", "controller", kind="inject_defer", inject="I-04", reason="actors")
    send("recall-bravo", "controller", kind="inject_recall", inject="I-02", reason="control's own reason")
    send("shift", "director", kind="schedule_shift", day=2, time="09:00", minutes=15, reason="late")
    action = send("action-alpha", "team:alpha", kind="action", team="alpha", action_type="plan", site="hq", text="t")
    send("move-alpha", "team:alpha", kind="move", team="alpha", site="club")
    rating = send("eval-alpha", "observer", kind="evaluation", objective="obj-identify", team="alpha", rating="M",
                  note="evaluator's note")
    send("note", "observer", kind="note", text="staff note", team="alpha")
    alert = send("safety-echo", "team:echo", kind="safety", text="real world")
    send("ack-echo", "director", kind="safety_ack", target=alert)
    send("amend-eval", "observer", kind="amend", target=rating, rating="S", note="corrected note")
    send("retract-action", "team:alpha", kind="retract", target=action, reason="double")
    moved = send("action2-alpha", "controller", kind="action", team="alpha", action_type="plan", site="hq",
                 text="it was bravo's visit")
    send("amend-to-bravo", "controller", kind="amend", target=moved, team="bravo", reason="wrong team")
    request = send("request-bravo", "team:bravo", kind="request", team="bravo", request_kind="warrant", text="bravo's need")
    send("answer-bravo", "controller", kind="request_answer", request=request, text="control's answer")
    note = [i for i, label in labels.items() if label == "note"][0]
    send("retract-note", "observer", kind="retract", target=note, reason="the observer's own second thoughts")
    everything = set(labels.values())
    last = max(server.get("/api/events?limit=5000", "director").json()["events"], key=lambda e: e["seq"])
    listeners["director"].wait_for(lambda e: e["id"] == last["id"])
    cells = 0
    for role, client in listeners.items():
        expected = everything if RECEIVES[role] == "all" else RECEIVES[role]
        resumed = client.call("resume", {"since": 0})["events"]
        over_http = server.get("/api/events?limit=5000", role).json()["events"]
        order = list(labels.values())
        last_expected = max(expected, key=order.index)  # broadcasts arrive in order: wait for the last one
        client.wait_for(lambda e, last=last_expected: labels.get(e["id"]) == last)
        for channel, events in (("broadcast", client.received), ("resume", resumed), ("http", over_http)):
            got = {labels[e["id"]] for e in events if e["id"] in labels}
            assert got == expected, (role, channel, got ^ expected)
            cells += len(everything)
            for e in events:
                check_content(role, labels.get(e["id"]), e)
        state = server.get("/api/state", role).json()
        assert bool(state["objectives"]) == (role in STAFF | {"screen"})
        if role in ("team:alpha", "team:bravo", "director"):  # the moved action counts for bravo alone
            expected_actions = {"team:alpha": {"alpha": 0}, "team:bravo": {"bravo": 1}}.get(role, {"alpha": 0, "bravo": 1})
            assert {t: state["teams"][t]["actions"] for t in expected_actions} == expected_actions, role
    assert cells == len(ALL) * 3 * len(everything)


def check_content(role, label, event):
    """What a role reads of an event it receives: no free text on the screen players walk past, the
    submitting connection for the control cell only, an entry moved to another team out of reach."""
    if role not in ("director", "controller"):
        assert "conn" not in event, (role, label)
    if role == "screen" and label in ("eval-alpha", "amend-eval", "note", "retract-note", "request-bravo", "answer-bravo"):
        assert not {"note", "text", "reason"} & event.keys(), (role, label, event)
    if label == "recall-bravo" and role.startswith("team:"):  # withdrawn by control, not why
        assert "reason" not in event and event["inject"] == "I-02", event
    if label == "amend-to-bravo" and role == "team:alpha":  # told it is no longer theirs, not where it went
        assert event["removed"] is True and not {"team", "text", "entry", "reason"} & event.keys(), event
    if label == "amend-to-bravo" and role == "team:bravo":  # the whole entry, which bravo never saw before
        assert event["team"] == "bravo" and event["entry"]["text"] == "it was bravo's visit"
        assert event["entry"]["team"] == "bravo"


def test_no_actors_real_name_or_cue_reaches_a_player_or_an_evaluator(server, scenario):
    """The scenario names the actors behind the characters, and what they are told: the control cell's
    only.  Players read the in-play sender (`from`) alone — in the scenario, the release, the state."""
    director = server.connect("director")
    for inject in ("I-03", "I-08", "I-17"):  # delivered by actors
        assert director.submit({"id": new_id(), "kind": "inject", "inject": inject})["ok"]
    secrets = [a["name"] for a in scenario.actors.values()] + [i["cue"] for i in scenario.injects.values() if "cue" in i]
    assert len(secrets) > 10
    for role in sorted(TEAMS | {"screen", "observer"}):
        for path in ("/api/scenario", "/api/scenario?lang=ru", "/api/state", "/api/events?limit=5000"):
            text = server.get(path, role).text
            leaked = [s for s in secrets if s in text or s.replace("'", "\\u0027") in text]
            assert leaked == [], (role, path, leaked)
    page = requests.Session()
    page.get(f"{server.url}/login?code={CODES['team:alpha']}", timeout=5)
    assert not [s for s in secrets if s in page.get(server.url + "/team", timeout=20).text]
    assert "Maria Koval" in server.get("/api/scenario", "controller").text  # the control cell knows who plays whom
