"""Observers' and teams' phone pages in headless Chromium with phone emulation, against a real server."""

import re

import pytest

from control.timefmt import parse_iso

from .conftest import new_id, until, wait_for_text

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def ready(page, live=True):
    page.wait_for_selector("body[data-ready='1']", timeout=15000)
    if live:
        page.wait_for_selector("body[data-connection='live']", timeout=15000)
    return page


def phone(open_page, role, path=None):
    view = open_page(role, **PHONE)
    if path:
        view.page.goto(view.server.url + path)
    ready(view.page)
    return view


def stored(server, kind=None):
    events = server.get("/api/events", "director").json()["events"]
    return [e for e in events if kind is None or e["kind"] == kind]


def rate(page, rating="S", note="Team separated the manager from the women before talking to them.", team="alpha",
         objective="obj-identify"):
    """Rate as an evaluator does: the team and objective (nothing is chosen for them unless they chose it before
    or their assignment names one), the big rating button a thumb presses, the note, save."""
    for field, value in (("team", team), ("objective", objective)):
        if not page.input_value(f"select[name={field}]"):
            page.select_option(f"select[name={field}]", value)
    page.click(f"label.rating-{rating}")
    assert page.is_checked(f"[name=rating][value={rating}]")
    page.fill("textarea[name=note]", note)
    page.click("#entry-form [type=submit]")


def test_log_an_evaluation_with_the_pages_own_form(open_page, server):
    view = phone(open_page, "observer")
    page = view.page
    assert page.url.endswith("/observe")
    page.select_option("select[name=team]", "charlie")
    page.select_option("select[name=site]", "shelter")
    page.select_option("select[name=objective]", "obj-victim-centred")
    page.select_option("select[name=task]", "vc-interpreter")
    page.check("[name=tag][value=strength]")
    page.check("[name=bookmark]")
    rate(page, "P", "Interpreter called before the first question; rights explained in Romanian.")
    page.wait_for_selector("#mylog-list .state-saved", timeout=5000)
    [event] = stored(server)
    assert {k: event[k] for k in ("kind", "team", "site", "objective", "task", "rating", "tag", "bookmark", "role")} == {
        "kind": "evaluation", "team": "charlie", "site": "shelter", "objective": "obj-victim-centred",
        "task": "vc-interpreter", "rating": "P", "tag": "strength", "bookmark": True, "role": "observer"}
    # The moment of Save, by the server's clock as the phone learnt it (to within half a round trip): a few
    # milliseconds either side of storing, never a phone clock's own idea of the time.
    assert abs((parse_iso(event["observed_at"]) - parse_iso(event["ts"])).total_seconds()) < 1
    # the next one: team, site and objective are remembered; a rating, the note and save
    page.reload()
    ready(page)
    assert page.input_value("select[name=team]") == "charlie"
    assert page.input_value("select[name=objective]") == "obj-victim-centred"
    rate(page, "M", "Second question asked with the trafficker's cousin interpreting.")
    until(page, "document.querySelectorAll('#mylog-list .state-saved').length === 2")
    assert [e["rating"] for e in stored(server)] == ["P", "M"]
    assert view.foreign_requests() == [] and view.errors == []


def test_entries_made_offline_arrive_once_in_order_after_the_tab_was_closed(open_page, server):
    view = phone(open_page, "observer")
    page = view.page
    view.context.set_offline(True)
    page.wait_for_selector("body[data-connection='offline']", timeout=15000)
    notes = [f"Offline entry {n}: team checked documents at the gate." for n in (1, 2, 3)]
    for note in notes:
        rate(page, "S", note)
    page.wait_for_selector("#banner >> text=Offline — waiting to send: 3")
    assert page.locator("#mylog-list .state-waiting").count() == 3
    assert stored(server) == []
    page.close()
    view.context.set_offline(False)
    again = view.context.new_page()
    again.goto(server.url + "/observe")
    ready(again)
    again.wait_for_selector("#banner >> text=Online — everything saved", timeout=15000)
    events = stored(server)
    assert [e["note"] for e in events] == notes
    assert len({e["id"] for e in events}) == 3
    assert again.locator("#mylog-list .state-saved").count() == 3


