"""The director's big screen in headless Chromium against a real server."""

import re
import time

from control.web.codes_sheet import lan_address

from .conftest import CODES, new_id, until, wait_for_text

READY = "body[data-ready='1']"
LIVE = "body[data-connection='live']"


def ready(page):
    page.wait_for_selector(READY, timeout=15000)
    page.wait_for_selector(LIVE, timeout=15000)
    return page


def test_the_page_draws_the_scenarios_sites_and_teams(open_page, scenario):
    view = open_page("director")
    page = ready(view.page)
    assert page.url.endswith("/director") and "code=" not in page.url
    map_text = page.inner_text("#map-plot")
    for site in scenario.sites.values():
        assert site["label"] in map_text
    for team in scenario.teams.values():
        assert team["name"] in map_text
    coverage = page.inner_text("#coverage-plot")
    assert "Alpha" in coverage and "none" in coverage
    lanes = page.inner_text("#timeline-plot")
    assert "Team Echo" in lanes and "Injects" in lanes
    assert page.locator("#board .inject").count() == sum(1 for i in scenario.injects.values() if i["day"] == 1)
    markers = page.evaluate(
        "Object.fromEntries(document.getElementById('map-plot').data.slice(1).map((t) => [t.name, t.text[0]]))")
    assert markers == {"Team Alpha": "A", "Team Bravo": "B", "Team Charlie": "C", "Team Delta": "D", "Team Echo": "E"}
    assert view.foreign_requests() == [] and view.errors == []


def test_an_event_from_another_client_shows_everywhere_without_reload(open_page, server):
    page = ready(open_page("director").page)
    director = server.connect("director")
    director.submit({"id": new_id(), "kind": "clock", "op": "start", "day": 3, "time": "09:00"})
    page.wait_for_selector("#clock-state.state-running")
    bravo = server.connect("team:bravo")
    bravo.submit({"id": new_id(), "kind": "move", "team": "bravo", "site": "farm"})
    wait_for_text(page, "#feed", "Team Bravo is now at Greenfield Farm", timeout=5)
    page.wait_for_function("""() => {
        const t = document.getElementById('map-plot').data.find(t => t.name === 'Team Bravo');
        return t && Math.abs(t.x[0] - 860) < 40; }""", timeout=5000)
    page.wait_for_function("""() => document.getElementById('timeline-plot').data
        .some(t => t.name === 'Move' && t.y.includes('Team Bravo'))""", timeout=5000)
    assert page.inner_text("#clock-day") == "Day 3"
    assert page.locator("#feed li").count() == 2  # the clock start and the move, each once


def test_releasing_an_inject_from_the_board_stores_it(open_page, server):
    page = ready(open_page("controller").page)
    row = page.locator("[data-inject='I-02']")
    row.get_by_role("button", name="Release").click()
    page.click("#confirm-ok")
    page.wait_for_selector("[data-inject='I-02'].status-released", timeout=5000)
    events = server.get("/api/events", "director").json()["events"]
    assert [(e["kind"], e["inject"], e["role"]) for e in events] == [("inject", "I-02", "controller")]
    assert "Release" not in row.inner_text()


def test_skip_needs_a_reason_and_shows_it(open_page, server):
    page = ready(open_page("director").page)
    page.locator("[data-inject='I-03']").get_by_role("button", name="Skip").click()
    page.fill("#confirm-extra textarea", "Shelter actors are needed elsewhere")
    page.click("#confirm-ok")
    page.wait_for_selector("[data-inject='I-03'].status-skipped >> text=Shelter actors are needed elsewhere")
    assert server.get("/api/events", "director").json()["events"][0]["reason"] == "Shelter actors are needed elsewhere"


