"""The phones' service worker keeps every file their pages need: a page opened once, then reloaded
without the network, opens with its form and its waiting entries, and sends them when the network
is back."""

import re

import pytest

from .conftest import CODES, ROOT, until
from .test_phone_pages import PHONE, rate, ready, stored

STATIC = ROOT / "static"


def shell() -> set:
    """The files the service worker caches when it is installed."""
    text = (STATIC / "js" / "sw.js").read_text(encoding="utf-8")
    return set(re.findall(r'"(/[^"]*)"', re.search(r"const SHELL = \[(.*?)\];", text, re.S)[1]))


@pytest.mark.parametrize("role, path", [("observer", "/observe"), ("team:alpha", "/team")])
def test_the_service_worker_caches_every_file_the_phone_pages_load(client, role, path):
    html = client.get(path, headers={"Authorization": f"Bearer {CODES[role]}"}).get_data(as_text=True)
    loaded = set(re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/[^"?]+)', html))
    assert {"/bundle/phone.js", "/static/vendor/socket.io.min.js", "/static/excon.css"} <= loaded
    data = {"/api/scenario", "/api/state"}  # asked for early; kept per language by the worker, and on the phone
    assert loaded - data - shell() == set()
    assert {"/observe", "/team"} <= shell()
    # the scripts come as one file: nothing in it asks for another module
    bundle = client.get("/bundle/phone.js").get_data(as_text=True)
    assert not re.search(r"^\s*import\b", bundle, re.M) and "// js/phone/my_log.js" in bundle


@pytest.mark.parametrize("role, path", [("observer", "/observe"), ("team:alpha", "/team")])
def test_a_page_opened_once_reloads_offline_with_its_form_and_waiting_entries(open_page, server, role, path):
    view = open_page(**PHONE)
    page = view.page
    view.login(role)
    ready(page)
    # The worker installs while the page is open; nothing the page loaded went through it.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    view.context.set_offline(True)
    page.reload()
    ready(page, live=False)
    page.wait_for_selector("#banner >> text=Offline", timeout=15000)
    if role == "observer":
        assert page.locator("[name=team] option[value]:not([value=''])").count() == 5  # the form, with the scenario's teams
        rate(page, "S", "Logged in a page that came from the phone's cache.")
        expected = "Logged in a page that came from the phone's cache."
    else:
        page.select_option("#entry-form select[name=action_type]", "request_records")
        page.fill("textarea[name=text]", "Asked the farmer for the workers' contracts.")
        page.click("#entry-form [type=submit]")
        expected = "Asked the farmer for the workers' contracts."
    page.wait_for_selector("#mylog-list .state-waiting")
    page.reload()  # once more, still offline: the waiting entry is still there
    ready(page, live=False)
    assert page.locator("#mylog-list .state-waiting").count() == 1
    view.context.set_offline(False)
    page.wait_for_selector("#mylog-list .state-saved", timeout=20000)
    assert [e.get("note") or e.get("text") for e in stored(server)] == [expected]
    assert view.errors == []


def test_switching_language_offline_keeps_the_waiting_entries_and_sends_each_once(open_page, server):
    """An observer with entries waiting offline switches to Russian and back: the page comes from the
    phone's cache in the chosen language, the outbox is untouched, and each entry is stored once."""
    view = open_page("observer", **PHONE)
    page = view.page
    ready(page)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    until(page, "caches.open('excon-phone-v8').then((c) => c.match('/observe?lang=ru')).then(Boolean)")
    view.context.set_offline(True)
    page.wait_for_selector("#banner >> text=Offline", timeout=15000)
    notes = ["Interpreter arrived late to the first interview.", "Manager kept out of the room: well done."]
    for note in notes:
        rate(page, "S", note)
    page.wait_for_selector("#mylog-list .state-waiting >> nth=1")
    page.click(".language-switch a[data-lang=ru]")
    ready(page, live=False)
    assert page.evaluate("document.documentElement.lang") == "ru"
    assert page.inner_text("#entry-form [type=submit]") == "Сохранить наблюдение"
    assert page.locator("#mylog-list .state-waiting").count() == 2
    page.click(".language-switch a[data-lang=en]")  # and back, still offline
    ready(page, live=False)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("#mylog-list .state-waiting").count() == 2
    view.context.set_offline(False)
    until(page, "document.querySelectorAll('#mylog-list .state-saved').length === 2", timeout=20)
    assert sorted(e["note"] for e in stored(server, "evaluation")) == sorted(notes)
    assert view.errors == []
