"""The validator a planner meets: unknown fields with a suggestion, ids in two alphabets, a site off the
plan, two teams in one colour, `to` and `teams` that disagree, doubtful times as warnings, and
`run.py scenario check`."""

import json

import pytest

from control.scenario import ScenarioError, check_scenario

from .conftest import ROOT
from .test_run import run


def refused(raw, change) -> str:
    change(raw)
    with pytest.raises(ScenarioError) as e:
        check_scenario(raw)
    return str(e.value)


@pytest.mark.parametrize("change, message", [
    (lambda r: r["injects"][1].update(titel="x"),
     "injects entry #2 ('I-02'): unknown field 'titel' (did you mean 'title'?)"),
    (lambda r: r["injects"][1].update(depends_on="I-01"), "injects entry #2 ('I-02'): unknown field 'depends_on' (known: "),
    (lambda r: r.update(dayz=[]), "the scenario: unknown field 'dayz' (did you mean 'days'?)"),
    (lambda r: r["teams"][0].update(colour="#000000"), "unknown field 'colour' (did you mean 'color'?)"),
    (lambda r: r["days"][0]["schedule"][0].update(note="x"), "day 1 schedule #1: unknown field 'note'"),
    (lambda r: r["exercise"]["map"].update(scale=2), "'map' must be an object with 'width' and 'height'"),
])
def test_a_field_excon_does_not_read_is_refused_with_a_suggestion(raw_scenario, change, message):
    assert message in refused(raw_scenario, change)


def test_an_id_in_two_alphabets_is_refused_naming_the_odd_letters(raw_scenario):
    message = refused(raw_scenario, lambda r: r["objectives"][0].update(id="obj-identifу"))  # Cyrillic у
    assert message == ("objectives entry #1: id 'obj-identifу' mixes Latin and Cyrillic letters: Cyrillic 'у' (12) "
                       "(its place in the id); retype it in one alphabet")


def test_a_reference_that_only_looks_right_names_its_letters(raw_scenario):
    message = refused(raw_scenario, lambda r: r["injects"][0].update(site="hq".replace("h", "һ")))  # not a look-alike we map
    assert "unknown site" in message
    message = refused(raw_scenario, lambda r: r["injects"][0]["teams"].__setitem__(0, "аlpha"))  # Cyrillic а
    assert message == ("inject 'I-01': team 'аlpha' is not 'alpha', though it looks the same: its letters 'а' (1) "
                       "(their place in the id) are from another alphabet")


def test_a_site_off_the_plan_and_two_teams_in_one_colour_are_refused(raw_scenario):
    assert "site 'hq': x 1200 is off the plan (0–1000: exercise.map)" in refused(
        json.loads(json.dumps(raw_scenario)), lambda r: r["sites"][0].update(x=1200))
    assert "two teams have the colour #0072b2" in refused(raw_scenario, lambda r: r["teams"][1].update(color="#0072B2"))


def test_to_may_not_name_a_team_the_inject_does_not_go_to(raw_scenario):
    message = refused(raw_scenario, lambda r: r["injects"][1].update(to="Team Alpha and Team Bravo"))  # I-02: bravo, delta
    assert message == "inject 'I-02': 'to' names Team Alpha, which is not among its teams (bravo, delta)"


def test_empty_texts_and_a_day_as_text_are_refused_as_such(raw_scenario):
    assert "'description' must be a non-empty text" in refused(
        json.loads(json.dumps(raw_scenario)), lambda r: r["injects"][0].update(description=" "))
    assert "'day' must be a whole number, not \"3\"" in refused(raw_scenario, lambda r: r["injects"][0].update(day="3"))


def test_an_inject_in_the_lunch_break_is_a_warning_not_a_refusal(raw_scenario):
    raw_scenario["injects"][4]["time"] = "12:45"  # I-05, day 2: the break is 12:30–13:30
    scenario = check_scenario(raw_scenario)
    assert [str(w) for w in scenario.warnings] == [
        "inject 'I-05': at day 2 12:45, outside the day's play blocks (break 12:30–13:30)"]
    raw_scenario["injects"][4]["outside_play"] = True  # a lunch-time phone call, on purpose
    assert check_scenario(raw_scenario).warnings == []
    raw_scenario["injects"][4]["outside_play"] = "yes"
    assert "'outside_play' must be true or false, not \"yes\"" in refused(raw_scenario, lambda r: None)


