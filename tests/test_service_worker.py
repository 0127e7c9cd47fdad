"""The phones' service worker keeps every file their pages need: a page opened once, then reloaded
without the network, opens with its form and its waiting entries, and sends them when the network
is back."""

import re

import pytest

from .conftest import ROOT
from .test_phone_pages import PHONE, rate, ready, stored

STATIC = ROOT / "static"


def shell() -> set:
    """The files the service worker caches when it is installed."""
    text = (STATIC / "js" / "sw.js").read_text(encoding="utf-8")
    return set(re.findall(r'"(/[^"]*)"', re.search(r"const SHELL = \[(.*?)\];", text, re.S)[1]))


def needed_by_phone_pages() -> set:
    """Every static file the phone templates load, and every module those scripts import, transitively."""
    needed = set()
    for template in ("phone.html", "base.html"):
        html = (ROOT / "templates" / template).read_text(encoding="utf-8")
        needed |= {f"/static/{name}" for name in re.findall(r"url_for\('static', filename='([^']+)'\)", html)}
    modules = [path for path in needed if path.endswith(".js")]
    while modules:
        module = modules.pop()
        source = (ROOT / module.lstrip("/")).read_text(encoding="utf-8")
        for imported in re.findall(r'(?:import|from)\s*\(?\s*"\./([^"]+\.js)"', source):
            path = f"/static/js/{imported}"
            if path not in needed:
                needed.add(path)
                modules.append(path)
    return needed


def test_the_service_worker_caches_every_file_the_phone_pages_import():
    needed = needed_by_phone_pages()
    assert "/static/js/views.js" in needed and "/static/js/outbox.js" in needed  # the walk finds imports
    assert needed - shell() == set()
    assert {"/observe", "/team"} <= shell()


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
        assert page.locator("[name=team] option").count() == 5  # the form, with the scenario's teams
        rate(page, "S", "Logged in a page that came from the phone's cache.")
        expected = "Logged in a page that came from the phone's cache."
    else:
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
