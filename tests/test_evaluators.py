"""Named evaluators at work, against a real server and a real browser: the phone opens on "my
assignment now" and follows a live reassignment; the director sees who is where, who went silent and
what the plan leaves unrated; the lead evaluator agrees one rating per team and objective, which the
report uses; players learn none of it."""

import time

import pytest

from .conftest import Server, codes_with, new_id, until, wait_for_text

PEOPLE = {"person:p-eval-1": "jan-eval-code", "person:p-eval-2": "maria-eval-code", "person:p-lead-eval": "lead-eval-code",
          "person:p-director": "helena-director-code", "person:p-alpha-1": "oliver-player-code"}
JAN, MARIA, LEAD, HELENA, OLIVER = PEOPLE.values()


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "evaluators.db", codes_env=codes_with(PEOPLE)).start()
    yield srv
    srv.stop()


def clock(client, op, **fields):
    assert client.submit({"id": new_id(), "kind": "clock", "op": op, **fields})["ok"]


def submit(client, **fields):
    answer = client.submit({"id": new_id(), **fields})
    assert answer["ok"], answer
    return answer


def jans_phone_on_day_2(server, open_page):
    """Start day 2 at 09:10 (the director's socket) and open Jan Novák's phone with his own code."""
    director = server.connect(HELENA)
    clock(director, "start", day=2, time="09:10")
    view = open_page(viewport={"width": 390, "height": 844})
    view.page.goto(f"{server.url}/login?code={JAN}")
    view.page.wait_for_selector("body[data-ready='1']", timeout=15000)
    return director, view


def test_the_phone_opens_on_my_assignment_and_follows_a_reassignment(server, open_page):
    director, view = jans_phone_on_day_2(server, open_page)
    page = view.page
    # The plan: on day 2 Jan watches Team Bravo from 09:00 to 16:30 for the day's three objectives.
    wait_for_text(page, "#assignment", "Team Bravo")
    wait_for_text(page, "#assignment", "Day 2, 09:00–16:30")
    assert page.input_value("select[name=team]") == "bravo"  # one team assigned: chosen for him
    assert page.input_value("select[name=objective]") == ""  # three objectives: he chooses, nothing silently
    submit(director, kind="assignment", person="p-eval-1", teams=["echo"], objectives=["obj-finance"])
    wait_for_text(page, "#assignment", "Team Echo")
    wait_for_text(page, "#assignment", "assigned by Helena Marsh")
    until(page, "document.querySelector('select[name=team]').value === 'echo'")
    assert page.input_value("select[name=objective]") == "obj-finance"
    # The evaluation guide of the chosen objective: its critical tasks and what good looks like.
    page.click("#guide summary")
    wait_for_text(page, "#guide", "Critical tasks — what a good performance looks like")
    assert "Trace money flows and identify beneficial owners" in page.inner_text("#guide")
    assert view.errors == []


def test_a_reassignment_never_moves_an_entry_under_way(server, open_page):
    director, view = jans_phone_on_day_2(server, open_page)
    page = view.page
    until(page, "document.querySelector('select[name=team]').value === 'bravo'")
    page.select_option("select[name=objective]", "obj-identify")
    page.click("label.rating-U")
    page.fill("textarea[name=note]", "Bravo: no interpreter for the first interview.")
    submit(director, kind="assignment", person="p-eval-1", teams=["delta"], objectives=["obj-finance"])
    wait_for_text(page, "#assignment", "Team Delta")
    assert page.input_value("select[name=team]") == "bravo"  # what he is writing stays about Bravo
    assert page.input_value("select[name=objective]") == "obj-identify"
    page.click("#entry-form [type=submit]")
    saved = director.wait_for(lambda e: e["kind"] == "evaluation")
    assert (saved["team"], saved["objective"], saved["by"]) == ("bravo", "obj-identify", "p-eval-1")
    until(page, "document.querySelector('select[name=team]').value === 'delta'")  # the next entry: his new assignment
    assert page.input_value("select[name=objective]") == "obj-finance"
    assert view.errors == []