def test_the_check_command_says_what_the_file_holds_or_what_is_wrong(tmp_path, raw_scenario):
    good = run("scenario", "check", "scenarios.ru.json")
    assert good.returncode == 0, good.stderr
    assert ("5 days, 8 sites, 6 teams, 7 objectives with 21 critical tasks, 34 injects (1 waiting for the teams' play), "
            "8 kinds of request, 4 actors, 23 people; 0 warnings") in good.stdout
    raw_scenario["injects"][4]["time"] = "12:45"
    doubtful = tmp_path / "doubtful.json"
    doubtful.write_text(json.dumps(raw_scenario), encoding="utf-8-sig")  # with a BOM, as Windows writes it
    result = run("scenario", "check", str(doubtful))
    assert result.returncode == 0 and "warning: inject 'I-05': at day 2 12:45" in result.stderr
    raw_scenario["injects"][4]["depends_on"] = "I-04"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(raw_scenario), encoding="utf-8")
    result = run("scenario", "check", str(broken))
    assert result.returncode == 1 and "unknown field 'depends_on'" in result.stderr
    russian = tmp_path / "windows.json"  # the Russian example as Russian Windows saves it
    russian.write_bytes((ROOT / "scenarios.ru.json").read_text(encoding="utf-8").encode("cp1251", errors="replace"))
    result = run("scenario", "check", str(russian))
    assert result.returncode == 1 and "It looks like Windows-1251 (Cyrillic). Save it as UTF-8" in result.stderr
    result = run("scenario", "check", str(tmp_path / "missing.json"))
    assert result.returncode == 1 and "does not exist" in result.stderr


def test_to_names_a_team_as_a_whole_name_only(raw_scenario):
    raw_scenario["teams"][0]["name"] = "Team 1"
    raw_scenario["teams"][1]["name"] = "Team 10"
    i02 = raw_scenario["injects"][1]  # I-02 goes to bravo ("Team 10") and delta
    i02["to"] = "Team 10 and Team Delta"
    check_scenario(raw_scenario)  # "Team 1" is not named in "Team 10"
    i02["to"] = "Team 1, Team 10"
    assert "'to' names Team 1, which is not among its teams" in refused(raw_scenario, lambda r: None)


def test_the_exercise_id_in_two_alphabets_is_refused(raw_scenario):
    assert "exercise: id 'marenburg-2026-рассвет' mixes Latin and Cyrillic letters" in refused(
        raw_scenario, lambda r: r["exercise"].update(id="marenburg-2026-рассвет"))


def _inject(raw, inject_id):
    return next(i for i in raw["injects"] if i["id"] == inject_id)


@pytest.mark.parametrize("change, message", [
    (lambda r: _inject(r, "I-46").update(after={"inject": "I-99"}), "inject 'I-46' 'after': unknown inject 'I-99'"),
    (lambda r: _inject(r, "I-46").update(after={"inject": "I-46"}), "inject 'I-46' 'after': an inject cannot wait for itself"),
    (lambda r: _inject(r, "I-46").update(after={"inject": "I-02"}),  # I-02 goes to bravo and delta: fine
     None),
    (lambda r: _inject(r, "I-46").update(after={"inject": "I-05"}),
     "inject 'I-46' 'after': inject 'I-05' does not go to team bravo, which would wait for it for ever"),
    (lambda r: _inject(r, "I-46").update(after={"inject": "I-17", "minutes": -5}),
     "'minutes' must be a whole number of minutes from 0 to 1440, not -5"),
    (lambda r: _inject(r, "I-46").update(after={"inject": "I-17", "mins": 5}), "unknown field 'mins' (did you mean 'minutes'?)"),
    (lambda r: _inject(r, "I-46").update(after="I-17"), "('I-46'): 'after' must be an object, not \"I-17\""),
    (lambda r: _inject(r, "I-17").update(when={"action_type": "inspection", "answers": "I-16"}),
     "inject 'I-17' 'when': give either 'action_type' (the team logs an action of that type) or 'answers'"),
    (lambda r: _inject(r, "I-17").update(when={"action_type": "inspect"}),
     "inject 'I-17' 'when': unknown action type 'inspect'"),
    (lambda r: _inject(r, "I-17").update(when={"answers": "I-46"}),
     "inject 'I-17' waits for itself: I-17 → I-46 → I-17"),
])
def test_a_chain_of_injects_must_be_one_every_team_can_follow(raw_scenario, change, message):
    if message is None:
        change(raw_scenario)
        check_scenario(raw_scenario)
    else:
        assert message in refused(raw_scenario, change)


