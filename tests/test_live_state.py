"""The state kept current event by event always equals a fold of the whole log, corrections
included: a correction replaces its entry's effect on the live views without folding the log again."""

import random

import pytest

from control.events import InvalidEvent
from control.state import fold

from .conftest import new_id

ROLES = ["director", "screen", "observer", "team:alpha", "team:charlie"]


def expected_state(exercise, scenario, role, now):
    """Fold the whole log afresh: every entry as it now stands, as `role` sees it; `last_seq` is the
    last event the role has received (a correction it was told about included)."""
    events = list(exercise.log.since(0))
    shown = [s for s in (exercise._seen_now(role, e) for e in events) if s is not None]
    state = fold(scenario, shown, now, **exercise._fold_options(role))
    received = [e["seq"] for e in events if exercise.view(role, e) is not None or exercise._seen_now(role, e)]
    state["last_seq"] = max(received, default=0)
    return state


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_live_state_matches_a_full_fold_through_a_busy_morning(exercise, scenario, hand_clock, seed):
    r = random.Random(seed)
    teams, sites = list(scenario.teams), list(scenario.sites)

    def submit(role, **fields):
        try:
            return exercise.submit({"id": new_id(), **fields}, role).event
        except InvalidEvent:  # a random correction the live checks refuse: nothing stored
            return None

    submit("director", kind="clock", op="start", day=2, time="09:00")
    entries = {"evaluation": [], "action": [], "move": []}
    for step in range(300):
        hand_clock.advance(seconds=r.randint(5, 90))
        team = r.choice(teams)
        released = [i for i, t in exercise.released_to.items() if team in t]
        roll = r.random()
        if roll < 0.15:
            entries["move"].append(submit(f"team:{team}", kind="move", team=team, site=r.choice(sites)))
        elif roll < 0.3:
            link = {"inject": r.choice(released)} if released and r.random() < 0.6 else {}
            entries["action"].append(submit("controller", kind="action", team=team, action_type="plan", site="hq",
                                            text="t", **link))
        elif roll < 0.45:
            entries["evaluation"].append(submit("observer", kind="evaluation", team=team, objective="obj-evidence",
                                                rating=r.choice("PSMU"), note="n"))
        elif roll < 0.6 and any(entries.values()):
            kind = r.choice([k for k, v in entries.items() if v])
            target = r.choice(entries[kind])
            if r.random() < 0.3:
                submit("controller", kind="retract", target=target["id"], reason="wrong")
                entries[kind].remove(target)
            else:
                changes = {"team": r.choice(teams)}
                if kind == "move":
                    changes["site"] = r.choice(sites)
                elif kind == "evaluation":
                    changes.update(rating=r.choice("PSMU"), objective=r.choice(list(scenario.objectives)))
                elif kind == "action" and r.random() < 0.5:
                    links = [i for i, t in exercise.released_to.items() if changes["team"] in t]
                    changes["inject"] = r.choice(links) if links else None
                submit("controller", kind="amend", target=target["id"], **changes)
        elif roll < 0.7:
            pending = [i for i in scenario.injects if i not in exercise.inject_status]
            submit("controller", kind="inject", inject=r.choice(pending))
        elif roll < 0.75:
            alert = submit(f"team:{team}", kind="safety", text="real world")
            if r.random() < 0.5:
                submit("director", kind="safety_ack", target=alert["id"])
        else:
            submit("observer", kind="note", text="n", bookmark=True)
        for entries_of_kind in entries.values():
            if None in entries_of_kind:
                entries_of_kind.remove(None)
        if step % 10 == 0:
            for role in ROLES:  # ask often, so the live folds are built early and then kept current
                exercise.state_for(role)
    corrections = sum(1 for e in exercise.log.since(0) if e["kind"] in ("retract", "amend"))
    assert corrections > 20
    for role in ROLES:
        assert exercise.state_for(role) == expected_state(exercise, scenario, role, hand_clock()), role


def test_a_view_built_while_corrections_arrive_ends_right(exercise, scenario, hand_clock, monkeypatch):
    """A live view is folded a slice at a time; corrections stored meanwhile are folded in after."""
    import control.exercise as module

    monkeypatch.setattr(module, "FOLD_SLICE", 3)
    def submit(role, **f):
        return exercise.submit({"id": new_id(), **f}, role).event

    moves = [submit("team:alpha", kind="move", team="alpha", site=s) for s in ("club", "farm", "hq", "police")]
    during = []

    def meanwhile():  # the first time the fold lets others run (submit itself lets others run too)
        if not during:
            during.append("now")
            submit("controller", kind="retract", target=moves[-1]["id"], reason="logged by mistake")
            submit("controller", kind="amend", target=moves[0]["id"], team="bravo")

    monkeypatch.setattr(module, "let_others_run", meanwhile)
    state = exercise.state_for("team:alpha")
    assert state["teams"]["alpha"]["site"] == "hq"
    assert state == expected_state(exercise, scenario, "team:alpha", hand_clock())