def test_without_an_assignment_nothing_is_chosen_for_the_evaluator(server, open_page):
    view = open_page("observer", viewport={"width": 390, "height": 844})  # the shared evaluators' code
    page = view.page
    page.wait_for_selector("body[data-ready='1']", timeout=15000)
    wait_for_text(page, "#assignment", "shared evaluator code")
    assert page.input_value("select[name=team]") == "" and page.input_value("select[name=objective]") == ""
    page.check("input[name=rating][value=S]", force=True)
    page.fill("textarea[name=note]", "Seen at the club.")
    page.click("#entry-form button[type=submit]")
    wait_for_text(page, "#err-team", "Choose the team you watched.")
    wait_for_text(page, "#err-objective", "Choose the objective.")
    assert page.evaluate("window.excon.outbox.entries().length") == 0
    assert view.errors == []


def test_the_director_sees_who_is_where_who_went_silent_and_the_gaps(server, open_page):
    director = server.connect(HELENA)
    clock(director, "start", day=2, time="09:10")
    maria = server.connect(MARIA)
    submit(maria, kind="evaluation", team="charlie", objective="obj-identify", rating="S", note="Calm first contact.")
    view = open_page(viewport={"width": 1920, "height": 1080})
    page = view.page
    page.goto(f"{server.url}/login?code={HELENA}")
    page.wait_for_selector("body[data-ready='1']", timeout=15000)
    page.click("#tab-evaluators")
    wait_for_text(page, "#evaluators li[data-person='p-eval-2']", "0 min ago")
    wait_for_text(page, "#evaluators li[data-person='p-eval-1']", "Team Bravo")
    wait_for_text(page, "#evaluators li[data-person='p-eval-1']", "nothing yet")
    # Maria rated Charlie against one of her day's objectives: the others are still open for her team.
    gaps = page.inner_text("#evaluators li[data-person='p-eval-2'] .ev-gaps").replace("\u2068", "").replace("\u2069", "")
    assert gaps.count("Charlie ×") == 2 and "Identify" not in gaps
    # A jump over an hour is not silence; half an hour of running time with no entry is.
    clock(director, "pause")
    clock(director, "resume", day=2, time="10:15", rate=900)  # 30 exercise minutes in 2 seconds
    wait_for_text(page, "#clock-time", "10:")  # the screen has the jump
    assert "SILENT" not in page.inner_text("#evaluators li[data-person='p-eval-1']")
    time.sleep(2.5)
    submit(director, kind="note", text="Lunch orders taken.")  # the screen draws again at the next push
    wait_for_text(page, "#evaluators li[data-person='p-eval-1']", "SILENT")
    wait_for_text(page, "#tab-evaluators", "silent")
    # Reassign from the panel: Jan to Team Alpha from now.
    page.click("#evaluators li[data-person='p-eval-1'] button")
    page.check("#confirm-extra input[name=teams][value=alpha]")
    page.uncheck("#confirm-extra input[name=teams][value=bravo]")
    page.click("#confirm-ok")
    wait_for_text(page, "#evaluators li[data-person='p-eval-1']", "Team Alpha")
    stored = director.wait_for(lambda e: e["kind"] == "assignment")
    assert stored["teams"] == ["alpha"] and stored["by"] == "p-director" and stored["person"] == "p-eval-1"
    assert view.errors == []


def test_players_learn_nothing_of_evaluators_assignments_or_agreed_ratings(server):
    director, player = server.connect(HELENA), server.connect(OLIVER)
    clock(director, "start", day=2, time="09:10")
    lead = server.connect(LEAD)
    submit(lead, kind="assignment", person="p-eval-1", teams=["alpha"])
    submit(lead, kind="agreed_rating", objective="obj-identify", team="alpha", rating="M", rationale="Passports missed.")
    director.wait_for(lambda e: e["kind"] == "agreed_rating")
    for who in (OLIVER, "team:alpha", "screen"):
        state = server.get("/api/state", who).json()
        assert "evaluators" not in state and "agreed" not in state and "raters" not in state
        kinds = {e["kind"] for e in server.get("/api/events", who).json()["events"]}
        assert not kinds & {"assignment", "agreed_rating"}
        scenario = server.get("/api/scenario", who).json()
        assert "assignments" not in scenario and "people" not in scenario
        assert not any("description" in task for o in scenario["objectives"] for task in o["tasks"])  # the guide
    assert not any(e["kind"] in ("assignment", "agreed_rating") for e in player.received)
    assert server.get("/api/export/report.html", OLIVER).status_code == 403


