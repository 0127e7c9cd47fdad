"""Injects that wait for a team's own play: I-17 falls due for a team once it inspects (`when`), I-46
twenty minutes after that team received I-17 (`after`).  Folded from hand-made logs, and live."""

from datetime import UTC, datetime

import pytest

from control.eventlog import EventLog
from control.events import InvalidEvent
from control.exercise import Exercise
from control.exports import report_context
from control.scenario import check_scenario, load_scenario
from control.state import effective_events, fold
from control.timefmt import exercise_seconds

from .conftest import SCENARIO, new_id, submit

SCENARIO_CHECKED = load_scenario(SCENARIO)


def at(hh, mm):
    return datetime(2026, 5, 7, hh, mm, tzinfo=UTC)


def ev(seq, hh, mm, kind, **fields):
    """An event stored at wall time hh:mm, which is exercise day 3 at the same time of day (the clock
    started at 09:00 on day 3, at 09:00)."""
    return {"seq": seq, "id": f"e{seq}", "kind": kind, "ts": f"2026-05-07T{hh:02d}:{mm:02d}:00.000000Z",
            "exercise_time": exercise_seconds(3, f"{hh:02d}:{mm:02d}"), "role": "director", **fields}


def inspect(seq, hh, mm, team):
    return ev(seq, hh, mm, "action", team=team, action_type="inspection", site="construction", text="site office")


START = ev(1, 9, 0, "clock", op="start")


def injects(log, hh, mm):
    return fold_at(log, hh, mm)["injects"]


def fold_at(log, hh, mm):
    return fold(SCENARIO_CHECKED, log, at(hh, mm))


def test_a_conditional_inject_waits_for_each_team_and_says_what_for():
    entry = injects([START], 10, 30)["I-17"]
    assert entry["waiting"] is True and "due_play" not in entry  # not due, not late: waiting
    assert entry["teams_due"] == {team: {"due": None, "waiting_on": [{"action_type": "inspection", "minutes": 0}]}
                                  for team in ("bravo", "delta")}


def test_it_falls_due_for_the_team_that_met_it_at_its_msel_time_at_the_earliest():
    early = injects([START, inspect(2, 9, 50, "bravo")], 10, 0)["I-17"]
    assert early["teams_due"]["bravo"]["due"] == exercise_seconds(3, "10:20")  # inspected at 09:50: due at 10:20
    assert early["teams_due"]["delta"]["due"] is None
    late = injects([START, inspect(2, 10, 40, "delta")], 10, 45)["I-17"]
    assert late["teams_due"]["delta"]["due"] == exercise_seconds(3, "10:40")
    assert late["due_play"] == late["teams_due"]["delta"]["due_play"] and "waiting" not in late


def test_released_to_one_team_the_other_still_waits_and_response_times_count_from_each_teams_release():
    log = [START, inspect(2, 10, 30, "bravo"),
           ev(3, 10, 32, "inject", inject="I-17", teams=["bravo"]),
           ev(4, 10, 40, "action", team="bravo", action_type="search_seize", site="construction", text="safe opened",
              inject="I-17")]
    entry = injects(log, 10, 45)["I-17"]
    assert entry["status"] == "pending" and entry["teams"] == ["bravo"]  # not yet out to all its teams
    assert entry["responses"] == {"bravo": 480.0}
    assert list(entry["teams_due"]) == ["delta"]
    log += [inspect(5, 11, 0, "delta"), ev(6, 11, 5, "inject", inject="I-17", teams=["delta"]),
            ev(7, 11, 6, "action", team="delta", action_type="plan", site="construction", text="copy them", inject="I-17")]
    entry = injects(log, 11, 10)["I-17"]
    assert entry["status"] == "released" and entry["teams"] == ["bravo", "delta"]
    assert entry["responses"] == {"bravo": 480.0, "delta": 60.0}


def test_a_chained_inject_follows_its_parent_team_by_team():
    log = [START, inspect(2, 10, 30, "bravo"), ev(3, 10, 32, "inject", inject="I-17", teams=["bravo"])]
    entry = injects(log, 10, 40)["I-46"]
    assert entry["teams_due"]["bravo"]["due"] == exercise_seconds(3, "10:52")  # 20 min after bravo got I-17
    assert entry["teams_due"]["delta"] == {"due": None, "waiting_on": [{"after": "I-17", "minutes": 20}]}


