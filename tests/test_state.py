"""The state at an instant, folded from hand-made logs, with later corrections applied."""

from datetime import UTC, datetime

from control.state import effective_events, fold
from control.timefmt import exercise_seconds


def at(hh, mm):
    return datetime(2026, 5, 5, hh, mm, tzinfo=UTC)


def ev(seq, hh, mm, kind, **fields):
    return {"seq": seq, "id": f"e{seq}", "kind": kind, "ts": f"2026-05-05T{hh:02d}:{mm:02d}:00.000000Z",
            "exercise_time": None, "role": "director", **fields}


LOG = [
    ev(1, 7, 0, "clock", op="start", exercise_time=exercise_seconds(2, "09:00")),
    ev(2, 7, 5, "move", team="alpha", site="club"),
    ev(3, 7, 10, "inject", inject="I-05", teams=["alpha", "charlie"]),
    ev(4, 7, 12, "action", team="alpha", action_type="plan", site="club", text="plan the search", inject="I-05"),
    ev(5, 7, 20, "evaluation", objective="obj-identify", team="alpha", rating="S", note="slow start"),
    ev(6, 7, 25, "evaluation", objective="obj-identify", team="alpha", rating="P", note="good"),
    ev(7, 7, 30, "clock", op="pause", exercise_time=exercise_seconds(2, "09:30")),
    ev(8, 7, 40, "inject_skip", inject="I-06", reason="play ran late"),
    ev(9, 7, 45, "move", team="alpha", site="prosecutor"),
    ev(10, 7, 50, "clock", op="resume", exercise_time=exercise_seconds(2, "09:30")),
    # corrections recorded later
    ev(11, 8, 0, "retract", target="e5", reason="wrong team"),
    ev(12, 8, 5, "amend", target="e2", site="hq"),
    ev(13, 8, 6, "amend", target="e6", rating="M"),
    ev(14, 8, 7, "inject_defer", inject="I-07", reason="actors not ready"),
]


def test_state_before_anything_happened(scenario):
    state = fold(scenario, LOG, at(6, 0))
    assert state["clock"]["state"] == "not_started"
    assert state["teams"]["alpha"]["site"] == scenario.teams["alpha"]["home_site"]
    assert all(i["status"] == "pending" for i in state["injects"].values())
    assert state["last_seq"] == 0


def test_state_at_an_instant_applies_later_corrections(scenario):
    state = fold(scenario, LOG, at(7, 26))
    assert state["clock"]["state"] == "running"
    assert state["clock"]["day"] == 2 and state["clock"]["time"] == "09:26:00"
    assert state["teams"]["alpha"]["site"] == "hq"  # amended at 08:05, counts from 07:05
    assert state["teams"]["alpha"]["actions"] == 1
    assert state["injects"]["I-05"]["status"] == "released"
    assert state["injects"]["I-06"]["status"] == "pending"
    # e5 was retracted later: never counts; e6 was amended to M.
    assert state["objectives"]["obj-identify"]["alpha"] == {"P": 0, "S": 0, "M": 1, "U": 0}
    assert state["last_seq"] == 6


def test_state_across_a_pause(scenario):
    state = fold(scenario, LOG, at(7, 47))
    assert state["clock"]["state"] == "paused" and state["clock"]["time"] == "09:30:00"
    assert state["injects"]["I-06"] == {"status": "skipped", "day": 2, "time": "09:45", "due": 121500, "at": LOG[7]["ts"],
                                        "exercise_time": None, "seq": 8, "reason": "play ran late"}
    assert state["teams"]["alpha"]["site"] == "prosecutor"


def test_state_at_the_end(scenario):
    state = fold(scenario, LOG, at(9, 0))
    assert state["clock"]["time"] == "10:40:00"
    assert state["injects"]["I-07"]["status"] == "deferred"
    assert state["last_seq"] == 14