def test_defer_to_a_new_time_moves_the_inject_on_the_board(open_page, server):
    assert server.connect("director").submit({"id": new_id(), "kind": "clock", "op": "start", "day": 2,
                                              "time": "09:10"})["ok"]
    page = ready(open_page("controller").page)
    page.locator("[data-inject='I-06']").get_by_role("button", name="Defer").click()
    page.fill("#confirm-extra textarea", "The prosecutor actor is in another scene")
    page.fill("#confirm-extra input[name=time]", "11:05")
    page.click("#confirm-ok")
    wait_for_text(page, "[data-inject='I-06'] .inject-time", "11:05")
    stored = server.get("/api/events", "director").json()["events"][-1]
    assert (stored["kind"], stored["day"], stored["time"]) == ("inject_defer", 2, "11:05")
    board = [li.get_attribute("data-inject") for li in page.locator("#board [data-inject]").all()]
    assert board.index("I-06") > board.index("I-08")  # now after 10:50's I-08, where its new time puts it


def test_an_adhoc_inject_written_on_the_spot(open_page, server):
    page = ready(open_page("director").page)
    server.connect("director").submit({"id": new_id(), "kind": "clock", "op": "start"})
    page.wait_for_selector("#clock-state.state-running")
    page.click("#adhoc-open")
    page.fill("#adhoc-form [name=title]", "Power cut at the club")
    page.fill("#adhoc-form [name=description]", "The lights go out during the search.")
    page.check("#adhoc-teams input[value=alpha]")
    page.select_option("#adhoc-form [name=site]", "club")
    page.click("#adhoc-form button[value=ok]")
    page.wait_for_selector("#board >> text=Power cut at the club", timeout=5000)
    event = server.get("/api/events", "director").json()["events"][-1]
    assert event["adhoc"] is True and event["teams"] == ["alpha"] and event["site"] == "club"


def test_clock_start_and_pause_from_the_page_with_confirmation(open_page, server):
    page = ready(open_page("director").page)
    page.click("#clock-controls [data-op=start]")
    page.click("#confirm-dialog button[value=cancel]")
    assert server.get("/api/events", "director").json()["events"] == []
    page.click("#clock-controls [data-op=start]")
    page.click("#confirm-ok")
    page.wait_for_selector("#clock-state.state-running")
    assert page.inner_text("#clock-day") == "Day 1"
    page.click("#clock-controls [data-op=pause]")
    page.click("#confirm-ok")
    page.wait_for_selector("#clock-state.state-paused")
    assert [e["op"] for e in server.get("/api/events", "director").json()["events"]] == ["start", "pause"]


def test_user_text_is_shown_as_text_and_runs_nothing(open_page, server):
    view = open_page("director")
    page = ready(view.page)
    payload = '<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>'
    observer = server.connect("observer")
    observer.submit({"id": new_id(), "kind": "note", "text": payload, "bookmark": True})
    server.connect("team:alpha").submit({"id": new_id(), "kind": "safety", "text": payload, "site": "club"})
    page.wait_for_selector("#safety:not([hidden])", timeout=5000)
    assert payload in page.inner_text("#feed")
    assert payload in page.inner_text("#safety")
    assert page.locator("#feed img, #safety img, #feed script").count() == 0
    assert page.evaluate("window.__pwned") is None and view.dialogs == []


def test_a_safety_alert_takes_over_until_the_director_acknowledges(open_page, server):
    director_view, screen_view = open_page("director"), open_page("screen")
    page, screen = ready(director_view.page), ready(screen_view.page)
    server.connect("team:delta").submit({"id": new_id(), "kind": "safety", "site": "farm",
                                         "text": "REAL WORLD: picker cut his hand"})
    for p in (page, screen):
        p.wait_for_selector("#safety:not([hidden]) >> text=REAL WORLD: picker cut his hand", timeout=5000)
        assert p.locator("body.alarm").count() == 1
    assert screen.locator("#safety button").count() == 0  # only the director acknowledges
    page.click("#safety button")
    page.click("#confirm-ok")
    for p in (page, screen):
        p.wait_for_selector("#safety", state="hidden", timeout=5000)
    kinds = [e["kind"] for e in server.get("/api/events", "director").json()["events"]]
    assert kinds == ["safety", "safety_ack"]