def test_withdrawing_the_triggering_action_makes_the_team_wait_again():
    log = [START, inspect(2, 10, 30, "bravo"), ev(3, 10, 35, "retract", target="e2", reason="wrong team")]
    assert injects(log, 10, 40)["I-17"]["teams_due"]["bravo"]["due"] is None
    log[2:] = [inspect(3, 10, 45, "bravo"), ev(4, 10, 50, "retract", target="e2", reason="logged twice")]
    assert injects(log, 10, 55)["I-17"]["teams_due"]["bravo"]["due"] == exercise_seconds(3, "10:45")  # the one kept
    amended = [START, inspect(2, 10, 30, "bravo"), ev(3, 10, 35, "amend", target="e2", action_type="interview")]
    assert injects(amended, 10, 40)["I-17"]["teams_due"]["bravo"]["due"] is None


def test_a_recall_of_the_parent_puts_the_chained_inject_back_to_waiting():
    log = [START, ev(2, 10, 0, "inject", inject="I-17"), ev(3, 10, 5, "inject_recall", inject="I-17", reason="too early",
                                                            teams=["bravo", "delta"])]
    entry = injects(log, 10, 10)["I-46"]
    assert entry["waiting"] is True


def test_the_fold_is_the_same_whatever_instant_it_is_asked_at_and_replays_from_the_log():
    log = [START, inspect(2, 10, 30, "bravo"), ev(3, 10, 32, "inject", inject="I-17", teams=["bravo"]),
           inspect(4, 10, 50, "delta")]
    once, again = fold_at(log, 11, 0), fold_at(list(log), 11, 0)
    assert once["injects"] == again["injects"]
    assert [e["seq"] for e in effective_events(log)] == [1, 2, 3, 4]


# --- live, through the one write path -----------------------------------------------------------

@pytest.fixture
def day3(exercise, hand_clock):
    submit(exercise, "director", "clock", op="start", day=3, time="10:00")
    return exercise


def test_live_state_matches_the_fold_through_a_retraction(day3, hand_clock):
    action = submit(day3, "team:bravo", "action", team="bravo", action_type="inspection", site="construction", text="office")
    assert day3.state_for("director")["injects"]["I-17"]["teams_due"]["bravo"]["due"] == exercise_seconds(3, "10:20")
    hand_clock.advance(minutes=5)
    submit(day3, "team:bravo", "retract", target=action["id"], reason="meant the containers")
    live = day3.state_for("director")["injects"]["I-17"]
    assert live["teams_due"]["bravo"]["due"] is None
    reference = fold(day3.scenario, list(day3.log.since(0)), day3.now())["injects"]["I-17"]
    assert live == reference


def test_a_release_to_some_teams_then_to_the_rest(day3, hand_clock):
    out = submit(day3, "controller", "inject", inject="I-17", teams=["delta"])
    assert out["teams"] == ["delta"] and out["title"] == day3.scenario.injects["I-17"]["title"]
    with pytest.raises(InvalidEvent, match="already released to team delta"):
        submit(day3, "controller", "inject", inject="I-17", teams=["delta"])
    rest = submit(day3, "controller", "inject", inject="I-17")
    assert rest["teams"] == ["bravo"]  # the teams of the row that did not have it yet
    with pytest.raises(InvalidEvent, match="already released"):
        submit(day3, "controller", "inject", inject="I-17")
    recall = submit(day3, "controller", "inject_recall", inject="I-17", reason="wrong day")
    assert recall["teams"] == ["delta", "bravo"]


def test_a_release_to_a_team_the_inject_does_not_go_to_is_refused(day3):
    with pytest.raises(InvalidEvent, match=r"does not go to team alpha \(MSEL: bravo, delta\)"):
        submit(day3, "controller", "inject", inject="I-17", teams=["alpha"])
    assert day3.state_for("director")["injects"]["I-17"]["status"] == "pending"


def test_a_team_sees_only_its_own_release(day3):
    submit(day3, "controller", "inject", inject="I-17", teams=["delta"])
    assert "I-17" in day3.state_for("team:delta")["injects"]
    assert "I-17" not in day3.state_for("team:bravo")["injects"]
    with pytest.raises(InvalidEvent, match="no inject 'I-17' was released to your team"):
        submit(day3, "team:bravo", "action", team="bravo", action_type="plan", site="construction", text="x", inject="I-17")


# --- on the control cell's board, in Chromium --------------------------------------------------

