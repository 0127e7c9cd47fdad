"""Every role × kind: who may submit it, and who may receive it."""

import pytest

from control.events import InvalidEvent
from control.permissions import all_roles, may_call, may_see, view

from .conftest import new_id

TEAMS = ["alpha", "bravo", "charlie", "delta", "echo"]
ROLES = all_roles(TEAMS)

# kind -> (fields about team alpha, roles that may submit them)
SUBMIT_CASES = {
    "clock": (dict(op="start"), {"director"}),
    "inject": (dict(inject="I-01"), {"director", "controller"}),
    "inject_skip": (dict(inject="I-01", reason="r"), {"director", "controller"}),
    "inject_defer": (dict(inject="I-01", reason="r"), {"director", "controller"}),
    "action": (dict(team="alpha", action_type="plan", site="hq", text="t"), {"director", "controller", "team:alpha"}),
    "move": (dict(team="alpha", site="hq"), {"director", "controller", "team:alpha"}),
    "evaluation": (dict(objective="obj-identify", team="alpha", rating="P", note="n"),
                   {"director", "controller", "lead_evaluator", "observer"}),
    "note": (dict(text="n", team="alpha"), {"director", "controller", "lead_evaluator", "observer"}),
    "assignment": (dict(person="p-eval-1", teams=["alpha"], day=2), {"director", "lead_evaluator"}),
    "agreed_rating": (dict(objective="obj-identify", team="alpha", rating="S", rationale="both saw the same"),
                      {"director", "lead_evaluator"}),
    "safety": (dict(text="real world: actor hurt"), set(ROLES) - {"screen"}),
    "inject (ad hoc)": (dict(inject="AD-1", adhoc=True, title="t", description="d", teams=["alpha"]),
                        {"director", "controller"}),
}


@pytest.mark.parametrize("kind", sorted(SUBMIT_CASES))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_submit(exercise, kind, role):
    fields, allowed = SUBMIT_CASES[kind]
    payload = {"id": new_id(), "kind": kind.split()[0], **fields}
    before = exercise.log.count()
    if role in allowed:
        assert exercise.submit(payload, role).event["role"] == role
        assert exercise.log.count() == before + 1
    else:
        with pytest.raises(InvalidEvent, match=f"the {role} role may"):
            exercise.submit(payload, role)
        assert exercise.log.count() == before


# kind -> event about team alpha -> roles that receive it
STAFF = {"director", "controller", "lead_evaluator", "observer"}
SEE_CASES = {
    "clock": ({"op": "start"}, set(ROLES)),
    "inject": ({"inject": "I-02", "teams": ["bravo", "delta"]}, {*STAFF, "screen",
                                                                   "team:bravo", "team:delta"}),
    "inject_skip": ({"inject": "I-02", "reason": "r"}, {*STAFF, "screen"}),
    "inject_defer": ({"inject": "I-02", "reason": "r"}, {*STAFF, "screen"}),
    "action": ({"team": "alpha"}, {*STAFF, "screen", "team:alpha"}),
    "move": ({"team": "alpha"}, {*STAFF, "screen", "team:alpha"}),
    "evaluation": ({"team": "alpha"}, {*STAFF, "screen"}),
    "note": ({"team": "alpha"}, {*STAFF, "screen"}),
    "safety": ({"role": "team:echo"}, {*STAFF, "screen", "team:echo"}),
    # who evaluates, and the agreed ratings: never the players, nor the screen they walk past
    "assignment": ({"person": "p-eval-1", "teams": ["alpha"]}, STAFF),
    "agreed_rating": ({"team": "alpha", "rating": "S"}, STAFF),
}


@pytest.mark.parametrize("kind", sorted(SEE_CASES))
@pytest.mark.parametrize("role", ROLES)
def test_who_receives(kind, role):
    fields, allowed = SEE_CASES[kind]
    event = {"kind": kind, "role": "director", **fields}
    assert may_see(role, event) == (role in allowed)


@pytest.mark.parametrize("role", ROLES)
def test_corrections_are_seen_by_whoever_sees_the_target(role):
    target = {"kind": "evaluation", "team": "alpha"}
    for kind in ("retract", "amend"):
        assert may_see(role, {"kind": kind, "target": "x"}, target) == (role in SEE_CASES["evaluation"][1])
        assert may_see(role, {"kind": kind, "target": "x"}, None) is False


def test_the_screen_gets_ratings_without_the_notes():
    rating = {"kind": "evaluation", "team": "alpha", "rating": "M", "note": "the manager stayed in the room"}
    assert view("screen", rating) == {"kind": "evaluation", "team": "alpha", "rating": "M"}
    assert view("director", rating) == rating
    amend = {"kind": "amend", "target": "x", "note": "corrected note", "rating": "S"}
    assert view("screen", amend, rating) == {"kind": "amend", "target": "x", "rating": "S"}
    assert view("team:alpha", rating) is None


@pytest.mark.parametrize("role", ROLES)
def test_a_safety_acknowledgement_reaches_whoever_saw_the_alert(role):
    alert = {"kind": "safety", "role": "team:echo"}
    assert may_see(role, {"kind": "safety_ack", "target": "x"}, alert) == (role in SEE_CASES["safety"][1])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["scenario", "events", "state"])
def test_every_role_may_call_the_read_endpoints(role, name):
    assert may_call(role, name)


def test_unknown_endpoint_is_closed():
    assert not may_call("director", "nothing")