def test_the_screen_role_sees_the_picture_without_controls_and_cannot_act(open_page, server):
    server.connect("director").submit({"id": new_id(), "kind": "inject", "inject": "I-01"})
    view = open_page("screen")
    assert view.page.url.endswith("/wall")  # the projector lands on the wall view
    view.page.goto(server.url + "/director")
    page = ready(view.page)
    assert page.locator("#clock-controls, #adhoc-open, #shift-open, [data-act], #feed-filter").count() == 0
    assert page.locator("[data-inject='I-01'].status-released").count() == 1
    ack = page.evaluate("""() => new Promise(resolve => {
        const s = io({transports: ['websocket']});
        s.on('connect', async () => resolve(await s.emitWithAck('submit',
            {id: crypto.getRandomValues(new Uint8Array(1)) && '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
             kind: 'inject', inject: 'I-02'})));
    })""")
    assert ack == {"ok": False, "error": "the screen role may not submit inject events"}
    assert len(server.get("/api/events", "director").json()["events"]) == 1


def test_after_a_dropped_connection_the_page_catches_up_once(open_page, server):
    page = ready(open_page("director").page)
    director = server.connect("director")
    director.submit({"id": new_id(), "kind": "move", "team": "alpha", "site": "club"})
    wait_for_text(page, "#feed", "Team Alpha is now at Club Aurora")
    server.stop()
    page.wait_for_selector("body[data-connection='reconnecting'], body[data-connection='offline']", timeout=10000)
    assert "LIVE" not in page.inner_text("#connection")
    server.start()  # same port, same database
    page.wait_for_selector(LIVE, timeout=20000)
    writer = server.connect("team:echo")
    writer.submit({"id": new_id(), "kind": "move", "team": "echo", "site": "bus"})
    wait_for_text(page, "#feed", "Team Echo is now at Kelm bus station", timeout=5)
    seqs = page.eval_on_selector_all("#feed li", "items => items.map(i => i.dataset.seq)")
    assert sorted(seqs) == ["1", "2"]


def test_events_missed_while_offline_arrive_through_resume(open_page, server):
    view = open_page("director")
    page = ready(view.page)
    server.stop()
    page.wait_for_selector("body[data-connection='reconnecting'], body[data-connection='offline']", timeout=10000)
    server.start()
    # Written before the page is back: only `resume` can bring them.
    writer = server.connect("controller")
    for site in ("club", "hq", "farm"):
        writer.submit({"id": new_id(), "kind": "move", "team": "charlie", "site": site})
    wait_for_text(page, "#feed", "Team Charlie is now at Greenfield Farm", timeout=20)
    assert page.locator("#feed li").count() == 3


def test_login_pages(open_page, server):
    view = open_page()
    page = view.page
    page.goto(server.url + "/director")
    assert "/login" in page.url
    page.fill("#code", "wrong-code")
    page.click("button[type=submit]")
    assert "That code is not valid" in page.inner_text(".error")
    page.fill("#code", CODES["director"])
    page.click("button[type=submit]")
    ready(page)
    assert page.url.endswith("/director")
    page.click(".logout-form button")
    page.wait_for_url("**/login")
    page.goto(server.url + "/director")
    assert "/login" in page.url


def test_roles_without_the_screen_get_a_clear_refusal(open_page, server):
    page = open_page("team:alpha").page
    response = page.goto(server.url + "/director")
    assert response.status == 403 and "may not open this page" in page.inner_text("main")


def test_the_code_sheet_has_a_qr_code_per_role_and_per_person(open_page, server, scenario):
    page = open_page("director").page
    page.goto(server.url + "/codes")
    assert page.locator(".code-card svg").count() == len(CODES) + len(scenario.people)
    text = page.inner_text("main")
    assert "Jan Novák (evaluator)" in page.inner_text(".people")  # the people's cards, after the shared ones
    # Opened on the control laptop itself (127.0.0.1), the QR codes carry the LAN address phones can reach.
    lan = lan_address()
    if lan:
        assert f"http://{lan}:{server.port}/login?code={CODES['team:bravo']}" in text and "127.0.0.1" not in text
    else:
        assert "no phone can reach" in page.inner_text(".warning")