def test_effective_events_drop_corrections_and_retracted(scenario):
    kept = list(effective_events(LOG))
    ids = [e["id"] for e in kept]
    assert "e5" not in ids and "e11" not in ids and "e12" not in ids
    amended = next(e for e in kept if e["id"] == "e2")
    assert amended["site"] == "hq" and amended["amended_by"] == "e12"


def test_amend_that_moves_an_evaluation_to_another_team(scenario):
    log = [ev(1, 7, 0, "evaluation", objective="obj-finance", team="alpha", rating="U", note="missed"),
           ev(2, 7, 1, "amend", target="e1", team="echo")]
    coverage = fold(scenario, log, at(8, 0))["objectives"]["obj-finance"]
    assert coverage["alpha"]["U"] == 0 and coverage["echo"]["U"] == 1


def test_fold_for_one_team_only(scenario):
    state = fold(scenario, LOG, at(9, 0), teams=["alpha"], pending_injects=False, objectives=False)
    assert list(state["teams"]) == ["alpha"]
    assert state["objectives"] == {}
    assert "I-01" not in state["injects"]


def test_response_time_is_release_to_first_answering_action(scenario):
    log = [
        ev(1, 7, 0, "clock", op="start", exercise_time=exercise_seconds(2, "09:00")),
        ev(2, 7, 10, "inject", inject="I-05", teams=["alpha", "charlie"], exercise_time=exercise_seconds(2, "09:10")),
        ev(3, 7, 14, "action", team="alpha", action_type="plan", site="hq", text="a", inject="I-05",
           exercise_time=exercise_seconds(2, "09:14")),
        ev(4, 7, 20, "action", team="alpha", action_type="plan", site="hq", text="b", inject="I-05",
           exercise_time=exercise_seconds(2, "09:20")),
        ev(5, 7, 30, "action", team="charlie", action_type="plan", site="hq", text="c", inject="I-05",
           exercise_time=exercise_seconds(2, "09:30")),
        ev(6, 8, 0, "retract", target="e5", reason="not an answer"),
    ]
    assert fold(scenario, log, at(9, 0))["injects"]["I-05"]["responses"] == {"alpha": 240.0}


def test_open_safety_alerts_until_acknowledged(scenario):
    log = [ev(1, 7, 0, "safety", text="NO DUFF: actor fainted", site="club", role="team:alpha"),
           ev(2, 7, 1, "safety", text="", role="observer"),
           ev(3, 7, 5, "safety_ack", target="e1")]
    assert [a["id"] for a in fold(scenario, log, at(7, 2))["safety"]] == ["e1", "e2"]
    assert [a["id"] for a in fold(scenario, log, at(7, 6))["safety"]] == ["e2"]


def test_coverage_is_also_counted_per_exercise_day(scenario):
    day1 = exercise_seconds(1, "14:00")
    log = [ev(1, 7, 0, "clock", op="start", exercise_time=exercise_seconds(1, "13:00")),
           ev(2, 8, 0, "evaluation", objective="obj-identify", team="alpha", rating="U", note="", exercise_time=day1),
           ev(3, 8, 5, "clock", op="pause", exercise_time=day1),
           ev(4, 8, 10, "clock", op="resume", exercise_time=exercise_seconds(2, "09:00")),
           ev(5, 8, 20, "evaluation", objective="obj-identify", team="alpha", rating="P", note="",
              exercise_time=exercise_seconds(2, "09:10")),
           ev(6, 8, 25, "evaluation", objective="obj-identify", team="bravo", rating="S", note="",
              exercise_time=exercise_seconds(2, "09:15")),
           ev(7, 8, 30, "retract", target="e6", reason="wrong team")]
    state = fold(scenario, log, at(9, 0))
    assert state["objectives"]["obj-identify"]["alpha"] == {"P": 1, "S": 0, "M": 0, "U": 1}
    assert state["objectives_by_day"] == {"1": {"obj-identify": {"alpha": {"P": 0, "S": 0, "M": 0, "U": 1}}},
                                          "2": {"obj-identify": {"alpha": {"P": 1, "S": 0, "M": 0, "U": 0}}}}
