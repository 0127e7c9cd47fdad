"""Each class of bad input is refused with a clear sentence, before anything is stored."""

import pytest

from control.events import TEXT_LIMIT, InvalidEvent, parse_payload

from .conftest import new_id


def payload(kind, **fields):
    return {"id": new_id(), "kind": kind, **fields}


GOOD = {
    "action": dict(team="alpha", action_type="interview", site="club", text="talked to the manager"),
    "move": dict(team="alpha", site="club"),
    "inject": dict(inject="I-01"),
    "inject_skip": dict(inject="I-01", reason="no time"),
    "inject_defer": dict(inject="I-01", reason="actors late"),
    "evaluation": dict(objective="obj-identify", task="identify-separate", team="alpha", site="club",
                       rating="M", note="separated late", tag="improvement"),
    "note": dict(text="bookmark: the raid starts", bookmark=True, team="alpha"),
    "safety": dict(text="NO DUFF actor fainted", site="club"),
    "clock": dict(op="start"),
    "retract": dict(target=new_id(), reason="wrong team"),
    "amend": dict(target=new_id(), rating="P"),
}


@pytest.mark.parametrize("kind", sorted(GOOD))
def test_good_payloads_parse(scenario, kind):
    sub = parse_payload(payload(kind, **GOOD[kind]), scenario)
    assert sub.kind == kind


def test_safety_needs_no_words(scenario):
    assert parse_payload(payload("safety"), scenario).fields == {"text": ""}


@pytest.mark.parametrize("bad, message", [
    ("not an object", "the payload must be a JSON object"),
    ([1, 2], "the payload must be a JSON object"),
    (None, "the payload must be a JSON object"),
    ({"kind": "move", "team": "alpha", "site": "club"}, "missing field 'id'"),
    ({"id": "42", "kind": "move", "team": "alpha", "site": "club"}, "must be a UUID"),
    ({"id": 42, "kind": "move"}, "missing field 'id'"),
    (payload("dance"), "unknown kind 'dance'"),
    ({"id": new_id()}, "missing field 'kind'"),
    (payload("move", team="zulu", site="club"), "unknown team 'zulu'"),
    (payload("move", team="alpha", site="casino"), "unknown site 'casino'"),
    (payload("inject", inject="I-99"), "unknown inject 'I-99'"),
    (payload("evaluation", objective="obj-x", team="alpha", rating="P", note="n"), "unknown objective 'obj-x'"),
    (payload("evaluation", objective="obj-identify", task="fin-records", team="alpha", rating="P", note="n"),
     "unknown critical task 'fin-records' for objective 'obj-identify'"),
    (payload("evaluation", objective="obj-identify", team="alpha", rating="X", note="n"), "rating must be one of"),
    (payload("evaluation", objective="obj-identify", team="alpha", rating="P", note="n", tag="meh"), "tag must be"),
    (payload("action", team="alpha", action_type="dance", site="club", text="x"), "unknown action type 'dance'"),
    (payload("move", team="alpha"), "missing field 'site'"),
    (payload("move", team=7, site="club"), "field 'team' must be text"),
    (payload("note", text="x", bookmark="yes"), "field 'bookmark' must be true or false"),
    (payload("clock", op="start", day="2", time="09:00"), "field 'day' must be a whole number"),
    (payload("clock", op="rewind"), "op must be one of"),
    (payload("move", team="alpha", site="club", colour="red"), "unknown field 'colour' for kind 'move'"),
    (payload("move", team="alpha", site="club", seq=5), "field 'seq' is set by the server"),
    (payload("move", team="alpha", site="club", role="director"), "field 'role' is set by the server"),
    (payload("note", text="   "), "field 'text' must not be empty"),
    (payload("inject_skip", inject="I-01"), "missing field 'reason'"),
    (payload("note", text="x" * (TEXT_LIMIT + 1)), f"longer than {TEXT_LIMIT} characters"),
    (payload("move", team="a" * 101, site="club"), "longer than 100 characters"),
    (payload("move", team="alpha", site="club", observed_at="yesterday"), "observed_at"),
    (payload("move", team="alpha", site="club", observed_at="2026-05-04T09:00:00"), "no time zone"),
    (payload("amend", target=new_id()), "at least one corrected field"),
])
def test_bad_payloads_are_refused(scenario, bad, message):
    with pytest.raises(InvalidEvent) as e:
        parse_payload(bad, scenario)
    assert message in str(e.value)


def test_text_at_the_limit_is_fine(scenario):
    assert parse_payload(payload("note", text="x" * TEXT_LIMIT), scenario)


def test_observed_at_is_normalised_to_utc(scenario):
    sub = parse_payload(payload("move", team="alpha", site="club", observed_at="2026-05-04T11:30:00+02:00"), scenario)
    assert sub.observed_at == "2026-05-04T09:30:00.000000Z"


def test_ids_are_normalised(scenario):
    upper = new_id().upper()
    assert parse_payload({"id": upper, "kind": "move", "team": "alpha", "site": "club"}, scenario).id == upper.lower()
