"""Speak the user's language: the gettext catalogs, messages that wait for a language, texts in several languages.

The catalogs are Babel's (`control/translations/<lang>/LC_MESSAGES/messages.po`, compiled to `.mo`
with `pybabel compile`; see docs/translating.md).  English is the source language: a msgid is the
English text itself, so English needs no catalog.

Domain code has no request to ask for a language, so it does not translate: it raises or returns a
`Message` (made with `_`), and whoever answers a person renders it in that person's language.  The
web layer does the same for pages through Flask-Babel, over these same catalogs.
"""

import re
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

CATALOGS = Path(__file__).resolve().parent / "translations"
SOURCE_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}  # each in its own language, for the switch
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")  # "ru", "en", "pt-BR": a key of a text in several languages


@cache
def languages() -> tuple:
    """Return the languages ExCon speaks: English and every language with a compiled catalog (read once)."""
    found = sorted(p.parent.parent.name for p in CATALOGS.glob("*/LC_MESSAGES/messages.mo"))
    return (SOURCE_LANGUAGE, *[lang for lang in found if lang != SOURCE_LANGUAGE])


def translations(lang: str) -> NullTranslations:
    """Return the compiled catalog of `lang` (English, or a language without one: the msgids as they are)."""
    return _catalog(lang if lang in languages() else SOURCE_LANGUAGE)  # the cache holds known languages only


@cache
def _catalog(lang: str) -> NullTranslations:
    return NullTranslations() if lang == SOURCE_LANGUAGE else Translations.load(str(CATALOGS), [lang])


def gettext(lang: str, msgid: str, **params) -> str:
    """Return `msgid` in `lang`, with %(name)s placeholders filled from `params`."""
    text = translations(lang).gettext(msgid)
    return text % params if params else text


class Message:
    """A sentence for a person, kept until the person's language is known.

    `str()` gives English (for logs and for tests that read English); `in_language(lang)` gives the
    person's language.  `wire()` and `from_wire()` carry it between server processes (relay.py)."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params):
        self.msgid = msgid
        self.params = params

    def in_language(self, lang: str) -> str:
        params = {k: v.in_language(lang) if isinstance(v, Message) else v for k, v in self.params.items()}
        for language in (lang, SOURCE_LANGUAGE):
            try:
                return gettext(language, self.msgid, **params)
            except (KeyError, TypeError, ValueError):  # a translation (or a msgid from elsewhere) that does not fit
                continue
        return self.msgid

    def __str__(self) -> str:
        return self.in_language(SOURCE_LANGUAGE)

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, **{self.params!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Message) and (self.msgid, self.params) == (other.msgid, other.params)

    def __hash__(self):
        return hash(self.msgid)

    def wire(self) -> dict:
        params = {k: v.wire() if isinstance(v, Message) else v for k, v in self.params.items()}
        return {"msgid": self.msgid, "params": params}

    @classmethod
    def from_wire(cls, value) -> "Message | str":
        """Rebuild a Message from `wire()`; anything else (another version's answer) becomes its text."""
        if not (isinstance(value, dict) and isinstance(value.get("msgid"), str) and isinstance(value.get("params", {}), dict)):
            return str(value)
        params = {str(k): cls.from_wire(v) if isinstance(v, dict) else v for k, v in value.get("params", {}).items()}
        return cls(value["msgid"], **params)


def _(msgid: str, **params) -> Message:
    """Mark `msgid` for the catalogs (pybabel extracts `_("…")`) and keep it for the reader's language."""
    return Message(msgid, **params)


def N_(msgid: str) -> str:
    """Mark a constant text for the catalogs and keep it as it is (it is translated where it is shown)."""
    return msgid


def in_language(text, lang: str) -> str:
    """Render a Message (or pass a plain text through) in `lang`."""
    return text.in_language(lang) if isinstance(text, Message) else str(text)


def best_language(requested=None, remembered=None, scenario_language=None, accepted=()) -> str:
    """Choose the language of a page or an answer.

    In order: `?lang=` on the request, the language the browser remembers (the switch's cookie),
    the scenario's language, then the best of the browser's Accept-Language (`accepted`: language
    tags, best first), then English."""
    spoken = languages()
    for choice in (requested, remembered, scenario_language):
        if choice in spoken:
            return choice
    for tag in (scenario_language, *accepted):  # "ru-RU" is Russian
        base = str(tag).lower().replace("_", "-").split("-")[0] if tag else None
        if base in spoken:
            return base
    return SOURCE_LANGUAGE


@cache
def page_catalog(lang: str, extra: frozenset = frozenset()) -> dict:
    """Return the translations the page scripts need in `lang`: {msgid: text}.

    These are the messages pybabel found in static/js (the script's `t("…")` calls), plus `extra`
    (texts the pages show from the server's rules, such as the rating wording)."""
    from babel.messages.pofile import read_po

    po = CATALOGS / lang / "LC_MESSAGES" / "messages.po"
    if lang == SOURCE_LANGUAGE or not po.exists():
        return {}
    with po.open("rb") as f:
        catalog = read_po(f)
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy
            and (m.id in extra or any(path.startswith("static/js/") for path, _line in m.locations))}
