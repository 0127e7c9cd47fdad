"""The control cell's run sheet: the day's MSEL on paper, with how each inject stands now."""

from .conftest import CODES, new_id


def test_the_run_sheet_lists_the_days_injects_with_what_control_expects(server):
    director = server.connect("director")
    assert director.submit({"id": new_id(), "kind": "clock", "op": "start", "day": 2, "time": "09:10"})["ok"]
    assert director.submit({"id": new_id(), "kind": "inject", "inject": "I-05"})["ok"]
    assert director.submit({"id": new_id(), "kind": "inject_defer", "inject": "I-06", "reason": "Prosecutor late",
                            "day": 3, "time": "10:00"})["ok"]
    sheet = server.get("/run-sheet", "controller")
    assert sheet.status_code == 200
    html = sheet.text
    assert "Run sheet, day 2" in html and "Surveillance report on Club Aurora" in html  # today, by default
    assert "Decide whether there are grounds for a search" in html  # what control expects
    assert "released</span> day 2 09:10" in html and 'data-inject="I-06"' not in html  # I-06 moved to day 3
    assert "<style>" in html and "<script" not in html and "<link" not in html  # prints as it is, also saved
    day_3 = server.get("/run-sheet?day=3&lang=ru", "director").text
    assert "Лист хода учения, день 3" in day_3 and 'data-inject="I-06"' in day_3  # deferred to day 3, in Russian
    for role in ("observer", "screen", "team:alpha"):
        assert server.get("/run-sheet", role).status_code == 403


def test_the_board_links_the_run_sheet_of_the_day_on_show(open_page, server):
    page = open_page("controller").page
    page.goto(server.url + "/director")
    page.wait_for_selector("body[data-ready='1']", timeout=15000)
    page.select_option("#board-day", "3")
    assert page.get_attribute("#run-sheet-link", "href").startswith("/run-sheet?day=3")
    assert CODES["controller"] not in page.get_attribute("#run-sheet-link", "href")


def test_the_cue_sheet_gives_each_actor_their_day(server):
    director = server.connect("director")
    assert director.submit({"id": new_id(), "kind": "clock", "op": "start", "day": 3, "time": "09:00"})["ok"]
    assert director.submit({"id": new_id(), "kind": "schedule_shift", "day": 3, "time": "10:00", "minutes": 10,
                            "reason": "search ran long"})["ok"]
    sheet = server.get("/cue-sheet", "controller")
    assert sheet.status_code == 200
    html = sheet.text
    assert "Actors' cue sheet, day 3" in html and "never show this sheet to players" in html
    foreman = html[html.index('data-actor="act-foreman"'):html.index('data-actor="act-tomas"')]
    assert "Jonas Berg" in foreman and "plays the site foreman" in foreman and "+00 555 0104" in foreman
    assert foreman.index('data-inject="I-17"') < foreman.index('data-inject="I-46"')  # in time order
    assert "10:30" in foreman and "Labour inspection step" in foreman  # moved by the shift; waits for an inspection
    assert "keep the passports in the safe" in foreman and "Riverside Towers" in foreman and "Team Bravo, Team Delta" in foreman
    assert "<style>" in html and "<script" not in html
    day_1 = server.get("/cue-sheet?day=1&lang=ru", "director").text
    assert "Лист реплик актёров, день 1" in day_1 and "Maria Koval" in day_1
