"""The state at a past instant, answered from kept states, equals an independent fold of the log."""

import random
from datetime import timedelta

from control.eventlog import EventLog
from control.exercise import Exercise
from control.state import fold
from control.timefmt import parse_iso
from control.weekgen import write_week

from .conftest import new_id

ROLES = ["director", "screen", "team:bravo"]


def independent(exercise, role, at):
    visible = [e for e in map(lambda e: exercise.view(role, e), exercise.log.since(0)) if e is not None]
    return fold(exercise.scenario, visible, at, **exercise._fold_options(role))


def test_state_at_many_instants_of_a_generated_week(tmp_path, scenario, hand_clock):
    log = EventLog(tmp_path / "week.db")
    write_week(scenario, log, 4500)
    events = list(log.since(0))
    first, last = parse_iso(events[0]["ts"]), parse_iso(events[-1]["ts"])
    hand_clock.moment = last + timedelta(hours=1)
    exercise = Exercise(scenario, log, now=hand_clock)
    r = random.Random(3)
    instants = [first - timedelta(minutes=1), last, last + timedelta(minutes=5)]
    instants += [first + (last - first) * r.random() for _ in range(25)]
    instants += [parse_iso(events[n]["ts"]) for n in (999, 1000, 1001, 2500)]  # at kept-state edges
    for at in instants:
        for role in ROLES:
            assert exercise.state_for(role, at) == independent(exercise, role, at), (role, at)
    assert len(exercise.snapshots[exercise.view_key("director")]) >= 4
    # a correction now reaches back: kept states from after its target are dropped and rebuilt
    early = next(e for e in events[1200:] if e["kind"] == "evaluation" and e["id"] not in exercise.retracted)
    exercise.submit({"id": new_id(), "kind": "amend", "target": early["id"],
                     "rating": "U" if early["rating"] != "U" else "P"}, early["role"])
    exercise.submit({"id": new_id(), "kind": "retract", "target": next(
        e["id"] for e in events[3000:] if e["kind"] == "evaluation" and e["id"] not in exercise.retracted),
        "reason": "wrong team"}, "director")
    for at in instants[3:15]:
        for role in ROLES:
            assert exercise.state_for(role, at) == independent(exercise, role, at), (role, at)
    log.close()


def test_a_replay_that_plays_folds_on_from_where_it_stood_and_stays_right(tmp_path, scenario, hand_clock):
    log = EventLog(tmp_path / "week.db")
    write_week(scenario, log, 3000)
    events = list(log.since(0))
    hand_clock.moment = parse_iso(events[-1]["ts"]) + timedelta(hours=1)
    exercise = Exercise(scenario, log, now=hand_clock)
    steps = [parse_iso(events[n]["ts"]) for n in range(1500, 2400, 37)]  # forward, a few dozen events at a time
    for n, at in enumerate(steps):
        if n == len(steps) // 2:  # a correction mid-replay reaches back before where the replay stands
            early = next(e for e in events[200:] if e["kind"] == "evaluation" and e["id"] not in exercise.retracted)
            exercise.submit({"id": new_id(), "kind": "retract", "target": early["id"], "reason": "wrong team"},
                            early["role"])
        for role in ROLES:
            assert exercise.state_for(role, at) == independent(exercise, role, at), (role, at)
    assert exercise.replay_cursors[exercise.view_key("director")][0] == log.seq_at(events[range(1500, 2400, 37)[-1]]["ts"])
    back = parse_iso(events[900]["ts"])  # a jump back: from a kept state again
    assert exercise.state_for("director", back) == independent(exercise, "director", back)
    log.close()
