"""The entry an evaluator is writing is never lost: not by a reload (a phone that closes the tab while the
camera is open), not by correcting an earlier entry in between; the form says whom the next rating is for."""

from .conftest import new_id, until
from .test_phone_pages import PHONE, rate, ready, stored
from .test_photos import png

PHOTO = {"name": "door.png", "mimeType": "image/png", "buffer": png(300, 200, (90, 30, 30))}


def observer(open_page):
    return ready(open_page("observer", **PHONE).page)


def test_an_entry_being_written_survives_a_reload_with_its_photo(open_page, server):
    page = observer(open_page)
    page.select_option("select[name=team]", "echo")
    page.select_option("select[name=objective]", "obj-identify")
    page.click("label.rating-M")
    page.fill("textarea[name=note]", "Half a sentence before the camera")
    page.set_input_files("#photo-pick input[type=file]", files=[PHOTO])
    page.wait_for_selector("#photo-pick[data-count='1']")
    page.reload()
    ready(page)
    page.wait_for_selector("#photo-pick[data-count='1'] img.thumb")
    assert page.input_value("textarea[name=note]") == "Half a sentence before the camera"
    assert page.input_value("select[name=team]") == "echo" and page.is_checked("[name=rating][value=M]")
    page.click("#entry-form [type=submit]")
    page.wait_for_selector("#banner >> text=Online — everything saved", timeout=15000)
    [event] = stored(server, "evaluation")
    assert event["team"] == "echo" and len(event["photos"]) == 1
    page.reload()
    ready(page)
    assert page.input_value("textarea[name=note]") == ""  # saved: no draft left


def test_correcting_an_earlier_entry_keeps_the_one_being_written(open_page, server):
    page = observer(open_page)
    rate(page, "S", "First look at the ledger.", team="alpha")
    page.wait_for_selector("#mylog-list .state-saved")
    page.select_option("select[name=team]", "echo")
    page.click("label.rating-P")
    page.fill("textarea[name=note]", "Echo's interview, still writing")
    page.click("#mylog-list [data-act=correct]")
    assert page.input_value("textarea[name=note]") == "First look at the ledger."
    page.click("label.rating-U")
    page.click("#entry-form [type=submit]")
    until(page, "document.querySelector('textarea[name=note]').value.startsWith('Echo')")
    assert page.input_value("select[name=team]") == "echo" and page.is_checked("[name=rating][value=P]")
    page.wait_for_selector("#banner >> text=Online — everything saved", timeout=15000)
    assert [e["kind"] for e in stored(server)] == ["evaluation", "amend"]
    # and when the correction is cancelled
    page.click("#mylog-list [data-act=correct]")
    page.click("#amend-cancel")
    assert page.input_value("textarea[name=note]") == "Echo's interview, still writing"


def test_the_site_follows_the_team_and_the_form_says_whom_the_next_rating_is_for(open_page, server):
    server.connect("director").submit({"id": new_id(), "kind": "move", "team": "bravo", "site": "farm"})
    page = observer(open_page)
    page.select_option("select[name=team]", "alpha")
    page.select_option("select[name=site]", "club")
    page.select_option("select[name=team]", "bravo")
    assert page.input_value("select[name=site]") == "farm"  # where bravo last moved, not where alpha was
    rate(page, "S", "Bravo at the farm gate.", team="bravo", objective="obj-identify")
    context = page.inner_text("#form-context").replace("\u2068", "").replace("\u2069", "")
    assert "Saved at" in context and "Next: Team Bravo at Greenfield Farm" in context
    in_sight = """document.getElementById('form-context').getBoundingClientRect().top
        >= document.querySelector('.phone-main').getBoundingClientRect().top - 1"""
    assert page.evaluate(in_sight)  # the page went back to it, with the rating tiles under it
