"""The roster (`people` in the scenario): named directors, controllers, evaluators, participants.

A person has one role of the roster; roles stay the permission classes of control/permissions.py
(a lead evaluator rates as an evaluator, a participant has their team's rights)."""

import pytest

from control.permissions import PERSON_RIGHTS, all_holders, may_call, person_role
from control.scenario import PERSON_ROLES, ScenarioError, check_scenario, load_scenario

from .conftest import ROOT


@pytest.mark.parametrize("name", ["scenarios.json", "scenarios.ru.json"])
def test_the_example_scenarios_name_their_people(name):
    scenario = load_scenario(ROOT / name)
    roles = {p["role"] for p in scenario.people.values()}
    assert roles == set(PERSON_ROLES)
    members = {p["team"] for p in scenario.people.values() if p["role"] == "participant"}
    assert members == set(scenario.teams)  # every team has its players on the roster


def test_every_person_has_the_rights_of_a_role():
    assert set(PERSON_RIGHTS) == set(PERSON_ROLES)
    assert person_role({"role": "lead_evaluator"}) == "lead_evaluator"  # an evaluator who also assigns and agrees
    assert "lead_evaluator" not in all_holders(["alpha"], {})  # no shared code: a person of the roster only
    assert person_role({"role": "participant", "team": "alpha"}) == "team:alpha"
    assert may_call(person_role({"role": "evaluator"}), "observe")
    assert not may_call(person_role({"role": "participant", "team": "alpha"}), "observe")


def test_a_scenario_without_a_roster_still_runs_on_roles(raw_scenario):
    del raw_scenario["people"], raw_scenario["assignments"]  # the plan names people of the roster
    assert check_scenario(raw_scenario).people == {}


@pytest.mark.parametrize("change, message", [
    (lambda people: people.append(dict(people[0])), r"people entry #21: duplicate id 'p-director'"),
    (lambda people: people[4].update(role="observer"), r"person 'p-eval-1': role 'observer' is not one of director, "),
    (lambda people: people[12].pop("team"), r"person 'p-bravo-1': a participant needs the 'team'"),
    (lambda people: people[4].update(team="alpha"), r"person 'p-eval-1': only a participant has a 'team'"),
    (lambda people: people[12].update(team="zulu"), r"person 'p-bravo-1': unknown team 'zulu'"),
    (lambda people: people[4].update(languages="en"), r"'languages' must be a list of language codes"),
    (lambda people: people[4].update(name=" "), r"people entry #5 \('p-eval-1'\): 'name' must be a non-empty text"),
])
def test_the_roster_is_checked(raw_scenario, change, message):
    change(raw_scenario["people"])
    with pytest.raises(ScenarioError, match=message):
        check_scenario(raw_scenario)


def test_a_name_may_be_given_in_several_languages(raw_scenario):
    raw_scenario["people"][4]["name"] = {"en": "Jan Novák", "ru": "Ян Новак"}
    scenario = check_scenario(raw_scenario)
    assert scenario.people["p-eval-1"]["name"] == "Jan Novák"
    assert scenario.in_language("ru").people["p-eval-1"]["name"] == "Ян Новак"


def test_players_and_the_screen_never_read_the_roster(server):
    """Who evaluates a team is control's business: the roster goes to staff only."""
    for role in ("team:alpha", "screen"):
        assert "people" not in server.get("/api/scenario", role).json()
    for role in ("director", "controller", "observer"):
        people = server.get("/api/scenario", role).json()["people"]
        assert people[4] == {"id": "p-eval-1", "name": "Jan Novák", "role": "evaluator", "agency": "Police academy",
                             "country": "Czechia", "languages": ["en", "cs"]}
