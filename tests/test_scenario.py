"""The default scenario is complete, and a broken file is refused with the bad entry named."""

import json
import re

import pytest

from control.scenario import ScenarioError, check_scenario, load_scenario
from control.timefmt import parse_clock_time


def test_default_scenario_is_a_full_week(scenario):
    assert len(scenario.days) == 5
    for day in scenario.days.values():
        kinds = [block["kind"] for block in day["schedule"]]
        assert "play" in kinds and "hot_wash" in kinds and "briefing" in kinds
    assert len(scenario.sites) >= 6
    assert {"nightclub", "construction site", "agricultural field", "control", "prosecutor's office",
            "shelter", "border post"} <= {s["kind"] for s in scenario.sites.values()}
    assert 4 <= len(scenario.teams) <= 6
    assert all(len(t["agencies"]) >= 3 for t in scenario.teams.values())
    assert 6 <= len(scenario.objectives) <= 8
    assert all(2 <= len(o["tasks"]) <= 4 for o in scenario.objectives.values())
    assert len(scenario.injects) >= 40
    assert {i["day"] for i in scenario.injects.values()} == {1, 2, 3, 4, 5}
    assert scenario.action_types


def test_every_team_and_objective_is_exercised(scenario):
    targeted = {t for i in scenario.injects.values() for t in i["teams"]}
    linked = {o for i in scenario.injects.values() for o in i["objectives"]}
    assert targeted == set(scenario.teams)
    assert linked == set(scenario.objectives)


def test_injects_are_in_time_order(scenario):
    order = [(i["day"], parse_clock_time(i["time"])) for i in scenario.injects.values()]
    assert order == sorted(order)


def break_and_check(raw, change):
    change(raw)
    with pytest.raises(ScenarioError) as e:
        check_scenario(raw)
    return str(e.value)


def test_unknown_site_in_an_inject_is_named(raw_scenario):
    message = break_and_check(raw_scenario, lambda r: r["injects"][3].update(site="casino"))
    assert "I-04" in message and "unknown site 'casino'" in message


def test_unknown_team_in_an_inject_is_named(raw_scenario):
    message = break_and_check(raw_scenario, lambda r: r["injects"][0]["teams"].append("zulu"))
    assert "I-01" in message and "unknown team 'zulu'" in message


def test_unknown_objective_in_an_inject_is_named(raw_scenario):
    message = break_and_check(raw_scenario, lambda r: r["injects"][1]["objectives"].append("obj-x"))
    assert "I-02" in message and "obj-x" in message


def test_duplicate_id_is_named(raw_scenario):
    message = break_and_check(raw_scenario, lambda r: r["sites"].append(dict(r["sites"][0])))
    assert "duplicate id 'hq'" in message


def test_duplicate_task_id_is_named(raw_scenario):
    def dup(r):
        r["objectives"][1]["tasks"].append(dict(r["objectives"][0]["tasks"][0]))
    assert "duplicate task id 'identify-indicators'" in break_and_check(raw_scenario, dup)


def test_missing_field_is_named(raw_scenario):
    message = break_and_check(raw_scenario, lambda r: r["injects"][5].pop("title"))
    assert "I-06" in message and "missing field 'title'" in message


def test_missing_id_is_named(raw_scenario):
    message = break_and_check(raw_scenario, lambda r: r["teams"][2].pop("id"))
    assert "teams entry #3" in message and "'id'" in message


@pytest.mark.parametrize("time", ["25:00", "9:5", "noon", "07:00", "23:00"])
def test_inject_time_out_of_range_is_named(raw_scenario, time):
    message = break_and_check(raw_scenario, lambda r: r["injects"][7].update(time=time))
    assert "I-08" in message and "time" in message


def test_inject_day_out_of_range_is_named(raw_scenario):
    message = break_and_check(raw_scenario, lambda r: r["injects"][7].update(day=6))
    assert "I-08" in message and "day 6 out of range" in message


def test_site_without_coordinates_is_named(raw_scenario):
    message = break_and_check(raw_scenario, lambda r: r["sites"][1].update(x="left"))
    assert "site 'club'" in message and "x must be a number" in message


def test_schedule_out_of_order_is_named(raw_scenario):
    message = break_and_check(raw_scenario, lambda r: r["days"][2]["schedule"][1].update(start="08:00"))
    assert "day 3 schedule #2" in message


def test_unknown_delivery_method_is_named(raw_scenario):
    message = break_and_check(raw_scenario, lambda r: r["injects"][0].update(delivery="pigeon"))
    assert "I-01" in message and "pigeon" in message


def test_missing_list_is_refused(raw_scenario):
    assert "missing field 'objectives'" in break_and_check(raw_scenario, lambda r: r.pop("objectives"))