@pytest.mark.parametrize("change, message", [
    (lambda r: _inject(r, "I-03").update(actor="act-nobody"),
     "inject 'I-03': unknown actor 'act-nobody' (the scenario's 'actors' list)"),
    (lambda r: (_inject(r, "I-02").update(cue="Say hello")),
     "inject 'I-02': a 'cue' is for the actor who delivers the inject: name the 'actor' too"),
    (lambda r: _inject(r, "I-03").update({"from": "Maria Koval"}),
     "inject 'I-03': 'from' names the actor Maria Koval (actor 'act-irina'), and players read it"),
    (lambda r: _inject(r, "I-05").update(description="Koval was seen at the club."),
     "inject 'I-05': 'description' names the actor Maria Koval"),
    (lambda r: r["actors"][0].pop("character"), "actors entry #1 ('act-irina'): missing field 'character'"),
])
def test_actors_stay_behind_their_characters(raw_scenario, change, message):
    assert message in refused(raw_scenario, change)


def test_a_condition_of_the_wrong_shape_is_refused_even_when_another_inject_follows_it(raw_scenario):
    message = refused(raw_scenario, lambda r: (_inject(r, "I-16").update(after={"inject": "I-46"}),
                                               _inject(r, "I-46").update(after={"inject": ["I-17"]})))
    assert "inject 'I-46' 'after': 'inject' must be a non-empty text" in message


def test_an_actors_name_is_refused_wherever_players_read_it_and_warned_where_evaluators_do(raw_scenario):
    raw_scenario["actors"][0]["name"] = "Anna May"  # a surname that is also a word
    _inject(raw_scenario, "I-05")["description"] = "Some of the workers may be minors."
    check_scenario(json.loads(json.dumps(raw_scenario)))  # "may" is no name
    assert "sites entry #1: 'description' names the actor Anna May" in refused(
        json.loads(json.dumps(raw_scenario)), lambda r: r["sites"][0].update(description="Anna May waits here."))
    _inject(raw_scenario, "I-17")["controller_notes"] = "Call Anna May ten minutes before."
    warned = check_scenario(raw_scenario).warnings
    assert [str(w) for w in warned] == ["inject 'I-17': 'controller_notes' names the actor Anna May, and evaluators read it "
                                        "(only the control cell reads the actors): say the character, or keep it to the cue"]


@pytest.mark.parametrize("change, message", [
    (lambda r: r["days"][1].update(title=" "), "day 2: 'title' must be a non-empty text"),
    (lambda r: _inject(r, "I-02").update(to=""), "('I-02'): 'to' must be a non-empty text"),
    (lambda r: _inject(r, "I-02").update({"from": " "}), "('I-02'): 'from' must be a non-empty text"),
])
def test_a_text_people_read_may_not_be_blank(raw_scenario, change, message):
    assert message in refused(raw_scenario, change)


def test_a_look_alike_in_the_evaluators_plan_names_its_letters(raw_scenario):
    message = refused(raw_scenario, lambda r: r["assignments"][0].update(teams=["brаvo"]))  # Cyrillic а
    assert message.startswith("assignments entry #1: team 'brаvo' is not 'bravo', though it looks the same")