def test_a_pause_says_why_and_for_how_long_and_a_jump_warns_first(open_page, server):
    page = ready(open_page("director").page)
    server.connect("director").submit({"id": new_id(), "kind": "clock", "op": "start", "day": 2, "time": "09:10"})
    page.wait_for_selector("#clock-state.state-running")
    page.click("#clock-controls [data-op=pause]")
    page.fill("#confirm-extra input[name=reason]", "Lunch")
    page.click("#confirm-ok")
    wait_for_text(page, "#clock-note", "for 0 min — Lunch")
    assert server.get("/api/state", "team:alpha").json()["clock"]["reason"] == "Lunch"  # every screen may say why
    page.click("#clock-controls [data-op=resume]")
    assert not page.is_visible("#confirm-extra .warning-line")  # no jump, nothing to warn of
    page.check("#confirm-extra input[name=jump]")
    assert "cannot be undone" in page.inner_text("#confirm-extra .warning-line")
    page.click("#confirm-dialog button[value=cancel]")


def test_the_board_stays_where_the_reader_scrolled_it(open_page, server):
    page = ready(open_page("director", viewport={"width": 1280, "height": 720}).page)
    director = server.connect("director")
    director.submit({"id": new_id(), "kind": "clock", "op": "start", "day": 2, "time": "09:10"})
    page.wait_for_selector("#clock-state.state-running")
    page.evaluate("document.getElementById('board').scrollTop = document.getElementById('board').scrollHeight")
    held = page.evaluate("document.getElementById('board').scrollTop")
    assert held > 0
    for i in range(3):  # the board draws again with each
        director.submit({"id": new_id(), "kind": "note", "text": f"reading the board {i}"})
        wait_for_text(page, "#feed", f"reading the board {i}")
    assert page.evaluate("document.getElementById('board').scrollTop") == held


def test_acknowledging_a_safety_alert_says_what_is_done_and_may_stop_play(open_page, server):
    page = ready(open_page("director").page)
    server.connect("director").submit({"id": new_id(), "kind": "clock", "op": "start", "day": 2, "time": "09:10"})
    page.wait_for_selector("#clock-state.state-running")
    assert "real time" in page.inner_text("#clock-wall")  # the wall clock beside exercise time
    server.connect("team:delta").submit({"id": new_id(), "kind": "safety", "site": "farm",
                                         "text": "REAL WORLD: picker cut his hand"})
    page.wait_for_selector("#safety:not([hidden]) >> text=REAL WORLD: picker cut his hand", timeout=5000)
    page.click("#safety button")
    page.fill("#confirm-extra textarea[name=text]", "Medic on the way to the farm")
    page.check("#confirm-extra input[name=pause]")
    page.click("#confirm-ok")
    page.wait_for_selector("#clock-state.state-paused", timeout=5000)
    wait_for_text(page, "#clock-note", "Real-world safety stop")  # every phone reads it: not the alert's words
    ack, pause = server.get("/api/events", "director").json()["events"][-2:]
    assert (ack["kind"], ack["text"]) == ("safety_ack", "Medic on the way to the farm")
    assert (pause["kind"], pause["op"], pause["reason"]) == ("clock", "pause", "Real-world safety stop")


def test_yesterdays_open_inject_carries_over_late_by_play_time_not_by_the_night(open_page, server):
    director = server.connect("director")
    # Day 1 from 15:35 at ten exercise minutes a second: I-04 (15:30) goes overdue in play time ...
    assert director.submit({"id": new_id(), "kind": "clock", "op": "start", "day": 1, "time": "15:35", "rate": 600})["ok"]
    assert director.submit({"id": new_id(), "kind": "inject", "inject": "I-01"})["ok"]
    time.sleep(1.5)
    assert director.submit({"id": new_id(), "kind": "clock", "op": "pause", "reason": "end of day 1"})["ok"]
    # ... and the next morning, 17 hours of exercise time later, it is still only that late.
    assert director.submit({"id": new_id(), "kind": "clock", "op": "resume", "day": 2, "time": "09:05"})["ok"]
    page = ready(open_page("controller").page)
    assert page.inner_text("#board-day") and page.eval_on_selector("#board-day", "s => s.value") == "2"
    row = page.locator("[data-inject='I-04']")
    assert {"status-overdue", "carried"} <= set(row.get_attribute("class").split())
    assert row.locator(".inject-time").inner_text().replace("\n", " ") == "D1 15:30"
    late = int(re.search(r"OVERDUE \+(\d+) min", row.locator(".inject-status").inner_text())[1])
    assert 10 <= late < 60  # not +1055
    rows = page.eval_on_selector_all("#board .inject", "rows => rows.map(r => r.dataset.inject)")
    carried = page.eval_on_selector_all("#board .inject.carried", "rows => rows.map(r => r.dataset.inject)")
    assert carried == ["I-02", "I-03", "I-04"] == rows[:3]  # at the top of today's board; I-01 went out: not carried


