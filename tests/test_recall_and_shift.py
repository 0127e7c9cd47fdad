"""Undoing a release made by mistake, and moving the rest of the schedule when play runs late."""

import pytest

from control.events import InvalidEvent
from control.timefmt import exercise_seconds

from .conftest import submit


@pytest.fixture
def running(exercise, hand_clock):
    """Day 2 at 09:00, the clock running."""
    submit(exercise, "director", "clock", op="start", day=2, time="09:00")
    return exercise


def test_a_recalled_inject_is_back_on_the_board_and_can_go_out_again(running, hand_clock):
    submit(running, "controller", "inject", inject="I-05")
    hand_clock.advance(minutes=2)
    action = submit(running, "team:alpha", "action", team="alpha", action_type="plan", site="club",
                    text="we start at once", inject="I-05")
    recall = submit(running, "controller", "inject_recall", inject="I-05", reason="released an hour early")
    assert recall["teams"] == ["alpha", "charlie"]  # filled in by the server from the release
    entry = running.state_for("director")["injects"]["I-05"]
    assert (entry["status"], entry["reason"], entry["responses"], entry["day"], entry["time"]) == (
        "recalled", "released an hour early", {}, 2, "09:10")
    assert running.log.get(action["id"]) is not None  # what the team logged stays in the log
    hand_clock.advance(minutes=60)
    submit(running, "controller", "inject", inject="I-05")
    hand_clock.advance(minutes=3)
    submit(running, "team:charlie", "action", team="charlie", action_type="plan", site="club", text="go", inject="I-05")
    entry = running.state_for("director")["injects"]["I-05"]
    assert entry["status"] == "released" and entry["responses"] == {"charlie": 180.0}  # from the new release


def test_only_a_release_can_be_recalled(running):
    with pytest.raises(InvalidEvent, match="I-05 is not released: there is nothing to recall"):
        submit(running, "controller", "inject_recall", inject="I-05", reason="oops")
    with pytest.raises(InvalidEvent, match="unknown inject 'I-99'"):
        submit(running, "controller", "inject_recall", inject="I-99", reason="oops")
    submit(running, "controller", "inject", inject="I-05")
    with pytest.raises(InvalidEvent, match="field 'teams' comes from the release") as refused:
        submit(running, "controller", "inject_recall", inject="I-05", reason="oops", teams=["alpha"])
    assert refused.value.field == "teams"
    with pytest.raises(InvalidEvent, match="may not submit inject_recall"):
        submit(running, "team:alpha", "inject_recall", inject="I-05", reason="not us")
    with pytest.raises(InvalidEvent, match="may not submit inject_recall"):
        submit(running, "observer", "inject_recall", inject="I-05", reason="not us")
    with pytest.raises(InvalidEvent, match="reason"):
        submit(running, "controller", "inject_recall", inject="I-05")
    submit(running, "controller", "inject_recall", inject="I-05", reason="oops")
    with pytest.raises(InvalidEvent, match="inject I-05 is already recalled"):
        submit(running, "controller", "inject_recall", inject="I-05", reason="twice")
    submit(running, "controller", "inject", inject="I-05")
    assert "reason" not in running.state_for("director")["injects"]["I-05"]  # the recall's reason went with it


def test_the_teams_that_had_it_learn_it_was_withdrawn_not_why(running):
    submit(running, "controller", "inject", inject="I-05")
    recall = submit(running, "controller", "inject_recall", inject="I-05", reason="wrong actor briefed")
    seen = running.view("team:alpha", recall)
    assert seen["kind"] == "inject_recall" and seen["inject"] == "I-05" and "reason" not in seen
    assert running.view("team:bravo", recall) is None  # never had it
    assert running.view("screen", recall)["reason"] == "wrong actor briefed"
    team_state = running.state_for("team:alpha")["injects"]["I-05"]
    assert team_state["status"] == "recalled" and "reason" not in str(running.view("team:alpha", recall))
    assert "I-05" not in running.state_for("team:bravo")["injects"]


