"""Releasing, skipping and deferring MSEL injects, and answering them."""

import pytest

from control.events import InvalidEvent

from .conftest import new_id, submit


def test_release_carries_the_player_facing_content_only(exercise, scenario):
    event = submit(exercise, "controller", "inject", inject="I-03")
    row = scenario.injects["I-03"]
    assert event["title"] == row["title"] and event["teams"] == row["teams"] and event["delivery"] == row["delivery"]
    assert "expected_actions" not in event and "controller_notes" not in event
    assert exercise.state_for("director")["injects"]["I-03"]["status"] == "released"


def test_an_inject_is_released_once(exercise):
    submit(exercise, "controller", "inject", inject="I-03")
    with pytest.raises(InvalidEvent, match="already released"):
        submit(exercise, "director", "inject", inject="I-03")


def test_skip_and_defer_need_a_reason_and_stop_at_release(exercise):
    submit(exercise, "controller", "inject_defer", inject="I-04", reason="bank actor late")
    assert exercise.state_for("director")["injects"]["I-04"]["status"] == "deferred"
    submit(exercise, "controller", "inject", inject="I-04")
    with pytest.raises(InvalidEvent, match="can no longer be skipped"):
        submit(exercise, "controller", "inject_skip", inject="I-04", reason="too late")


def test_a_skipped_inject_can_still_be_released(exercise):
    submit(exercise, "controller", "inject_skip", inject="I-02", reason="play drifted")
    submit(exercise, "director", "inject", inject="I-02")
    assert exercise.state_for("director")["injects"]["I-02"]["status"] == "released"


def test_an_action_answers_only_an_inject_released_to_its_team(exercise):
    action = dict(team="bravo", action_type="inspection", site="construction", text="plan the inspection")
    with pytest.raises(InvalidEvent, match="no inject 'I-02' was released to your team"):
        submit(exercise, "team:bravo", "action", inject="I-02", **action)
    with pytest.raises(InvalidEvent, match="has not been released"):  # control may know more
        submit(exercise, "controller", "action", inject="I-02", **action)
    submit(exercise, "controller", "inject", inject="I-02")  # to bravo and delta
    assert submit(exercise, "team:bravo", "action", inject="I-02", **action)["inject"] == "I-02"
    # Team alpha hears the same whether I-02 went to others or exists at all.
    with pytest.raises(InvalidEvent, match="no inject 'I-02' was released to your team"):
        submit(exercise, "team:alpha", "action", inject="I-02", **{**action, "team": "alpha"})
    with pytest.raises(InvalidEvent, match="was not released to team alpha"):
        submit(exercise, "controller", "action", inject="I-02", **{**action, "team": "alpha"})


def test_a_team_sees_only_its_own_injects(exercise):
    submit(exercise, "controller", "inject", inject="I-02")  # bravo, delta
    submit(exercise, "controller", "inject", inject="I-04")  # alpha, echo
    alpha = exercise.state_for("team:alpha")
    assert list(alpha["injects"]) == ["I-04"] and list(alpha["teams"]) == ["alpha"] and alpha["objectives"] == {}
    events, _, _ = exercise.events_for("team:alpha")
    assert [e["inject"] for e in events] == ["I-04"]
    assert exercise.scenario_for("team:alpha").get("injects") is None
    assert len(exercise.scenario_for("screen")["injects"]) == len(exercise.scenario.injects)


ADHOC = dict(inject="AD-01", adhoc=True, title="Journalist at the gate", description="A reporter films the raid.",
             teams=["alpha", "charlie"], site="club", delivery="actor walk-in")


def test_an_adhoc_inject_is_released_with_its_own_content(exercise):
    event = submit(exercise, "controller", "inject", **ADHOC)
    assert event["title"] == ADHOC["title"] and event["teams"] == ["alpha", "charlie"]
    state = exercise.state_for("director")["injects"]["AD-01"]
    assert state["status"] == "released" and state["adhoc"] is True and state["title"] == ADHOC["title"]
    assert [e["inject"] for e in exercise.events_for("team:charlie")[0]] == ["AD-01"]
    assert exercise.events_for("team:bravo")[0] == []
    action = dict(team="alpha", action_type="media", site="club", text="sent the reporter to the press office")
    assert submit(exercise, "team:alpha", "action", inject="AD-01", **action)["inject"] == "AD-01"
    with pytest.raises(InvalidEvent, match="already released"):
        submit(exercise, "controller", "inject", **ADHOC)


