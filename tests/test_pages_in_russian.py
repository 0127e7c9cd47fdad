"""Every page, with Russian chosen, reads in Russian: no English word of ExCon's own is left on it.

The Russian example scenario is played for a short while (its names and the people's notes are
Russian too), then each page is opened as its user would, and every visible text, tooltip, option
and dialog on it is searched for Latin-letter words.  An English director on the same server at
the same time sees the same exercise in English.

With EXCON_SCREENSHOTS=<folder> the test also saves each page as a PNG there
(docs/screenshots-ru/ holds the committed ones: see docs/translating.md).
"""

import os
import re
from pathlib import Path

import pytest

from .conftest import ROOT, Server, new_id, until
from .test_russian_scenario import RU, RU_CODES

# Latin words that belong on a Russian page: ExCon's name, the language switch, HSEEP's rating
# letters, acronyms the glossary keeps next to the Russian, the scenario's own "EXCON" label, and
# the names of the protocols scripts use.
ALLOWED = {"ExCon", "EXCON", "EN", "RU", "English", "MSEL", "AAR", "IP", "ENDEX", "QR", "HSEEP", "Socket", "IO", "HTTP"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
BIG, PHONE = {"width": 1920, "height": 1080}, {"width": 390, "height": 844}
PAGES = [  # (role, path, viewport, what shows the page is drawn)
    (None, "/login", PHONE, "form"),
    ("director", "/", BIG, "main"),
    ("director", "/director", BIG, "body[data-connection='live']"),
    ("controller", "/director", BIG, "body[data-connection='live']"),
    ("observer", "/observe", PHONE, "body[data-connection='live']"),
    ("team:volga", "/team", PHONE, "body[data-connection='live']"),
    ("director", "/debrief", BIG, "body[data-ready='1']"),
    ("director", "/api/export/report.html", BIG, "h1"),
    ("director", "/codes", BIG, ".code-card"),
    ("director", "/logout", PHONE, "form"),
]
DIALOG = {("controller", "/director"): "#board button[data-act=release]",  # the release confirmation
          ("director", "/director"): "#clock-controls button[data-op=pause]",
          ("observer", "/observe"): "#safety-open"}
EVERY_TEXT = """() => {
  document.querySelectorAll(".code, .url, code").forEach((e) => e.remove());  // access codes, addresses, file names
  const texts = [document.title, document.body.innerText];
  for (const e of document.querySelectorAll("[title], [aria-label], [placeholder]"))
    texts.push(e.getAttribute("title") || "", e.getAttribute("aria-label") || "", e.getAttribute("placeholder") || "");
  for (const e of document.querySelectorAll("option, dialog, svg text")) texts.push(e.textContent);
  return texts.join("\\n");
}"""


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """A server on the Russian scenario, with a little of day 2 played by its people."""
    server = Server(tmp_path_factory.mktemp("ru") / "ru.db", codes_env=",".join(f"{r}={c}" for r, c in RU_CODES.items()),
                    extra_args=["--scenario", str(RU)]).start()
    director, controller, volga, observer = (server.connect(RU_CODES[r]) for r in
                                             ("director", "controller", "team:volga", "observer"))
    for client, payload in [
        (director, {"kind": "clock", "op": "start", "day": 2, "time": "09:35"}),  # В-06 (09:10) is overdue
        (controller, {"kind": "inject", "inject": "В-07"}),
        (controller, {"kind": "inject_defer", "inject": "В-08", "reason": "Команда ещё на сауне"}),
        (volga, {"kind": "move", "team": "volga", "site": "sauna"}),
        (volga, {"kind": "action", "team": "volga", "site": "sauna", "action_type": "protect", "inject": "В-07",
                 "text": "Остановили микроавтобус, девушек отделили от водителя"}),
        (observer, {"kind": "evaluation", "team": "volga", "objective": "ru-victim", "task": "ru-victim-interpreter",
                    "rating": "M", "tag": "improvement", "note": "Переводчика вызвали только через час"}),
        (observer, {"kind": "note", "bookmark": True, "text": "На разбор: первая беседа в сауне"}),
    ]:
        assert client.submit({"id": new_id(), **payload})["ok"]
    yield server
    server.stop()


def open_as(browser, server, role, viewport, lang=None):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    if role:
        page.goto(f"{server.url}/login?code={RU_CODES[role]}")
    if lang:
        context.add_cookies([{"name": "excon_lang", "value": lang, "url": server.url}])
    return context, page


@pytest.mark.parametrize("role, path, viewport, drawn", PAGES, ids=[f"{r}{p}" for r, p, *_ in PAGES])
def test_the_page_has_no_english_word_in_russian(browser, played, role, path, viewport, drawn):
    context, page = open_as(browser, played, role, viewport)  # no choice made: the scenario's language, Russian
    try:
        if path.startswith("/api/export/"):  # a download: read it as the person who opens the file would
            page.set_content(page.request.get(played.url + path).text())
        else:
            page.goto(played.url + path)
        page.wait_for_selector(drawn, timeout=20000)
        if path == "/director":
            until(page, "document.querySelectorAll('#board li').length > 0 && document.querySelectorAll('#feed li').length > 0")
        assert page.evaluate("document.documentElement.lang") == "ru"
        shots = os.environ.get("EXCON_SCREENSHOTS")
        if shots:
            name = f"{(role or 'anyone').replace(':', '-')}-{path.strip('/').replace('/', '-').replace('.', '-') or 'home'}.png"
            page.screenshot(path=str(Path(ROOT, shots, name)), full_page=path.startswith("/api/"))
        if (role, path) in DIALOG:  # and what the page asks before it acts
            page.click(DIALOG[role, path])
            page.wait_for_selector("dialog[open]")
        english = sorted(set(LATIN_WORD.findall(page.evaluate(EVERY_TEXT))) - ALLOWED)
        assert english == [], f"English on {path} in Russian: {english}"
    finally:
        context.close()


def test_an_english_director_runs_the_same_exercise_in_english_at_the_same_time(browser, played):
    """The Russian director's screen stays Russian while an English one is open on the same server."""
    screens = {lang: open_as(browser, played, "director", BIG, lang) for lang in ("en", "ru")}
    try:
        for _context, page in screens.values():
            page.goto(played.url + "/director")
            page.wait_for_selector("body[data-connection='live']", timeout=20000)
            until(page, "document.querySelectorAll('#board li').length > 0")
        chrome = ("() => [...document.querySelectorAll('.panel-head, #clock, #board .inject-status, #board button, "
                  "#board .inject-title, #map-plot svg text, #coverage-plot svg text')].map((e) => e.textContent).join(' | ')")
        english = screens["en"][1].evaluate(chrome)
        russian = screens["ru"][1].evaluate(chrome)
        assert "Team 1 Volga" in english and "Injects" in english
        assert re.findall("[А-Яа-яЁё]+", english) == []  # the scenario's own English, ExCon's English
        assert "Команда 1 «Волга»" in russian and "Вводные" in russian
    finally:
        for context, _page in screens.values():
            context.close()
