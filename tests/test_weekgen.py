"""The generated week: deterministic, valid, and shaped like a real week."""

from collections import Counter

from control.eventlog import EventLog
from control.state import fold
from control.timefmt import parse_iso
from control.weekgen import write_week


def week(path, scenario, events=3000):
    log = EventLog(path)
    written = write_week(scenario, log, events)
    return log, written


def test_a_generated_week_is_deterministic_and_complete(tmp_path, scenario):
    first, written = week(tmp_path / "a.db", scenario)
    second, _ = week(tmp_path / "b.db", scenario)
    events = list(first.since(0))
    assert len(events) == written == first.count()
    assert 2500 <= written <= 3500
    assert [(e["id"], e["kind"]) for e in events] == [(e["id"], e["kind"]) for e in second.since(0)]
    kinds = Counter(e["kind"] for e in events)
    assert {"action", "move", "evaluation", "note", "inject", "clock", "retract", "amend", "safety",
            "safety_ack"} <= set(kinds)
    days = {int(e["exercise_time"] // 86400) + 1 for e in events if e["exercise_time"] is not None}
    assert days == set(scenario.days)
    ts = [e["ts"] for e in events]
    assert ts == sorted(ts)
    end = fold(scenario, events, parse_iso(ts[-1]))
    assert end["clock"]["state"] == "paused" and end["clock"]["day"] == 5
    assert sum(1 for i in end["injects"].values() if i["status"] == "released") >= 35
    first.close()
    second.close()


def test_a_ratings_note_reads_as_its_rating_and_tag(tmp_path, scenario):
    from control.weekgen import MIXED_NOTES, PROBLEM_NOTES, STRENGTH_NOTES

    log, _ = week(tmp_path / "w.db", scenario)
    evaluations = list(log.of_kind("evaluation"))
    assert evaluations
    for e in evaluations:  # as written (a few are corrected later by an amend: the hot wash changed its mind)
        wanted = {"P": STRENGTH_NOTES, "S": MIXED_NOTES}.get(e["rating"], PROBLEM_NOTES)
        assert e["note"] in wanted, e
        assert e.get("tag") == {"P": "strength", "M": "improvement", "U": "improvement"}.get(e["rating"]), e
