"""A team's tablet shows what is new: an inject released while the team types is marked NEW and counted in
the page's title, announced by a vibration where the team switched it on, and moves nothing they type."""

from .conftest import new_id, until
from .test_phone_pages import PHONE, ready

RECORD_VIBRATIONS = "window.vibrations = []; navigator.vibrate = (pattern) => { window.vibrations.push(pattern); return true; };"


def release(server, inject):
    ack = server.connect("controller").submit({"id": new_id(), "kind": "inject", "inject": inject})
    assert ack["ok"], ack


def tablet(open_page, server):
    view = open_page(None, **PHONE)
    view.context.add_init_script(RECORD_VIBRATIONS)
    view.login("team:alpha")
    return ready(view.page)


def test_a_new_inject_is_marked_counted_and_moves_nothing_being_typed(open_page, server):
    release(server, "I-01")  # out before the tablet first opened: news to the team that picks it up
    page = tablet(open_page, server)
    page.wait_for_selector("#inject-list .unread[data-inject='I-01']")
    assert page.title().startswith("(1) ") and page.inner_text("#new-injects") == "1 new inject ↑"
    page.click("#inject-list [data-read='I-01']")
    until(page, "document.body.dataset.unread === '0'")
    assert page.inner_text("#earlier-count") == "Earlier injects (1)" and page.locator("#new-injects").is_hidden()
    assert not page.title().startswith("(")
    details = page.locator("#entry-form textarea[name=text]")
    details.scroll_into_view_if_needed()
    details.click()
    page.keyboard.type("Two women at the back door, one says she")
    top = details.evaluate("e => e.getBoundingClientRect().top")
    release(server, "I-04")
    page.wait_for_selector("#inject-list .inject-card.unread[data-inject='I-04'] >> text=NEW", timeout=15000)
    assert abs(details.evaluate("e => e.getBoundingClientRect().top") - top) <= 1  # the card came in above; the field stayed
    assert page.evaluate("document.activeElement.name") == "text"
    page.keyboard.type(" has no passport.")
    assert details.input_value() == "Two women at the back door, one says she has no passport."
    assert page.title().startswith("(1) ")
    assert page.locator("#new-injects").is_visible()  # in the bar at the foot: in sight while the list is not
    assert page.evaluate("window.vibrations") == []  # sound and vibration are the team's choice, off until chosen
    page.click("#inject-list [data-read='I-04']")
    until(page, "document.body.dataset.unread === '0'")
    assert not page.title().startswith("(")
    assert page.inner_text("#earlier-count") == "Earlier injects (2)"
    page.reload()
    ready(page)
    assert page.locator("#inject-list .unread").count() == 0  # read stays read


def test_vibration_announces_a_new_inject_once_switched_on(open_page, server):
    page = tablet(open_page, server)
    page.check("#inject-alert")
    page.evaluate("window.vibrations = []")
    release(server, "I-01")
    until(page, "document.body.dataset.unread === '1'")
    until(page, "window.vibrations.length === 1")
    # a recall is news too: the struck-through card comes back as new
    ack = server.connect("controller").submit({"id": new_id(), "kind": "inject_recall", "inject": "I-01",
                                               "reason": "released too early"})
    assert ack["ok"], ack
    page.wait_for_selector("#inject-list .unread >> text=Withdrawn by control", timeout=15000)
    until(page, "window.vibrations.length === 2")


def test_answering_an_inject_reads_it_and_many_are_read_at_once(open_page, server):
    for inject in ("I-01", "I-04"):
        release(server, inject)
    page = tablet(open_page, server)
    until(page, "document.body.dataset.unread === '2'")
    page.select_option("#entry-form select[name=action_type]", "plan")
    page.fill("#entry-form textarea[name=text]", "Called the bank back about the deposits.")
    page.select_option("#entry-form select[name=inject]", "I-04")
    page.click("#entry-form [type=submit]")
    until(page, "document.body.dataset.unread === '1'")  # the inject the team answered is read
    release(server, "I-05")
    until(page, "document.body.dataset.unread === '2'")
    page.click("#all-read")
    until(page, "document.body.dataset.unread === '0'")
