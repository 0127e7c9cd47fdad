"""The state kept current event by event always equals a fold of the whole log."""

import random

from control.state import fold

from .conftest import new_id

ROLES = ["director", "screen", "observer", "team:alpha", "team:charlie"]


def test_live_state_matches_a_full_fold_through_a_busy_morning(exercise, scenario, hand_clock):
    r = random.Random(5)
    submit = lambda role, **f: exercise.submit({"id": new_id(), **f}, role).event
    submit("director", kind="clock", op="start", day=2, time="09:00")
    evaluations = []
    for step in range(150):
        hand_clock.advance(seconds=r.randint(5, 90))
        team = r.choice(list(scenario.teams))
        roll = r.random()
        if roll < 0.3:
            submit(f"team:{team}", kind="move", team=team, site=r.choice(list(scenario.sites)))
        elif roll < 0.5:
            submit("controller", kind="action", team=team, action_type="plan", site="hq", text="t")
        elif roll < 0.7:
            evaluations.append(submit("observer", kind="evaluation", team=team, objective="obj-evidence",
                                      rating=r.choice("PSMU"), note="n"))
        elif roll < 0.75 and evaluations:
            target = evaluations.pop(r.randrange(len(evaluations)))
            submit("observer", kind="retract", target=target["id"], reason="wrong")
        elif roll < 0.8 and evaluations:
            submit("observer", kind="amend", target=r.choice(evaluations)["id"], rating=r.choice("PSMU"))
        elif roll < 0.85:
            pending = [i for i in scenario.injects if i not in exercise.inject_status]
            submit("controller", kind="inject", inject=r.choice(pending))
        elif roll < 0.9:
            alert = submit(f"team:{team}", kind="safety", text="real world")
            if r.random() < 0.5:
                submit("director", kind="safety_ack", target=alert["id"])
        else:
            submit("observer", kind="note", text="n", bookmark=True)
        if step % 10 == 0:
            for role in ROLES:  # ask often, so the live folds are built early and then kept current
                exercise.state_for(role)
    for role in ROLES:
        visible = [e for e in map(lambda e: exercise.view(role, e), exercise.log.since(0)) if e is not None]
        expected = fold(scenario, visible, hand_clock(), **exercise._fold_options(role))
        assert exercise.state_for(role) == expected, role
