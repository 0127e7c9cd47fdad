"""Several evaluators rating one team against one objective: the report puts them side by side and
flags a disagreement of two steps or more (HSEEP: the lead evaluator then agrees one rating)."""

import pytest

from control.exports import raters_side_by_side

from .conftest import CODES_ENV, Server, new_id


def rating(team, letter, by):
    return {"team": team, "rating": letter, "by": by, "role": "observer", "objective": "obj-identify"}


def test_evaluators_two_steps_apart_are_flagged(scenario):
    evaluations = [rating("alpha", "P", "p-eval-1"), rating("alpha", "M", "p-eval-2"),  # P against M: flagged
                   rating("bravo", "S", "p-eval-1"), rating("bravo", "M", "p-eval-2"),  # one step: not
                   rating("charlie", "U", "p-eval-1"), rating("charlie", "P", "p-eval-1"),  # one evaluator: not
                   rating("delta", "U", "p-eval-1"), rating("delta", "S", "p-eval-1"), rating("delta", "S", "observer")]
    rows = {row["team"]: row for row in raters_side_by_side(evaluations, list(scenario.teams.values()), scenario, "en")}
    assert set(rows) == {"Team Alpha", "Team Bravo", "Team Charlie", "Team Delta"}  # Echo was not rated
    assert rows["Team Alpha"]["disagree"] and rows["Team Alpha"]["range"] == "P–M"
    assert rows["Team Alpha"]["raters"] == [{"who": "Jan Novák", "ratings": "P"}, {"who": "Maria Ionescu", "ratings": "M"}]
    assert not rows["Team Bravo"]["disagree"] and not rows["Team Charlie"]["disagree"]
    assert not rows["Team Delta"]["disagree"]  # the latest ratings count: S and S (the shared code is "evaluator")
    assert rows["Team Delta"]["raters"] == [{"who": "Jan Novák", "ratings": "U S"}, {"who": "evaluator", "ratings": "S"}]


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "raters.db",
                 codes_env=CODES_ENV + ",person:p-eval-1=anna-eval-code,person:p-eval-2=maria-eval-code").start()
    yield srv
    srv.stop()


def test_the_report_shows_the_disagreement(server):
    anna, maria = (server.connect(code) for code in ("anna-eval-code", "maria-eval-code"))
    for client, letter in ((anna, "P"), (maria, "U")):
        assert client.submit({"id": new_id(), "kind": "evaluation", "team": "alpha",
                              "objective": "obj-identify", "rating": letter, "note": "Seen at the club."})["ok"]
    report = server.get("/api/export/report.html?lang=en", "director").text
    assert "Jan Novák</bdi>: P; <bdi>Maria Ionescu</bdi>: U" in report
    assert "evaluators disagree (P–U): agree on one rating" in report
