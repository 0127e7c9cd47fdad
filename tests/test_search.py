"""Finding events in the whole log: the feed's search and filters, a coverage cell's notes."""

import pytest

from control.events import InvalidEvent
from control.search import EventFilter

from .conftest import new_id, submit


@pytest.fixture
def logged(exercise):
    submit(exercise, "director", "clock", op="start")
    submit(exercise, "controller", "inject", inject="I-02")  # bravo and delta
    submit(exercise, "team:bravo", "action", team="bravo", action_type="plan", site="farm", text="Interview the FOREMAN")
    submit(exercise, "team:alpha", "move", team="alpha", site="club")
    submit(exercise, "observer", "evaluation", objective="obj-identify", team="bravo", rating="S",
           note="Бригадир опрошен без переводчика")
    wrong = submit(exercise, "observer", "evaluation", objective="obj-identify", team="bravo", rating="U",
                   note="foreman not found")
    submit(exercise, "observer", "retract", target=wrong["id"], reason="wrong team")
    return exercise


def texts(found):
    return [e.get("text") or e.get("note") or e["kind"] for e in found]


def test_words_match_any_text_ignoring_case_in_any_script(logged):
    assert texts(logged.search_for("director", EventFilter(words="foreman"), 50)[0]) == ["Interview the FOREMAN"]
    found, _more = logged.search_for("director", EventFilter(words="БРИГАДИР"), 50)
    assert texts(found) == ["Бригадир опрошен без переводчика"]  # the withdrawn "foreman not found" is gone


def test_a_team_matches_its_entries_and_the_injects_it_received(logged):
    found, _ = logged.search_for("director", EventFilter(team="bravo"), 50)
    assert [e["kind"] for e in found] == ["inject", "action", "evaluation"]
    found, _ = logged.search_for("director", EventFilter(team="bravo", kinds=("evaluation",), objective="obj-identify"), 50)
    assert [e["rating"] for e in found] == ["S"]
    assert [e["kind"] for e in logged.search_for("director", EventFilter(site="club"), 50)[0]] == ["move"]


def test_the_newest_come_first_to_the_limit_and_say_there_may_be_more(logged):
    found, more = logged.search_for("director", EventFilter(), 2)
    assert [e["kind"] for e in found] == ["move", "evaluation"] and more


def test_what_a_role_may_not_see_is_never_found(logged):
    assert logged.search_for("screen", EventFilter(words="Бригадир"), 50)[0] == []  # notes stay off the screen


@pytest.mark.parametrize("wanted, field", [
    (EventFilter(team="zulu"), "team"), (EventFilter(site="moon"), "site"), (EventFilter(objective="x"), "objective"),
    (EventFilter(kinds=("gossip",)), "kind"), (EventFilter(words="x" * 201), "q"),
])
def test_a_bad_search_is_refused_with_its_field(scenario, wanted, field):
    with pytest.raises(InvalidEvent) as refused:
        wanted.check(scenario)
    assert refused.value.field == field


def test_the_search_over_http(server):
    director = server.connect("director")
    director.submit({"id": new_id(), "kind": "note", "text": "Interpreter arrives at 11:00", "team": "alpha"})
    answer = server.get("/api/search?q=interpreter&team=alpha", "director").json()
    assert answer["ok"] and [e["text"] for e in answer["events"]] == ["Interpreter arrives at 11:00"]
    refused = server.get("/api/search?team=zulu", "director")
    assert refused.status_code == 400 and refused.json()["error"] == "unknown team 'zulu'"


def test_an_unknown_kind_is_named_escaped(scenario):
    with pytest.raises(InvalidEvent) as refused:
        EventFilter(kinds=("\u202enope\n<b>",)).check(scenario)
    assert str(refused.value.message) == "unknown kind '\\u202enope\\n<b>'"


def test_words_also_find_what_the_names_people_read_stand_for(logged):
    wanted = EventFilter(words="greenfield").with_names(logged.scenario)  # the farm's name: "Greenfield Farm"
    assert [e["kind"] for e in logged.search_for("director", wanted, 50)[0]] == ["action"]  # bravo's, at the farm
    wanted = EventFilter(words="team bravo").with_names(logged.scenario)
    assert [e["kind"] for e in logged.search_for("director", wanted, 50)[0]] == ["inject", "action", "evaluation"]
