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


@pytest.mark.parametrize("path", [("teams", 0, "id"), ("injects", 0, "time"), ("injects", 0, "delivery"),
                                  ("teams", 0, "color")])
def test_ids_times_and_fixed_values_are_the_same_in_every_language(raw_scenario, path):
    """A Russian page sends the ids an English one does: only texts may differ."""
    table, index, key = path
    entry = raw_scenario[table][index]
    entry[key] = {"en": entry.get(key, "#0072B2"), "ru": "другое"}
    with pytest.raises(ScenarioError, match=f"{table}\\[{index}\\]\\.{key}: only texts may be given in several languages"):
        check_scenario(raw_scenario)


def test_languages_excon_does_not_speak_are_not_kept(raw_scenario):
    raw_scenario["teams"][0]["name"] = {"en": "Team Alpha", "de": "Mannschaft Alpha", "ru": "Команда «Альфа»"}
    assert check_scenario(raw_scenario).languages == ("ru",)


def test_a_scenario_nested_too_deeply_is_refused_with_a_reason(raw_scenario):
    deep = "x"
    for _level in range(900):
        deep = [deep]
    raw_scenario["exercise"]["description"] = deep
    with pytest.raises(ScenarioError, match="nested too deeply"):
        check_scenario(raw_scenario)
