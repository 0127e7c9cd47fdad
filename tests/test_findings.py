"""The report's findings are the observations the evaluators picked for it (on the phone, or the lead
evaluator in the debrief), grouped by theme; the rest are counted, never "the latest few"."""

import pytest

from control.events import InvalidEvent

from .conftest import CODES, new_id, submit


def rate(exercise, team, rating, tag, note, **fields):
    return submit(exercise, "observer", "evaluation", team=team, objective="obj-identify", rating=rating, tag=tag,
                  note=note, **fields)


def report(client):
    return client.get("/api/export/report.html", headers={"Authorization": f"Bearer {CODES['director']}"}).get_data(as_text=True)


def test_the_findings_are_the_picked_observations_grouped_by_theme(app, client):
    exercise = app.extensions["excon"].exercise
    submit(exercise, "director", "clock", op="start")
    rate(exercise, "alpha", "P", "strength", "Manager kept out of the interview room.", for_report=True,
         theme="Separating victims from controllers")
    rate(exercise, "bravo", "P", "strength", "Workers interviewed one by one, away from the foreman.", for_report=True,
         theme="Separating victims from controllers")
    rate(exercise, "charlie", "U", "improvement", "No interpreter for two hours.", for_report=True, theme="Interpretation")
    rate(exercise, "delta", "S", "strength", "A routine strength nobody picked.")
    picked_later = rate(exercise, "echo", "M", "improvement", "Passports left with the manager.")
    submit(exercise, "observer", "amend", target=picked_later["id"], for_report=True)  # picked afterwards, no theme
    html = report(client)
    findings = html[html.index("Strengths"):html.index("Not among the findings")]
    assert "Separating victims from controllers" in findings
    assert "(<bdi>Team Alpha</bdi>, <bdi>Team Bravo</bdi>)" in findings
    assert findings.index("Separating victims") < findings.index("Manager kept out")
    assert "No interpreter for two hours." in findings and "Passports left with the manager." in findings
    assert "Without a theme" in findings
    assert "A routine strength nobody picked." not in html  # counted, in the annex (events.csv)
    assert "Not among the findings: 1 observations tagged as strengths, 0 as areas for improvement and 0 untagged" in html


def test_a_report_without_picks_says_so(app, client):
    exercise = app.extensions["excon"].exercise
    rate(exercise, "alpha", "P", "strength", "Good work, not picked.")
    html = report(client)
    assert "No observation marked for the report yet" in html and "Good work, not picked." not in html


def test_a_theme_is_short_and_never_reaches_the_screen(exercise):
    with pytest.raises(InvalidEvent) as refused:
        rate(exercise, "alpha", "P", "strength", "x", for_report=True, theme="t" * 101)
    assert refused.value.field == "theme"
    event = rate(exercise, "alpha", "P", "strength", "x", for_report=True, theme="Joint entry")
    seen = exercise.view("screen", event)
    assert "theme" not in seen and "note" not in seen and seen["for_report"] is True


def test_an_evaluator_picks_on_the_phone_and_the_lead_in_the_debrief(open_page, server):
    from .test_phone_pages import PHONE, ready, stored
    from .test_phone_pages import rate as rate_on_phone

    server.connect("director").submit({"id": new_id(), "kind": "clock", "op": "start"})
    phone = ready(open_page("observer", **PHONE).page)
    assert phone.locator("#theme-field").is_hidden()
    phone.check("[name=for_report]")
    phone.fill("[name=theme]", "Interpretation")
    rate_on_phone(phone, "U", "No interpreter for two hours.", team="charlie")
    rate_on_phone(phone, "P", "Manager kept out of the room.", team="alpha")
    phone.wait_for_selector("#banner >> text=Online — everything saved", timeout=15000)
    first, second = stored(server, "evaluation")
    assert (first.get("for_report"), first.get("theme")) == (True, "Interpretation")
    assert "for_report" not in second and "theme" not in second  # the box is not kept from one entry to the next
    page = open_page("director", viewport={"width": 1920, "height": 1080}).page
    page.goto(server.url + "/debrief")
    page.wait_for_selector("body[data-ready='1']", timeout=30000)
    page.evaluate("(s => { s.value = s.max; s.dispatchEvent(new Event('input')); })(document.getElementById('scrub'))")
    page.select_option("#f-objective", "obj-identify")
    page.wait_for_selector(f"#evidence [data-pick='{second['id']}']", timeout=15000)
    page.click(f"#evidence [data-pick='{second['id']}']")
    page.wait_for_selector(f"#evidence [data-pick='{second['id']}'][aria-pressed='true']", timeout=15000)
    amend = stored(server, "amend")[-1]
    assert (amend["target"], amend["for_report"]) == (second["id"], True)