def test_the_board_shows_a_branch_team_by_team_and_releases_it_to_the_team_that_is_ready(open_page, server):
    director = server.connect("director")
    assert director.submit({"id": new_id(), "kind": "clock", "op": "start", "day": 3, "time": "10:00"})["ok"]
    assert server.connect("team:bravo").submit({"id": new_id(), "kind": "action", "team": "bravo", "action_type": "inspection",
                                                "site": "construction", "text": "site office"})["ok"]
    page = open_page("controller").page
    page.wait_for_selector("body[data-connection='live']", timeout=15000)
    row = page.locator("[data-inject='I-17']")
    row.locator(".inject-each").wait_for(timeout=5000)
    def text(selector):  # without the isolates around names
        return page.inner_text(selector).replace("\u2068", "").replace("\u2069", "")

    assert "Bravo due at 10:20" in text("[data-inject='I-17']")
    assert "Delta when the team logs “Labour inspection step”" in text("[data-inject='I-17']")
    assert "after I-17 +20 min" in text("[data-inject='I-46']")
    row.get_by_role("button", name="Release").click()
    boxes = page.locator("#confirm-extra input[name=teams]")
    assert [(boxes.nth(i).get_attribute("value"), boxes.nth(i).is_checked()) for i in range(boxes.count())] == [
        ("bravo", True), ("delta", False)]
    page.click("#confirm-ok")
    page.wait_for_selector("[data-inject='I-17'] .team-released", timeout=5000)
    events = server.get("/api/events", "director").json()["events"]
    assert [(e["kind"], e.get("teams")) for e in events if e["kind"] == "inject"] == [("inject", ["bravo"])]
    assert "Release" in row.inner_text()  # delta still to get it


def test_after_a_recall_a_late_answer_is_stored_and_a_release_to_some_teams_can_be_recalled_again(day3, hand_clock):
    submit(day3, "controller", "inject", inject="I-15")  # bravo, delta
    submit(day3, "controller", "inject_recall", inject="I-15", reason="too early")
    # What a phone that was offline sends later still lands (and is no response to the new release).
    late = submit(day3, "team:bravo", "action", team="bravo", action_type="plan", site="hq", text="we go", inject="I-15")
    assert day3.log.get(late["id"]) is not None
    submit(day3, "controller", "inject", inject="I-15", teams=["bravo"])
    again = submit(day3, "controller", "inject_recall", inject="I-15", reason="still too early")
    assert again["teams"] == ["bravo"]


def test_an_answer_to_a_recalled_release_does_not_meet_a_when_answers(tmp_path, hand_clock, raw_scenario):
    next(i for i in raw_scenario["injects"] if i["id"] == "I-16")["when"] = {"answers": "I-15", "minutes": 10}
    ex = Exercise(check_scenario(raw_scenario), EventLog(tmp_path / "when.db"), now=hand_clock)
    submit(ex, "director", "clock", op="start", day=3, time="09:00")
    submit(ex, "controller", "inject", inject="I-15")
    submit(ex, "team:bravo", "action", team="bravo", action_type="plan", site="hq", text="on it", inject="I-15")
    assert ex.state_for("director")["injects"]["I-16"]["teams_due"]["bravo"]["due"] is not None
    submit(ex, "controller", "inject_recall", inject="I-15", reason="wrong")
    assert ex.state_for("director")["injects"]["I-16"]["teams_due"]["bravo"]["due"] is None  # waits again
    submit(ex, "controller", "inject", inject="I-15")
    assert ex.state_for("director")["injects"]["I-16"]["teams_due"]["bravo"]["due"] is None  # the old answer: not this release
    assert ex.state_for("director")["injects"] == fold(ex.scenario, list(ex.log.since(0)), ex.now(),
                                                       **ex._fold_options("director"))["injects"]
    ex.log.close()


def test_a_skip_after_a_release_to_some_teams_is_for_the_others_and_the_report_says_so(day3, hand_clock):
    submit(day3, "controller", "inject", inject="I-15", teams=["bravo"])
    submit(day3, "controller", "inject_skip", inject="I-15", reason="delta is busy at the farm")
    context = report_context(day3.scenario, day3.state_for("director"), [], [], 3, "en")
    row = next(i for i in context["injects"] if i["id"] == "I-15")
    assert (row["partly"], row["status"], row["when"]) == (["Team Bravo"], "skipped", "day 3 10:00")
