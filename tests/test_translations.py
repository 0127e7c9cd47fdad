"""The catalogs are complete: every text marked in the code is in every language's catalog,
translated, with its placeholders, and compiled; the pages' words for the server's values exist."""

import io
import re
import subprocess
import sys

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from control.clock import NEXT_STATE
from control.events import INJECT_STATUS, RATINGS, TAGS
from control.i18n import CATALOGS, Message, best_language, languages, page_catalog
from control.permissions import all_roles
from control.rules import LABELS, page_texts
from control.scenario import DELIVERY_METHODS, SCHEDULE_KINDS
from control.state import STILL_TO_DO

from .conftest import ROOT

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
TRANSLATED = [lang for lang in languages() if lang != "en"]


def read_catalog(lang):
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    """Every text marked in the code now, as pybabel extracts it (docs/translating.md, step 1)."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "control/translations/babel.cfg",
                    "--no-wrap", "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as f:
        return {m.id: m for m in read_po(f) if m.id}


def test_russian_is_spoken():
    assert "ru" in TRANSLATED


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_marked_text_is_translated(marked, lang):
    catalog = read_catalog(lang)
    missing = sorted(msgid for msgid in marked if msgid not in catalog or not catalog[msgid].string)
    fuzzy = sorted(msgid for msgid in marked if msgid in catalog and catalog[msgid].fuzzy)
    assert missing == [], f"{len(missing)} texts have no {lang} translation: run the commands in docs/translating.md"
    assert fuzzy == [], f"{len(fuzzy)} {lang} translations are marked fuzzy (the English changed): check them"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_their_placeholders(lang):
    wrong = [m.id for m in read_catalog(lang) if m.id and m.string
             and sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))]
    assert wrong == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_compiled_catalog_is_the_po_file(lang):
    """The server reads the .mo: a .po edited without `pybabel compile` would change nothing."""
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    written = {m.id: m.string for m in read_catalog(lang) if m.id and m.string and not m.fuzzy}
    assert compiled == written, "run: pybabel compile -d control/translations"
    write_mo(io.BytesIO(), read_catalog(lang))  # and it compiles


def test_every_value_the_pages_show_has_its_words():
    assert set(LABELS["status"]) == set(INJECT_STATUS.values()) | set(STILL_TO_DO) | {"pending", "due", "overdue", "waiting"}
    assert set(LABELS["clock"]) == set(NEXT_STATE.values()) | {"not_started"}
    assert set(LABELS["tag"]) == set(TAGS)
    assert set(LABELS["delivery"]) == set(DELIVERY_METHODS)
    assert set(LABELS["schedule"]) == set(SCHEDULE_KINDS)
    assert {f"team:{t}" for t in "ab"} | set(LABELS["role"]) == set(all_roles("ab"))


def test_the_pages_get_the_words_of_their_scripts_and_of_the_rules():
    catalog = page_catalog("ru", page_texts())
    assert catalog[RATINGS["U"]] == "Не выполнено"
    assert catalog[LABELS["status"]["overdue"]] == "просрочена"
    assert "Release" in catalog  # a button a script draws
    assert "That code is not valid. Check it and try again." not in catalog  # the server's own: not sent to pages


def test_a_message_waits_for_its_readers_language():
    message = Message("unknown team '%(team)s'", team="volga")
    assert str(message) == "unknown team 'volga'"
    assert message.in_language("ru") == "неизвестная команда «volga»"
    assert Message.from_wire(message.wire()) == message


@pytest.mark.parametrize("asked, expected", [
    (dict(requested="ru", remembered="en", scenario_language="en"), "ru"),  # ?lang= wins
    (dict(remembered="en", scenario_language="ru"), "en"),  # then what the browser remembers
    (dict(scenario_language="ru", accepted=["en-GB"]), "ru"),  # then the scenario's language
    (dict(scenario_language="kk", accepted=["de", "ru-RU"]), "ru"),  # then the browser's languages
    (dict(scenario_language="ru-RU", accepted=["en"]), "ru"),  # a regional tag is its language
    (dict(scenario_language=None, accepted=["ru"]), "ru"),  # a scenario that names none: the browser's
    (dict(requested="xx", accepted=["de"]), "en"),  # and English when nothing fits
])
def test_the_language_of_a_request(asked, expected):
    assert best_language(**asked) == expected


# Literals in the page scripts that read like words but are not shown as text: class lists and
# plotly's positions.  Anything else with two words or more must be a msgid (shown through t()).
NOT_TEXT = {"scrub-mark day", "banner banner-offline", "bottom center", "log-flag log-ack", "ev-now muted"}
WORDS = re.compile(r"^[A-Za-z][A-Za-z ,.'’:;!?()—–-]*[a-z][A-Za-z ,.'’:;!?()—–-]*$")
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'|`([^`]*)`')
COMMENT = re.compile(r"/\*.*?\*/|(?:^|\s)//[^\n]*", re.S)


def test_page_scripts_show_no_text_outside_the_catalogs(marked):
    """A sentence written into a script without t() would stay English on a Russian page."""
    outside = []
    for path in sorted((ROOT / "static" / "js").rglob("*.js")):
        if path.name in ("sw.js", "i18n.js"):  # the worker has no page language; i18n.js is t() itself
            continue
        for groups in LITERAL.findall(COMMENT.sub("\n", path.read_text(encoding="utf-8"))):
            text = next((g for g in groups if g), "").strip()
            if " " in text and WORDS.match(text) and text not in marked and text not in NOT_TEXT:
                outside.append((path.name, text))
    assert outside == []


def test_a_message_that_does_not_fit_its_params_is_still_said():
    """An answer must go out even when a message from another process is malformed."""
    assert Message("%(a)s %", a=1).in_language("ru") == "%(a)s %"
    assert Message.from_wire({"msgid": "x", "params": []}) == "{'msgid': 'x', 'params': []}"
    assert Message.from_wire({"params": {}}) == "{'params': {}}"