def test_a_recalled_adhoc_inject_does_not_fall_due_again(running):
    submit(running, "controller", "inject", inject="AH-1", adhoc=True, title="Call from the embassy",
           description="The consul calls.", teams=["bravo"])
    submit(running, "director", "inject_recall", inject="AH-1", reason="meant for delta")
    entry = running.state_for("director")["injects"]["AH-1"]
    assert entry["status"] == "recalled" and entry["due"] is None and "due_play" not in entry


def test_a_shift_moves_every_inject_still_to_do_from_its_time_to_the_end_of_that_day(running):
    submit(running, "controller", "inject", inject="I-05")  # released: stays
    submit(running, "controller", "inject_skip", inject="I-06", reason="cut")  # skipped: stays
    submit(running, "controller", "inject_defer", inject="I-07", reason="actor late")  # deferred: moves
    submit(running, "controller", "inject_defer", inject="I-12", reason="later", day=3, time="09:30")
    shift = submit(running, "director", "schedule_shift", day=2, time="10:45", minutes=45, reason="search ran long")
    assert shift["minutes"] == 45
    injects = running.state_for("director")["injects"]
    at = {i: (injects[i]["status"], injects[i]["day"], injects[i]["time"])
          for i in ("I-05", "I-06", "I-07", "I-08", "I-14", "I-12")}
    assert at == {"I-05": ("released", 2, "09:10"), "I-06": ("skipped", 2, "09:45"),
                  "I-07": ("deferred", 2, "10:30"),  # before 10:45: stays
                  "I-08": ("pending", 2, "11:35"), "I-14": ("pending", 2, "16:45"),
                  "I-12": ("deferred", 3, "09:30")}  # deferred to day 3 09:30: another day, stays
    assert injects["I-08"]["due"] == exercise_seconds(2, "11:35")
    assert running.scenario.injects["I-08"]["time"] == "10:50"  # the MSEL stays as written
    submit(running, "controller", "schedule_shift", day=2, time="11:00", minutes=-15, reason="caught up")
    assert running.state_for("director")["injects"]["I-08"]["time"] == "11:20"


@pytest.mark.parametrize("fields, message", [
    ({"minutes": 0}, "minutes must not be 0"),
    ({"minutes": 1441}, "minutes must be a whole number from -1440 to 1440"),
    ({"time": "09:00\n"}, "is not a time of day"),
    ({"minutes": "30"}, "minutes"),
    ({"minutes": 1.5}, "minutes"),
    ({"day": 9}, "day 9 out of range"),
    ({"time": "25:00"}, "time"),
    ({"reason": ""}, "reason"),
])
def test_a_bad_shift_is_refused_and_nothing_moves(running, fields, message):
    before = running.state_for("director")["injects"]
    payload = {"day": 2, "time": "10:00", "minutes": 30, "reason": "late", **fields}
    with pytest.raises(InvalidEvent, match=message):
        submit(running, "director", "schedule_shift", **payload)
    assert running.state_for("director")["injects"] == before


def test_players_and_evaluators_do_not_shift_the_schedule(running):
    for role in ("team:alpha", "observer", "screen"):
        with pytest.raises(InvalidEvent, match="may not submit schedule_shift"):
            submit(running, role, "schedule_shift", day=2, time="10:00", minutes=30, reason="late")


def test_a_shift_that_would_move_an_inject_out_of_its_day_is_refused(running):
    before = running.state_for("director")["injects"]
    with pytest.raises(InvalidEvent, match="shifting by -600 min would move inject I-05 out of day 2") as refused:
        submit(running, "director", "schedule_shift", day=2, time="09:00", minutes=-600, reason="too far")
    assert refused.value.field == "minutes"
    with pytest.raises(InvalidEvent, match="would move inject I-14 out of day 2"):  # 16:00 + 8 h 30: past 24:00
        submit(running, "director", "schedule_shift", day=2, time="09:00", minutes=510, reason="too far")
    assert running.state_for("director")["injects"] == before
    submit(running, "director", "schedule_shift", day=2, time="09:00", minutes=420, reason="still inside day 2")
    assert running.state_for("director")["injects"]["I-14"]["time"] == "23:00"