def test_a_resend_after_a_lost_ack_creates_no_duplicate(open_page, server):
    view = phone(open_page, "observer")
    page = view.page
    rate(page, "U", "No referral made.")
    page.wait_for_selector("#mylog-list .state-saved")
    # Put the saved entry back as waiting, as if its ack had been lost, and let the page send it again.
    page.evaluate("""() => { const key = 'excon.outbox.observer';
        const entries = JSON.parse(localStorage.getItem(key)); entries[0].state = 'waiting';
        localStorage.setItem(key, JSON.stringify(entries)); }""")
    page.reload()
    ready(page)
    page.wait_for_selector("#banner >> text=Online — everything saved", timeout=15000)
    assert len(stored(server)) == 1


@pytest.mark.parametrize("role, path", [("observer", "/observe"), ("team:alpha", "/team"), ("controller", "/team")])
def test_no_sideways_scrolling_at_390_px(open_page, server, role, path):
    view = phone(open_page, role, path)
    page = view.page
    long_word = "x" * 300
    if path == "/observe":
        rate(page, "S", f"{long_word} {long_word}")
    else:
        page.select_option("#entry-form select[name=action_type]", "plan")
        page.fill("textarea[name=text]", long_word)
        page.click("#entry-form [type=submit]")
    page.wait_for_selector("#mylog-list .log-entry")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_validation_error_shows_next_to_the_field_and_nothing_is_kept(open_page, server):
    page = phone(open_page, "observer").page
    page.fill("textarea[name=note]", "Seen at the club door.")
    page.click("#entry-form [type=submit]")
    assert "Choose a rating" in page.inner_text("#err-rating")
    assert "Choose the team you watched." in page.inner_text("#err-team")  # never a team chosen for them
    assert page.evaluate("window.excon.outbox.entries().length") == 0
    # a refusal by the server lands next to its field too
    page.select_option("select[name=team]", "alpha")
    page.select_option("select[name=objective]", "obj-identify")
    page.click("label.rating-P")
    page.evaluate("document.querySelector('textarea[name=note]').value = 'x'.repeat(10001)")
    page.click("#entry-form [type=submit]")
    page.wait_for_selector("#err-note >> text=longer than 10000 characters", timeout=5000)
    assert page.locator("#mylog-list .state-refused").count() == 1 and stored(server) == []


def test_correct_and_withdraw_from_my_log(open_page, server):
    page = phone(open_page, "observer").page
    rate(page, "S", "First look at the ledger.")
    page.wait_for_selector("#mylog-list .state-saved")
    page.click("#mylog-list [data-act=correct]")
    page.click("label.rating-M")
    page.click("#entry-form [type=submit]")
    page.wait_for_selector("#mylog-list >> text=corrected")
    page.click("#mylog-list .log-entry:has-text('First look') [data-act=withdraw]")
    page.fill("#withdraw-form textarea[name=reason]", "Logged against the wrong team")
    page.click("#withdraw-form button[value=ok]")
    page.wait_for_selector("#mylog-list .withdrawn")
    first, amend, retract = stored(server)
    assert (amend["kind"], amend["target"], amend["rating"]) == ("amend", first["id"], "M")
    assert set(amend) - {"seq", "id", "kind", "ts", "exercise_time", "observed_at", "role", "by", "conn"} == {
        "target", "rating", "entry"}  # entry: the rating as it now reads, for the screens to draw
    assert amend["entry"]["rating"] == "M" and amend["entry"]["note"] == first["note"]
    assert (retract["kind"], retract["target"], retract["reason"]) == ("retract", first["id"], "Logged against the wrong team")
    assert server.get("/api/state", "director").json()["objectives"]["obj-identify"]["alpha"] == \
        {"P": 0, "S": 0, "M": 0, "U": 0}