def test_the_agreed_rating_and_its_correction_are_the_reports_rating(server):
    director, lead = server.connect(HELENA), server.connect(LEAD)
    clock(director, "start", day=2, time="09:10")
    jan, maria = server.connect(JAN), server.connect(MARIA)
    submit(jan, kind="evaluation", team="alpha", objective="obj-identify", rating="P", note="Found the passports.")
    submit(maria, kind="evaluation", team="alpha", objective="obj-identify", rating="M", note="Never separated them.")
    agreed = {"id": new_id(), "kind": "agreed_rating", "objective": "obj-identify", "team": "alpha", "rating": "M",
              "rationale": "Indicators found, but victims were interviewed beside the manager."}
    assert lead.submit(agreed)["ok"]
    assert not jan.submit({**agreed, "id": new_id()})["ok"]  # an evaluator does not agree alone
    report = server.get("/api/export/report.html?lang=en", "director").text
    assert "<b>M</b> — Performed with major challenges" in report
    assert "interviewed beside the manager" in report and "[Amira Haddad, day 2 09:10]" in report
    assert "evaluators disagree (P–M)" in report
    submit(lead, kind="amend", target=agreed["id"], rating="S", rationale="After the hot wash: separation came late, not never.")
    report = server.get("/api/export/report.html?lang=en", "director").text
    assert "<b>S</b> — Performed with some challenges" in report and "<b>M</b> — Performed" not in report
    assert "separation came late" in report


def test_the_lead_evaluator_agrees_a_rating_in_the_debrief(server, open_page):
    director = server.connect(HELENA)
    clock(director, "start", day=2, time="09:10")
    for code, letter in ((JAN, "P"), (MARIA, "U")):
        submit(server.connect(code), kind="evaluation", team="alpha", objective="obj-identify", rating=letter,
               note=f"Rated {letter} at the club.")
    view = open_page(viewport={"width": 1920, "height": 1080})
    page = view.page
    page.goto(f"{server.url}/login?code={LEAD}")
    page.goto(f"{server.url}/debrief")
    page.wait_for_selector("body[data-ready='1']", timeout=15000)
    page.select_option("#f-objective", "obj-identify")
    page.fill("#scrub", "999999")
    page.dispatch_event("#scrub", "input")
    row = "#ratings tr.disagree"
    wait_for_text(page, row, "Jan Novák P · Maria Ionescu U")
    page.click(f"{row} button")
    wait_for_text(page, "#agree-evidence", "Rated U at the club.")
    page.check("#agree-form input[name=rating][value=M]", force=True)
    page.fill("#agree-form textarea[name=rationale]", "Found the indicators, did not separate the victims.")
    page.click("#agree-form button[value=ok]")
    wait_for_text(page, "#ratings tr.disagree .agreed-cell", "M")
    stored = director.wait_for(lambda e: e["kind"] == "agreed_rating")
    assert (stored["rating"], stored["by"], stored["team"]) == ("M", "p-lead-eval", "alpha")
    assert view.errors == []


def test_the_guide_gives_what_control_expects_of_the_inject_observed_and_its_notes(server, open_page):
    director, view = jans_phone_on_day_2(server, open_page)
    submit(director, kind="inject", inject="I-07")  # alpha and charlie: expected actions and a controller's note
    page = view.page
    until(page, "[...document.querySelectorAll('select[name=inject] option')].some((o) => o.value === 'I-07')")
    page.select_option("select[name=objective]", "obj-evidence")
    page.select_option("select[name=inject]", "I-07")
    page.click("#guide summary")
    wait_for_text(page, "#guide", "Expected of the teams (this inject)")
    guide = page.inner_text("#guide")
    assert "Control's notes: Actors play it tense; safety officer stays at the door." in guide
    expected = server.get("/api/scenario", "controller").json()["injects"]
    assert all(action in guide for action in next(i for i in expected if i["id"] == "I-07")["expected_actions"])
    assert view.errors == []
