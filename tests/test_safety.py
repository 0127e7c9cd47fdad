"""Real-world safety alerts stay open until the director acknowledges them."""

import pytest

from control.events import InvalidEvent

from .conftest import new_id, submit


def test_alert_is_open_until_the_director_acknowledges_it(exercise):
    alert = submit(exercise, "team:alpha", "safety", text="REAL WORLD: actor hyperventilating", site="club")
    assert [a["id"] for a in exercise.state_for("director")["safety"]] == [alert["id"]]
    assert [a["id"] for a in exercise.state_for("team:alpha")["safety"]] == [alert["id"]]
    assert exercise.state_for("team:bravo")["safety"] == []
    ack = submit(exercise, "director", "safety_ack", target=alert["id"], text="safety officer on site")
    assert exercise.state_for("director")["safety"] == []
    assert {role for role, _ in exercise.deliveries(ack)} == {"director", "controller", "lead_evaluator", "observer", "screen",
                                                              "team:alpha"}


def test_only_the_director_acknowledges(exercise):
    alert = submit(exercise, "observer", "safety")
    for role in ("controller", "observer", "screen", "team:alpha"):
        with pytest.raises(InvalidEvent, match="may not submit safety_ack"):
            submit(exercise, role, "safety_ack", target=alert["id"])


def test_acknowledge_once_and_only_alerts(exercise):
    alert = submit(exercise, "observer", "safety", text="smoke in the barn")
    submit(exercise, "director", "safety_ack", target=alert["id"])
    with pytest.raises(InvalidEvent, match="already been acknowledged"):
        submit(exercise, "director", "safety_ack", target=alert["id"])
    note = submit(exercise, "observer", "note", text="not an alert")
    with pytest.raises(InvalidEvent, match="no safety alert with id"):
        submit(exercise, "director", "safety_ack", target=note["id"])
    with pytest.raises(InvalidEvent, match="no safety alert with id"):
        submit(exercise, "director", "safety_ack", target=new_id())
