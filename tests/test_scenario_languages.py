"""A scenario may give any text in several languages; pages show the reader's, else the scenario's."""

import pytest

from control.scenario import ScenarioError, check_scenario


def test_a_text_in_several_languages_is_shown_in_the_readers_language(raw_scenario):
    raw_scenario["teams"][0]["name"] = {"en": "Team Alpha", "ru": "Команда «Альфа»"}
    raw_scenario["injects"][0]["expected_actions"] = [{"en": "Call the prosecutor", "ru": "Позвонить прокурору"}, "Log it"]
    scenario = check_scenario(raw_scenario)
    assert scenario.teams["alpha"]["name"] == "Team Alpha"  # the scenario's own language (en)
    assert scenario.languages == ("ru",)
    russian = scenario.in_language("ru")
    assert russian.teams["alpha"]["name"] == "Команда «Альфа»"
    assert russian.raw["injects"][0]["expected_actions"] == ["Позвонить прокурору", "Log it"]
    assert russian.teams["bravo"]["name"] == scenario.teams["bravo"]["name"]  # a plain text is every language's
    assert russian.teams["alpha"]["short"] == "А"  # the marker follows the name in Russian
    assert scenario.in_language("de") is scenario or scenario.in_language("de").teams["alpha"]["name"] == "Team Alpha"


def test_a_text_in_several_languages_must_have_the_scenarios_language(raw_scenario):
    raw_scenario["sites"][1]["name"] = {"ru": "Стройка"}
    with pytest.raises(ScenarioError, match=r"sites\[1\]\.name: a text in several languages must have the scenario's "
                                            r"language 'en' \(it has 'ru'\)"):
        check_scenario(raw_scenario)


def test_the_scenarios_language_must_be_a_language_code(raw_scenario):
    raw_scenario["exercise"]["language"] = "Russian"
    with pytest.raises(ScenarioError, match="'language' must be a language code"):
        check_scenario(raw_scenario)


def test_an_empty_translation_falls_back_to_the_scenarios_language(raw_scenario):
    raw_scenario["objectives"][0]["title"] = {"en": "Identify victims", "ru": ""}
    assert check_scenario(raw_scenario).in_language("ru").objectives["obj-identify"]["title"] == "Identify victims"


def test_every_language_is_checked_when_the_scenario_loads(raw_scenario):
    raw_scenario["teams"][0]["short"] = {"en": "A", "ru": "Альфа"}  # four letters: too long for a marker
    with pytest.raises(ScenarioError, match="in 'ru': teams entry #1"):
        check_scenario(raw_scenario)