@pytest.mark.parametrize("change, message", [
    (dict(adhoc=None), "unknown inject 'AD-01' (an ad-hoc inject needs adhoc: true)"),
    (dict(inject="I-01"), "already in the MSEL"),
    (dict(title=None), "missing field 'title' for an ad-hoc inject"),
    (dict(teams=[]), "must name at least one team"),
    (dict(teams=["alpha", "zulu"]), "unknown team 'zulu'"),
    (dict(teams="alpha"), "must be a list of ids"),
    (dict(teams=["alpha", "alpha"]), "names a team twice"),
    (dict(site="moon"), "unknown site 'moon'"),
    (dict(delivery="pigeon"), "delivery must be one of"),
])
def test_bad_adhoc_injects_are_refused(exercise, change, message):
    payload = {k: v for k, v in {**ADHOC, **change}.items() if v is not None}
    with pytest.raises(InvalidEvent) as e:
        submit(exercise, "controller", "inject", **payload)
    assert message in str(e.value) and exercise.log.count() == 0


def test_an_msel_release_cannot_rewrite_the_msel(exercise):
    with pytest.raises(InvalidEvent, match="comes from the MSEL"):
        submit(exercise, "controller", "inject", inject="I-01", title="something else")


def test_answering_an_unknown_inject(exercise):
    with pytest.raises(InvalidEvent, match="unknown inject 'AD-9'"):
        submit(exercise, "controller", "action", team="alpha", action_type="plan", site="hq", text="x", inject="AD-9")
    with pytest.raises(InvalidEvent, match="no inject 'AD-9' was released to your team"):
        submit(exercise, "team:alpha", "action", team="alpha", action_type="plan", site="hq", text="x", inject="AD-9")


def test_a_team_learns_nothing_of_the_msel_from_refusals(exercise):
    """The permission is asked before the scenario: known and unknown inject ids read the same."""
    answers = set()
    for inject in ("I-05", "I-99"):
        for payload in ({"kind": "inject_skip", "inject": inject, "reason": "r"},
                        {"kind": "inject", "inject": inject, "adhoc": True, "title": "t", "description": "d",
                         "teams": ["alpha"]}):
            with pytest.raises(InvalidEvent) as refused:
                exercise.submit({"id": new_id(), **payload}, "team:alpha")
            answers.add((payload["kind"], str(refused.value)))
    assert answers == {("inject_skip", "the team:alpha role may not submit inject_skip events"),
                       ("inject", "the team:alpha role may not submit inject events")}


def test_an_amend_may_unlink_an_inject_and_move_the_action_at_once(exercise):
    submit(exercise, "controller", "inject", inject="I-01")  # to every team
    action = submit(exercise, "controller", "action", team="alpha", action_type="plan", site="hq", text="t",
                    inject="I-01")
    submit(exercise, "controller", "inject", inject="I-02")  # to bravo and delta only
    moved = submit(exercise, "controller", "action", team="bravo", action_type="plan", site="hq", text="u",
                   inject="I-02")
    submit(exercise, "controller", "amend", target=moved["id"], team="alpha", inject=None)
    state = exercise.state_for("director")
    assert state["teams"]["alpha"]["actions"] == 2 and state["teams"]["bravo"]["actions"] == 0
    assert "bravo" not in state["injects"]["I-02"]["responses"]
    assert action["inject"] == "I-01"


def test_a_deferred_inject_falls_due_at_its_new_time(exercise, hand_clock):
    exercise.submit({"id": new_id(), "kind": "clock", "op": "start", "day": 2, "time": "09:10"}, "director")
    reason = "The actor playing the driver is late."
    exercise.submit({"id": new_id(), "kind": "inject_defer", "inject": "I-05", "reason": reason, "day": 2,
                     "time": "10:40"}, "controller")
    entry = exercise.state_for("director")["injects"]["I-05"]
    assert (entry["status"], entry["day"], entry["time"], entry["due"]) == ("deferred", 2, "10:40", 86400 + 10 * 3600 + 2400)
    with pytest.raises(InvalidEvent, match="day 2 08:00 is already past") as refused:
        exercise.submit({"id": new_id(), "kind": "inject_defer", "inject": "I-06", "reason": reason, "day": 2,
                         "time": "08:00"}, "controller")
    assert refused.value.field == "time"
    with pytest.raises(InvalidEvent, match="day and time go together"):
        exercise.submit({"id": new_id(), "kind": "inject_defer", "inject": "I-06", "reason": reason, "day": 3}, "controller")
    exercise.submit({"id": new_id(), "kind": "inject_defer", "inject": "I-06", "reason": reason}, "controller")
    assert exercise.state_for("director")["injects"]["I-06"]["time"] == "09:45"  # no new time: its old one