def test_the_safety_button_takes_tap_and_confirm(open_page, server):
    page = phone(open_page, "team:bravo", "/team").page
    page.click("#safety-open")
    page.click("#safety-form button[value=cancel]")
    assert stored(server) == []
    page.click("#safety-open")
    page.fill("#safety-form textarea[name=text]", "REAL WORLD: worker actor fell from the scaffold")
    page.select_option("#safety-form select[name=site]", "construction")
    page.click("#safety-send")
    page.wait_for_selector("#mylog-list .state-saved >> text=SAFETY ALERT")
    [alert] = stored(server)
    assert (alert["kind"], alert["site"], alert["role"]) == ("safety", "construction", "team:bravo")


def test_a_team_page_shows_only_its_own_injects_and_never_evaluations(open_page, server):
    director = server.connect("director")
    director.submit({"id": new_id(), "kind": "inject", "inject": "I-01"})  # every team
    director.submit({"id": new_id(), "kind": "inject", "inject": "I-02"})  # bravo and delta
    view = phone(open_page, "team:alpha", "/team")
    page = view.page
    assert page.locator(".inject-card").count() == 1 and "I-01" in page.text_content(".injects-box")  # read: folded
    director.submit({"id": new_id(), "kind": "inject", "inject": "I-04"})  # alpha and echo
    director.submit({"id": new_id(), "kind": "inject", "inject": "I-03"})  # charlie and echo
    server.connect("observer").submit({"id": new_id(), "kind": "evaluation", "objective": "obj-finance",
                                       "team": "alpha", "rating": "U", "note": "secret evaluator note"})
    page.wait_for_selector("#inject-list >> text=I-04", timeout=5000)
    director.submit({"id": new_id(), "kind": "move", "team": "alpha", "site": "club"})  # a barrier alpha sees
    until(page, "window.excon.received.includes('move')")
    assert "I-02" not in page.text_content(".injects-box") and "I-03" not in page.text_content(".injects-box")
    assert "evaluation" not in page.evaluate("window.excon.received")
    assert "secret evaluator note" not in page.content()
    # the team answers its inject and says where it is
    page.select_option("#move-form select[name=site]", "farm")
    page.click("#move-form button[type=submit]")
    page.select_option("#entry-form select[name=action_type]", "plan")
    page.fill("textarea[name=text]", "Split the team: two to the farm, two to the prosecutor.")
    page.select_option("#entry-form select[name=inject]", "I-04")
    page.click("#entry-form [type=submit]")
    until(page, "document.querySelectorAll('#mylog-list .state-saved').length === 2")
    move, action = stored(server)[-2:]
    assert (move["kind"], move["team"], move["site"]) == ("move", "alpha", "farm")
    assert (action["team"], action["site"], action["inject"], action["role"]) == ("alpha", "farm", "I-04", "team:alpha")


def test_a_controller_logs_for_the_team_it_picks(open_page, server):
    page = phone(open_page, "controller", "/team").page
    page.select_option("#team-pick", "delta")
    page.select_option("#entry-form select[name=action_type]", "request_records")
    page.fill("textarea[name=text]", "Team Delta asked the union for the workers' contracts.")
    page.click("#entry-form [type=submit]")
    page.wait_for_selector("#mylog-list .state-saved")
    [event] = stored(server)
    assert (event["team"], event["role"]) == ("delta", "controller")


def test_logging_out_removes_what_the_device_kept(open_page, server):
    view = phone(open_page, "observer")
    page = view.page
    rate(page, "P", "Private observation on a shared phone.")
    page.wait_for_selector("#mylog-list .state-saved")
    page.click(".logout-form button")
    page.wait_for_url("**/login")
    assert page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('excon.'))") == []
    page.goto(server.url + "/observe")
    assert "/login" in page.url  # and the session is over


