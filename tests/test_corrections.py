"""Retract and amend: new events naming an earlier one, allowed to whoever could have logged it."""

import pytest

from control.events import InvalidEvent

from .conftest import new_id, submit


def evaluation(exercise, role="observer", **extra):
    return submit(exercise, role, "evaluation", objective="obj-identify", team="alpha", rating="S",
                  note="slow to separate the manager", **extra)


def test_retract_removes_an_evaluation_from_the_state(exercise):
    first = evaluation(exercise)
    assert exercise.state_for("director")["objectives"]["obj-identify"]["alpha"]["S"] == 1
    submit(exercise, "observer", "retract", target=first["id"], reason="wrong team")
    assert exercise.state_for("director")["objectives"]["obj-identify"]["alpha"]["S"] == 0
    assert exercise.log.count() == 2  # the original is still in the log


def test_amend_corrects_fields_and_keeps_the_original(exercise):
    first = evaluation(exercise)
    submit(exercise, "observer", "amend", target=first["id"], rating="P", note="done well after all")
    counts = exercise.state_for("director")["objectives"]["obj-identify"]["alpha"]
    assert counts == {"P": 1, "S": 0, "M": 0, "U": 0}
    assert exercise.log.get(first["id"])["rating"] == "S"


def test_a_retracted_event_cannot_be_corrected_again(exercise):
    first = evaluation(exercise)
    submit(exercise, "observer", "retract", target=first["id"], reason="duplicate")
    with pytest.raises(InvalidEvent, match="already been retracted"):
        submit(exercise, "observer", "retract", target=first["id"], reason="again")
    with pytest.raises(InvalidEvent, match="already been retracted"):
        submit(exercise, "observer", "amend", target=first["id"], rating="U")


def test_unknown_target_is_refused(exercise):
    with pytest.raises(InvalidEvent, match="no entry with id"):
        submit(exercise, "observer", "retract", target=new_id(), reason="x")


def test_only_some_kinds_can_be_corrected(exercise):
    start = submit(exercise, "director", "clock", op="start")
    with pytest.raises(InvalidEvent, match="clock events cannot be corrected"):
        submit(exercise, "director", "retract", target=start["id"], reason="oops")


def test_amend_is_checked_as_the_target_kind(exercise):
    first = evaluation(exercise)
    with pytest.raises(InvalidEvent, match="rating must be one of"):
        submit(exercise, "observer", "amend", target=first["id"], rating="Q")
    with pytest.raises(InvalidEvent, match="unknown field 'text' for kind 'evaluation'"):
        submit(exercise, "observer", "amend", target=first["id"], text="x")
    with pytest.raises(InvalidEvent, match="unknown team 'zulu'"):
        submit(exercise, "observer", "amend", target=first["id"], team="zulu")
    assert exercise.log.count() == 1


def test_a_team_cannot_correct_what_it_could_not_log(exercise):
    their_move = submit(exercise, "team:bravo", "move", team="bravo", site="farm")
    rating = evaluation(exercise)
    # A team is not even told that another team's entries or the evaluations exist.
    with pytest.raises(InvalidEvent, match="no entry with id .* that you may correct"):
        submit(exercise, "team:alpha", "retract", target=their_move["id"], reason="not us")
    with pytest.raises(InvalidEvent, match="no entry with id .* that you may correct"):
        submit(exercise, "team:alpha", "retract", target=rating["id"], reason="we disagree")


def test_a_team_cannot_move_its_entry_to_another_team(exercise):
    own = submit(exercise, "team:alpha", "move", team="alpha", site="farm")
    with pytest.raises(InvalidEvent, match="may only log its own team's"):
        submit(exercise, "team:alpha", "amend", target=own["id"], team="bravo")
    submit(exercise, "team:alpha", "amend", target=own["id"], site="club")
    assert exercise.state_for("team:alpha")["teams"]["alpha"]["site"] == "club"


def test_corrections_reach_only_those_who_saw_the_original(exercise):
    rating = evaluation(exercise)
    retract = submit(exercise, "observer", "retract", target=rating["id"], reason="wrong objective")
    assert {role for role, _ in exercise.deliveries(retract)} == {"director", "controller", "lead_evaluator", "observer",
                                                                  "screen"}
    assert {role for role, _ in exercise.deliveries(submit(exercise, "team:alpha", "move", team="alpha",
                                                           site="hq"))} >= {"team:alpha"}


def test_resent_correction_is_a_duplicate(exercise):
    first = evaluation(exercise)
    payload = {"id": new_id(), "kind": "retract", "target": first["id"], "reason": "x"}
    stored = exercise.submit(payload, "observer")
    again = exercise.submit(payload, "observer")
    assert again.duplicate and again.event["seq"] == stored.event["seq"]


def test_an_id_taken_by_another_entry_is_refused_not_called_a_duplicate(exercise):
    """Sent again, an entry is a duplicate; another entry under its id is refused, and learns nothing."""
    theirs = submit(exercise, "team:bravo", "move", team="bravo", site="farm")
    same = exercise.submit({"id": theirs["id"], "kind": "move", "team": "bravo", "site": "farm"}, "team:bravo")
    assert same.duplicate is True
    with pytest.raises(InvalidEvent, match="is already taken by another entry"):
        exercise.submit({"id": theirs["id"], "kind": "move", "team": "alpha", "site": "club"}, "team:alpha")
    with pytest.raises(InvalidEvent, match="is already taken by another entry"):
        exercise.submit({"id": theirs["id"], "kind": "move", "team": "bravo", "site": "club"}, "team:bravo")
    assert exercise.log.count() == 1