def test_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"days": [', encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid JSON"):
        load_scenario(path)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match="does not exist"):
        load_scenario(tmp_path / "nope.json")


def test_a_written_scenario_loads(tmp_path, raw_scenario):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(raw_scenario), encoding="utf-8")
    assert load_scenario(path).injects["I-01"]["title"]


@pytest.mark.parametrize("change, named", [
    (lambda r: r["teams"][1].update(agencies=5), "teams entry #2 ('bravo'): 'agencies' must be a list of non-empty texts, not 5"),
    (lambda r: r["teams"][0].update(home_site=[]), "'home_site' must be a non-empty text, not []"),
    (lambda r: r["teams"][0].update(color="blue"), "'color' must be a colour"),
    (lambda r: r.update(exercise="x"), "missing field 'exercise'"),
    (lambda r: r["exercise"].pop("id"), "exercise: missing field 'id'"),
    (lambda r: r["sites"][2].update(x=float("nan")), "x must be a number"),
    (lambda r: r["sites"][2].update(y="12"), "y must be a number"),
    (lambda r: r["injects"][3].update(site={"id": "club"}), "injects entry #4 ('I-04'): 'site' must be a non-empty text"),
    (lambda r: r["injects"][3].update(teams="alpha"), "'teams' must be a list of non-empty texts, not \"alpha\""),
    (lambda r: r["injects"][3].update(day="3"), "'day' must be a whole number, not \"3\""),
    (lambda r: r["injects"][3].update(title=""), "'title' must be a non-empty text"),
    (lambda r: r["injects"][3].update(expected_actions=[1]), "'expected_actions' must be a list of texts"),
    (lambda r: r["objectives"][0]["tasks"][0].update(title=None), "'title' must be a non-empty text, not null"),
    (lambda r: r["action_types"][0].update(label=["x"]), "'label' must be a non-empty text"),
    (lambda r: r["days"][0]["schedule"][0].update(start=900), "day 1 schedule #1: 'start' must be a non-empty text"),
])
def test_every_wrong_type_is_named_with_its_entry(raw_scenario, change, named):
    assert named in break_and_check(raw_scenario, change)


def test_a_file_with_a_byte_order_mark_is_read(raw_scenario, tmp_path):
    path = tmp_path / "with-bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(raw_scenario, ensure_ascii=False).encode("utf-8"))
    assert load_scenario(path).exercise_id == raw_scenario["exercise"]["id"]


def test_a_windows_1251_file_is_named_as_such(raw_scenario, tmp_path):
    raw_scenario["exercise"]["title"] = "Учение «Открытая дверь»"
    del raw_scenario["people"]  # its names have letters Windows-1251 lacks (á, ń …)
    path = tmp_path / "cp1251.json"
    path.write_bytes(json.dumps(raw_scenario, ensure_ascii=False).encode("cp1251"))
    with pytest.raises(ScenarioError, match="is not UTF-8 text .* looks like Windows-1251 .* Save it as UTF-8"):
        load_scenario(path)


def test_a_utf16_file_is_named_as_such(raw_scenario, tmp_path):
    path = tmp_path / "utf16.json"
    path.write_bytes(json.dumps(raw_scenario).encode("utf-16"))
    with pytest.raises(ScenarioError, match="saved as UTF-16; save it as UTF-8"):
        load_scenario(path)


def test_nan_in_the_file_is_refused(raw_scenario, tmp_path):
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(raw_scenario).replace('"x": 500', '"x": NaN', 1), encoding="utf-8")
    with pytest.raises(ScenarioError, match="NaN is not a number JSON allows"):
        load_scenario(path)


def test_each_team_gets_its_own_map_marker_letters(raw_scenario):
    """Markers come from the team's `short`, else the start of the last word of its name: six
    Cyrillic teams named "Команда N «…»" no longer all read "К"."""
    for i, team in enumerate(raw_scenario["teams"]):
        team["name"] = f"Команда {i + 1} «{['Арал', 'Алтай', 'Байкал', 'Волга', 'Дон'][i]}»"
    raw_scenario["teams"][4]["short"] = " Д "
    shorts = [t["short"] for t in check_scenario(raw_scenario).teams.values()]
    assert shorts == ["Ара", "А", "Б", "В", "Д"] and len(set(shorts)) == 5


@pytest.mark.parametrize("shorts, named", [
    (["X", "X"], "two teams have the short 'X'"),
    (["ABCD", None], "'short' must be a text of one to three characters"),
    (["", None], "'short' must be a text of one to three characters"),
])
def test_a_bad_short_is_named(raw_scenario, shorts, named):
    for team, short in zip(raw_scenario["teams"], shorts, strict=False):
        if short is not None:
            team["short"] = short
    with pytest.raises(ScenarioError, match=re.escape(named)):
        check_scenario(raw_scenario)