def test_logging_out_with_entries_still_waiting_asks_first(open_page, server):
    view = phone(open_page, "observer")
    page = view.page
    view.context.set_offline(True)
    page.wait_for_selector("body[data-connection='offline']", timeout=15000)
    rate(page, "M", "Not sent yet.")
    page.click(".logout-form button")
    page.wait_for_selector("#forget-dialog[open]")
    assert "Entries that have not reached the server yet: 1. Logging out deletes them" in page.inner_text("#forget-waiting")
    page.click("#forget-confirm button[value=cancel]")
    assert page.locator("#mylog-list .state-waiting").count() == 1  # kept: nothing happened
    view.context.set_offline(False)
    page.wait_for_selector("#mylog-list .state-saved", timeout=20000)
    page.click(".logout-form button")  # everything saved now: no question
    page.wait_for_url("**/login")
    assert [e["note"] for e in stored(server)] == ["Not sent yet."]


def test_switching_role_by_qr_code_removes_the_last_roles_data(open_page, server):
    from .conftest import CODES

    view = phone(open_page, "observer")
    page = view.page
    rate(page, "P", "An observer's note that the team must never read.")
    page.wait_for_selector("#mylog-list .state-saved")
    page.goto(f"{server.url}/login?code={CODES['team:alpha']}")  # the team's QR code, scanned on this phone
    page.click("#confirm-login")
    page.wait_for_url("**/team")
    ready(page)
    kept = page.evaluate("Object.keys(localStorage).filter((k) => k.includes('observer'))")
    assert kept == []
    assert "never read" not in page.evaluate("JSON.stringify(localStorage)")


def test_logging_out_of_the_director_screen_removes_what_the_browser_kept(open_page, server):
    view = open_page("director")
    page = view.page
    page.wait_for_selector("body[data-ready='1']", timeout=15000)
    page.evaluate("localStorage.setItem('excon.events.observer', '[\"left by the last user\"]')")
    page.click(".logout-form button")
    page.wait_for_url("**/login")
    assert page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('excon.'))") == []


def test_phones_tell_time_in_24_hours_and_injects_in_exercise_time(open_page, server):
    """A phone set to US English still reads 13:05, never 1:05 PM; an inject card says when in play."""
    director = server.connect("director")
    assert director.submit({"id": new_id(), "kind": "clock", "op": "start", "day": 1, "time": "13:05"})["ok"]
    assert director.submit({"id": new_id(), "kind": "inject", "inject": "I-01"})["ok"]
    view = open_page(**PHONE, locale="en-US", timezone_id="America/New_York")
    page = view.page
    view.login("team:alpha")
    ready(page)
    until(page, "document.querySelector('.injects-box').textContent.includes('D1 13:05')")  # out before: under "Earlier"
    rate_page = open_page(**PHONE, locale="en-US", timezone_id="America/New_York")
    rate_page.login("observer")
    ready(rate_page.page)
    rate(rate_page.page)
    rate_page.page.wait_for_selector("#mylog-list .state-saved", timeout=5000)
    for text in (page.inner_text("body"), rate_page.page.inner_text("#mylog-list")):
        assert " AM" not in text and " PM" not in text, text
    assert re.search(r"\b([01]\d|2[0-3]):[0-5]\d\b", rate_page.page.inner_text("#mylog-list"))


def test_a_pause_shows_on_the_phones_with_its_reason_and_goes_when_play_resumes(open_page, server):
    director = server.connect("director")
    director.submit({"id": new_id(), "kind": "clock", "op": "start"})
    page = phone(open_page, "team:alpha", "/team").page
    assert page.locator("#play-state").is_hidden()
    director.submit({"id": new_id(), "kind": "clock", "op": "pause", "reason": "Safety stop at the farm"})
    wait_for_text(page, "#play-state", "Play paused for 0 min — Safety stop at the farm", timeout=5)
    page.reload()  # also from the state, after a reload
    wait_for_text(page, "#play-state", "Safety stop at the farm")
    director.submit({"id": new_id(), "kind": "clock", "op": "resume"})
    page.wait_for_selector("#play-state", state="hidden", timeout=5000)


