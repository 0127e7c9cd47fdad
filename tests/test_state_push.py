"""The state pushed to the screens: coalesced, always ending on the latest state, patches that
rebuild the state exactly, and the whole state now and then."""

import copy

from control.state_push import WHOLE_EVERY, StatePushes, state_patch

from .conftest import new_id


def apply_push(state: dict, push: dict) -> dict:
    """Lay a push over a state, as static/js/server_state.js does."""
    if "state" in push:
        return copy.deepcopy(push["state"])
    state = copy.deepcopy(state)
    state.update(copy.deepcopy(push["patch"]["set"]))
    for key, entries in push["patch"]["merge"].items():
        for entry_id, value in entries.items():
            if value is None:
                state[key].pop(entry_id, None)
            else:
                state[key][entry_id] = copy.deepcopy(value)
    return state


class Later:
    """Collect what call_later was asked to run; run it when the test says."""

    def __init__(self):
        self.waiting = []

    def __call__(self, delay, fn):
        self.waiting.append((delay, fn))

    def run(self):
        waiting, self.waiting = self.waiting, []
        for _, fn in waiting:
            fn()


def pushes_over(exercise, clock, patches=True):
    sent, later = [], Later()
    pushes = StatePushes(exercise.state_for, {exercise.view_key("director"): ["director", "controller", "screen"]},
                         send=lambda roles, message: sent.extend((role, message) for role in roles), call_later=later,
                         patches=patches, monotonic=clock)
    exercise.on_changed = pushes.changed
    return pushes, sent, later


def test_a_burst_of_commits_makes_one_push_per_room_and_it_carries_the_last(exercise):
    now = [100.0]
    pushes, sent, later = pushes_over(exercise, lambda: now[0])
    for _ in range(20):
        exercise.submit({"id": new_id(), "kind": "move", "team": "alpha", "site": "farm"}, "team:alpha")
    assert len(later.waiting) == 1 and later.waiting[0][0] == 0  # nothing pushed yet: push now
    later.run()
    assert [role for role, _ in sent] == ["director", "controller", "screen"]
    assert sent[0][1]["state"]["last_seq"] == 20 and sent[0][1] is sent[2][1]  # one message for every room
    now[0] += 0.1
    exercise.submit({"id": new_id(), "kind": "move", "team": "alpha", "site": "club"}, "team:alpha")
    assert abs(later.waiting[0][0] - 0.15) < 1e-9  # at most four pushes a second
    later.run()
    assert sent[-1][1]["version"] == 2 and sent[-1][1]["from"] == 1


def test_patches_rebuild_the_state_exactly_through_corrections_and_safety(exercise, hand_clock):
    clock = [0.0]
    pushes, sent, later = pushes_over(exercise, lambda: clock[0])
    drawn = exercise.state_for("director")
    ids = {name: new_id() for name in ("m1", "a1", "e1", "s1")}
    steps = [
        ({"kind": "clock", "op": "start"}, "director"),
        ({"kind": "move", "team": "alpha", "site": "farm", "id": ids["m1"]}, "team:alpha"),
        ({"kind": "inject", "inject": "I-01"}, "controller"),
        ({"kind": "action", "team": "alpha", "site": "farm", "action_type": "interview", "text": "x", "inject": "I-01",
          "id": ids["a1"]}, "team:alpha"),
        ({"kind": "evaluation", "team": "alpha", "objective": "obj-identify", "rating": "S", "note": "n", "id": ids["e1"]},
         "observer"),
        ({"kind": "amend", "target": ids["e1"], "rating": "U", "reason": "wrong"}, "observer"),
        ({"kind": "retract", "target": ids["m1"], "reason": "wrong"}, "team:alpha"),
        ({"kind": "safety", "text": "a fall", "id": ids["s1"]}, "observer"),
        ({"kind": "safety_ack", "target": ids["s1"]}, "director"),
        ({"kind": "inject_skip", "inject": "I-02", "reason": "late"}, "controller"),
        ({"kind": "clock", "op": "pause"}, "director"),
    ]
    for fields, role in steps:
        exercise.submit({"id": new_id()} | fields, role)
        hand_clock.advance(seconds=30)
        clock[0] += 1
        later.run()
        drawn = apply_push(drawn, sent[-1][1])
        assert drawn == exercise.state_for("director") | {"at": drawn["at"], "clock": drawn["clock"]}
    assert any("patch" in message for _, message in sent) and drawn["safety"] == []
    assert drawn["objectives"]["obj-identify"]["alpha"]["U"] == 1


def test_the_whole_state_goes_every_few_seconds_and_always_without_patches(exercise):
    clock = [0.0]
    pushes, sent, later = pushes_over(exercise, lambda: clock[0])
    kinds = []
    for _ in range(8):
        exercise.submit({"id": new_id(), "kind": "move", "team": "alpha", "site": "farm"}, "team:alpha")
        clock[0] += WHOLE_EVERY / 2.5
        later.run()
        kinds.append("state" in sent[-1][1])
    assert kinds == [True, False, False, True, False, False, True, False]
    pushes, sent, later = pushes_over(exercise, lambda: clock[0], patches=False)
    exercise.submit({"id": new_id(), "kind": "move", "team": "alpha", "site": "club"}, "team:alpha")
    later.run()
    exercise.submit({"id": new_id(), "kind": "move", "team": "alpha", "site": "farm"}, "team:alpha")
    later.run()
    assert all("state" in message for _, message in sent)


def test_latest_is_the_last_push_which_the_next_patch_continues(exercise):
    clock = [0.0]
    pushes, sent, later = pushes_over(exercise, lambda: clock[0])
    first = pushes.latest("screen")  # nothing pushed yet: taken now
    assert first["version"] == 1 and first["state"]["last_seq"] == 0
    exercise.submit({"id": new_id(), "kind": "move", "team": "alpha", "site": "farm"}, "team:alpha")
    later.run()
    assert sent[-1][1]["from"] == 1
    assert apply_push(first["state"], sent[-1][1])["teams"]["alpha"]["site"] == "farm"
    assert pushes.latest("director")["version"] == 2 and not pushes.pushes("observer")


def test_a_patch_names_only_what_changed():
    before = {"at": "t1", "teams": {"a": {"site": "x"}, "b": {"site": "y"}}, "safety": [], "injects": {"i": {"s": 1}}}
    after = {"at": "t2", "teams": {"a": {"site": "z"}, "b": {"site": "y"}}, "safety": [{"id": 1}], "injects": {}}
    assert state_patch(before, after) == {"set": {"at": "t2", "safety": [{"id": 1}]},
                                          "merge": {"teams": {"a": {"site": "z"}}, "injects": {"i": None}}}


def test_a_push_that_cannot_be_scheduled_costs_no_entry_its_answer(exercise):
    def broken(delay, fn):
        raise RuntimeError("no green thread to be had")

    pushes = StatePushes(exercise.state_for, {exercise.view_key("director"): ["director"]},
                         send=lambda roles, message: None, call_later=broken)
    exercise.on_changed = pushes.changed
    receipt = exercise.submit({"id": new_id(), "kind": "move", "team": "alpha", "site": "farm"}, "team:alpha")
    assert receipt.event["seq"] == 1 and not pushes.scheduled  # stored and answered; the next commit tries again