def test_a_mistaken_release_is_recalled_and_the_team_sees_it_withdrawn(open_page, server):
    server.connect("controller").submit({"id": new_id(), "kind": "inject", "inject": "I-04"})  # alpha and echo
    team = open_page("team:alpha").page
    team.goto(server.url + "/team")
    team.wait_for_selector(".inject-card[data-inject='I-04']", state="attached", timeout=15000)  # out before: read
    page = ready(open_page("controller").page)
    page.locator("[data-inject='I-04']").get_by_role("button", name="Recall").click()
    assert "Team Alpha, Team Echo will see it withdrawn by control" in page.inner_text("#confirm-extra")
    page.fill("#confirm-extra textarea", "released to the wrong day")
    page.click("#confirm-ok")
    page.wait_for_selector("[data-inject='I-04'].status-recalled >> text=released to the wrong day", timeout=5000)
    assert page.locator("[data-inject='I-04']").get_by_role("button", name="Release").count() == 1  # it can go out again
    team.wait_for_selector(".inject-card.withdrawn[data-inject='I-04'] >> text=Withdrawn by control", timeout=5000)
    assert "released to the wrong day" not in team.content()  # control's reason stays with control
    team.reload()
    team.wait_for_selector(".inject-card.withdrawn[data-inject='I-04']", timeout=15000)  # also from the state
    assert team.locator("#entry-form select[name=inject] option[value='I-04']").count() == 0


def test_the_rest_of_the_day_is_shifted_from_the_board(open_page, server):
    assert server.connect("director").submit({"id": new_id(), "kind": "clock", "op": "start", "day": 2,
                                              "time": "10:00"})["ok"]
    page = ready(open_page("director").page)
    page.click("#shift-open")
    assert page.input_value("#confirm-extra input[name=time]") == "10:00"
    page.fill("#confirm-extra input[name=minutes]", "20")
    page.fill("#confirm-extra textarea", "the search at the club ran long")
    page.click("#confirm-ok")
    until(page, "document.querySelector(\"[data-inject='I-08'] .inject-time\").textContent === '11:10'", timeout=5)
    assert "MSEL: day 2 10:50" in page.inner_text("[data-inject='I-08']")
    assert page.inner_text("[data-inject='I-06'] .inject-time") == "09:45"  # before 10:00: stays
    shift = server.get("/api/events", "director").json()["events"][-1]
    assert (shift["kind"], shift["day"], shift["time"], shift["minutes"]) == ("schedule_shift", 2, "10:00", 20)


def test_the_feed_searches_the_whole_exercise_and_filters_by_team(open_page, server):
    director = server.connect("director")
    director.submit({"id": new_id(), "kind": "note", "team": "bravo", "text": "Bravo asked for the bank records"})
    for i in range(90):  # the note scrolls out of the live feed (80 lines)
        move = {"id": new_id(), "kind": "move", "team": "alpha", "site": "club" if i % 2 else "hq"}
        while not director.submit(move)["ok"]:  # a burst this fast is asked to wait
            time.sleep(0.2)
    note = {"id": new_id(), "kind": "note", "team": "alpha", "text": "Alpha asked for BANK records too"}
    while not director.submit(note)["ok"]:  # the burst above may have used up what the connection may send
        time.sleep(0.2)
    page = ready(open_page("director").page)
    assert "Bravo asked" not in page.inner_text("#feed")
    page.fill("#feed-filter input[name=q]", "bank records")
    until(page, "document.querySelectorAll('#feed li').length === 2")
    assert page.inner_text("#feed-found-text") == "2 found in the whole exercise"
    lines = page.eval_on_selector_all("#feed .feed-text", "items => items.map(i => i.textContent)")
    assert "Alpha asked for BANK records too" in lines[0] and "Bravo asked for the bank records" in lines[1]  # newest first
    page.select_option("#feed-filter select[name=team]", "bravo")
    until(page, "document.querySelectorAll('#feed li').length === 1")
    page.click("#feed-clear")
    until(page, "document.querySelectorAll('#feed li').length === 80")
    assert page.locator("#feed-found").is_hidden()