def test_a_fresh_tablet_chooses_nothing_for_the_team_and_shows_the_first_error_where_it_is(open_page, server):
    page = phone(open_page, "team:alpha", "/team").page
    assert page.input_value("#entry-form select[name=action_type]") == ""  # what the team did is theirs to say
    assert page.input_value("#entry-form select[name=site]") == "police"  # where it is: its home, until it moves
    page.fill("#entry-form textarea[name=text]", "Met the prosecutor.")
    page.click("#entry-form [type=submit]")
    wait_for_text(page, "#err-action_type", "Choose what the team did.")
    assert page.evaluate("document.activeElement.name") == "action_type"  # focused, in sight
    assert page.evaluate("(() => { const r = document.querySelector('#entry-form select[name=action_type]')"
                         ".getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()")
    assert stored(server) == []


def test_after_save_the_page_says_so_and_is_ready_for_the_next_rating_of_the_same_task(open_page, server):
    page = phone(open_page, "observer", "/observe").page
    page.select_option("select[name=team]", "bravo")
    page.select_option("select[name=objective]", "obj-identify")
    task = page.eval_on_selector("select[name=task]", "s => s.options[1].value")
    page.select_option("select[name=task]", task)
    rate(page, "P", "Bravo separated the manager from the workers at once.")
    wait_for_text(page, "#saved-note", "Saved at")
    assert page.input_value("select[name=task]") == task  # the critical task stays for the next entry
    assert page.input_value("textarea[name=note]") == "" and not page.is_checked("[name=rating][value=P]")
    tiles, foot = page.evaluate("""[document.querySelector('.ratings').getBoundingClientRect(),
        document.querySelector('.safety-bar').getBoundingClientRect()].map(r => [r.top, r.bottom])""")
    assert tiles[0] >= 0 and tiles[1] <= foot[0]  # back at the rating tiles, all in sight (under whom they are for)


def test_a_controller_who_opens_the_control_rooms_screen_on_a_phone_gets_the_phone_pages(open_page, server):
    page = open_page("controller", **PHONE).page
    page.goto(server.url + "/director")
    page.wait_for_selector(".phone-pages a", timeout=15000)
    links = page.eval_on_selector_all(".phone-pages a", "links => links.map((a) => a.getAttribute('href'))")
    assert links == ["/team", "/observe"] and page.is_visible(".phone-pages")
    wide = open_page("controller", viewport={"width": 1280, "height": 720}).page
    wide.goto(server.url + "/director")
    wide.wait_for_selector("body[data-ready='1']", timeout=15000)
    assert not wide.is_visible(".phone-pages")  # on the laptop: the control room's screen as it is


def test_a_team_corrects_its_action_from_my_log(open_page, server):
    view = phone(open_page, "team:alpha", "/team")
    page = view.page
    page.select_option("#entry-form select[name=action_type]", "plan")
    page.fill("#entry-form textarea[name=text]", "Planned the visit to the farm.")
    page.click("#entry-form [type=submit]")
    page.wait_for_selector("#mylog-list .state-saved", timeout=15000)
    page.click("#mylog-list [data-act=correct]")
    assert page.input_value("#entry-form textarea[name=text]") == "Planned the visit to the farm."
    page.fill("#entry-form textarea[name=text]", "Planned the visit to the club.")
    page.click("#entry-form [type=submit]")
    page.wait_for_selector("#mylog-list >> text=corrected", timeout=15000)
    amend = stored(server, "amend")[-1]
    assert amend["text"] == "Planned the visit to the club." and view.errors == []
