"""The Russian example scenario (scenarios.ru.json) runs: it loads, a short played day exports a
CSV whose Cyrillic survives a spreadsheet round trip, and the director's screen labels its teams."""

import csv
import io

import pytest

from control.exports import csv_columns, csv_header
from control.scenario import load_scenario

from .conftest import CODES, ROOT, Server, new_id
from .test_director_page import ready

RU = ROOT / "scenarios.ru.json"
RU_CODES = {**{r: CODES[r] for r in ("director", "controller", "observer", "screen")}, "team:volga": "volga-code"}


def test_the_russian_scenario_is_a_complete_week():
    s = load_scenario(RU)
    assert s.raw["exercise"]["language"] == "ru"
    assert len(s.days) == 5 and len(s.teams) == 6 and len(s.injects) >= 30
    assert all(o["tasks"] for o in s.raw["objectives"])
    assert {inject["day"] for inject in s.injects.values()} == {1, 2, 3, 4, 5}
    assert [t["short"] for t in s.teams.values()] == ["1", "2", "3", "4", "5", "6"]


@pytest.fixture
def ru_server(tmp_path):
    server = Server(tmp_path / "ru.db", codes_env=",".join(f"{r}={c}" for r, c in RU_CODES.items()),
                    extra_args=["--scenario", str(RU)]).start()
    yield server
    server.stop()


def test_a_played_day_exports_cyrillic_that_round_trips(ru_server):
    director, volga, observer = (ru_server.connect(RU_CODES[r]) for r in ("director", "team:volga", "observer"))
    assert director.submit({"id": new_id(), "kind": "clock", "op": "start", "day": 2, "time": "09:00"})["ok"]
    assert director.submit({"id": new_id(), "kind": "inject", "inject": "В-07"})["ok"]
    assert volga.submit({"id": new_id(), "kind": "action", "team": "volga", "site": "sauna", "action_type": "protect",
                         "text": "Остановили микроавтобус, девушек отделили от водителя", "inject": "В-07"})["ok"]
    assert observer.submit({"id": new_id(), "kind": "evaluation", "team": "volga", "objective": "ru-victim",
                            "task": "ru-victim-interpreter", "rating": "M",
                            "note": "Переводчика вызвали только через час"})["ok"]
    exported = ru_server.get("/api/export/events.csv", "director")
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert lines[0] == csv_header("ru")  # the header in the scenario's language, the columns as always
    action, evaluation = (dict(zip(csv_columns(), line, strict=True)) for line in lines[3:5])
    assert (action["team_name"], action["site_name"]) == ("Команда 1 «Волга»", "Сауна «Лагуна»")
    assert action["inject_title"] == "Администратор пытается вывезти девушек"
    assert action["action_label"] == "Меры защиты и безопасности"
    assert evaluation["task_title"] == "Привлечь независимого переводчика"
    assert evaluation["note"] == "Переводчика вызвали только через час"


def test_the_directors_screen_labels_cyrillic_teams_in_full(browser, ru_server):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(f"{ru_server.url}/login?code={CODES['director']}")
    page.goto(f"{ru_server.url}/director")
    ready(page)
    markers = page.evaluate("document.getElementById('map-plot').data.slice(1).map((t) => t.text[0])")
    headers = page.evaluate("document.getElementById('coverage-plot').data[0].x")
    lanes = page.inner_text("#timeline-plot")
    context.close()
    assert markers == ["1", "2", "3", "4", "5", "6"]
    assert headers[0] == "1<br>«Волга»" and len(set(headers)) == 6  # "Команда" said once, not six times
    assert "Команда 2 «Енисей»" in lanes