def click_coverage_cell(page, row, column):
    """Click the cell of objective `row`, team `column` on the coverage heatmap."""
    x, y = page.evaluate("""([row, column]) => {
        const gd = document.getElementById('coverage-plot'); const fl = gd._fullLayout; const box = gd.getBoundingClientRect();
        return [box.left + fl._size.l + fl.xaxis.l2p(column), box.top + fl._size.t + fl.yaxis.l2p(row)]; }""", [row, column])
    page.mouse.click(x, y)


def test_coverage_shows_today_or_the_whole_week_by_how_well_and_a_cell_opens_its_notes(open_page, server, scenario):
    director, observer = server.connect("director"), server.connect("observer")
    director.submit({"id": new_id(), "kind": "clock", "op": "start", "day": 1, "time": "13:00"})
    observer.submit({"id": new_id(), "kind": "evaluation", "objective": "obj-identify", "team": "alpha", "rating": "U",
                     "note": "Day one: missed every indicator"})
    director.submit({"id": new_id(), "kind": "clock", "op": "pause"})
    director.submit({"id": new_id(), "kind": "clock", "op": "resume", "day": 2, "time": "09:00"})
    observer.submit({"id": new_id(), "kind": "evaluation", "objective": "obj-identify", "team": "alpha", "rating": "P",
                     "note": "Day two: spotted the debt bondage at once"})
    page = ready(open_page("director").page)
    z = "document.getElementById('coverage-plot').data[0].z"
    until(page, f"{z}[0][0] === 1")  # today: one P (colour step 1 = P)
    page.click("[data-coverage='all']")
    until(page, f"{z}[0][0] === 4")  # the week: P and U, drawn as its weakest, U: one U is never hidden
    assert page.evaluate(f"{z}[0][1]") == 0  # bravo: not rated, pale
    page.click("[data-coverage='day']")
    click_coverage_cell(page, 0, 0)  # today: today's evaluation only
    page.wait_for_selector("#cell-dialog[open] >> text=Day two: spotted the debt bondage at once", timeout=5000)
    assert "Day one" not in page.inner_text("#cell-body") and page.inner_text("#cell-title").endswith("(today)")
    page.click("#cell-close")
    page.click("[data-coverage='all']")
    click_coverage_cell(page, 0, 0)
    page.wait_for_selector("#cell-dialog[open] >> text=Day two: spotted the debt bondage at once", timeout=5000)
    notes = page.eval_on_selector_all("#cell-body .feed-text",
                                      "items => items.map(i => i.textContent.replace(/[\u2068\u2069]/g, ''))")
    assert notes == ["Day two: spotted the debt bondage at once", "Day one: missed every indicator"]
    assert page.inner_text("#cell-title") == "Team Alpha — " + scenario.objectives["obj-identify"]["title"]


def test_markers_at_the_same_minute_are_all_listed_on_hover(open_page, server):
    director = server.connect("director")
    director.submit({"id": new_id(), "kind": "clock", "op": "start", "day": 1, "time": "13:00"})
    director.submit({"id": new_id(), "kind": "move", "team": "alpha", "site": "club"})
    director.submit({"id": new_id(), "kind": "action", "team": "alpha", "action_type": "plan", "site": "club", "text": "first"})
    director.submit({"id": new_id(), "kind": "action", "team": "alpha", "action_type": "plan", "site": "club",
                     "text": "second"})
    page = ready(open_page("director").page)
    until(page, """document.getElementById('timeline-plot').data.some(t => t.name === 'Move'
        && ['3 here:', 'first', 'second'].every(words => t.hovertext[0].includes(words)))""")
