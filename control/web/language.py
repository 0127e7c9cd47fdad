"""Which language a request is answered in, and Flask-Babel bound to ExCon's catalogs.

A browser remembers its language in the `excon_lang` cookie, which static/js/language.js sets
when someone uses the EN/RU switch (on the device, so that it works offline as well); `?lang=`
overrides it for one page, report or export.  Without either, the scenario's language, then the
browser's Accept-Language.
"""

from urllib.parse import urlencode

from flask import g, request
from flask_babel import Babel

from .. import exports
from ..events import RATINGS
from ..i18n import CATALOGS, LANGUAGE_NAMES, _, best_language, gettext, in_language, languages, page_catalog
from ..permissions import PERSON
from ..rules import LABELS, page_texts
from .access import room

COOKIE = "excon_lang"
babel = Babel()


def request_language() -> str:
    """Return the language this request is answered in (see the module's docstring)."""
    if "lang" not in g:
        declared = room().exercise.scenario.raw["exercise"].get("language")  # not the English its texts default to
        g.lang = best_language(request.args.get("lang"), request.cookies.get(COOKIE), declared,
                               request.accept_languages.values())
    return g.lang


def request_scenario():
    """Return the scenario with its texts in the request's language."""
    return room().exercise.scenario.in_language(request_language())


def role_name(role, lang: str) -> str:
    """Return how a role is called to a person: "evaluator", a team's name for a team's tablet, or a
    person of the roster by name ("Jan Novák (evaluator)") when `role` is a person's code holder."""
    if role is None:
        return ""
    if role.startswith(PERSON):
        person = room().exercise.scenario.in_language(lang).people.get(role[len(PERSON):])
        if person is None:
            return role
        what = gettext(lang, LABELS["person_role"][person["role"]])
        return _("%(name)s (%(role)s)", name=person["name"], role=what).in_language(lang)
    return exports.role_name(role, room().exercise.scenario.in_language(lang), lang)


def request_holder_or_none():
    """Return who holds this request's code, for the page to name them; None when none (or too many wrong codes)."""
    from .access import TooManyWrongCodes, request_holder

    try:
        return request_holder()
    except TooManyWrongCodes:
        return None


def language_url(lang: str) -> str:
    """Return this page's address in `lang` (what the switch links to)."""
    args = {k: v for k, v in request.args.items() if k not in ("lang", "code")}
    return f"{request.path}?{urlencode({**args, 'lang': lang})}"


def init_language(app) -> None:
    """Bind Flask-Babel (templates' `_()`, locale formats) and give every template the language and its switch."""
    babel.init_app(app, locale_selector=request_language, default_translation_directories=str(CATALOGS))

    @app.context_processor
    def language_context():
        lang = request_language()
        return {"lang": lang, "language_names": {code: LANGUAGE_NAMES.get(code, code) for code in languages()},
                "page_messages": {"lang": lang, "messages": page_catalog(lang, page_texts())},
                "rating_words": {letter: gettext(lang, words) for letter, words in RATINGS.items()},
                "labels": {group: {k: gettext(lang, v) for k, v in table.items()} for group, table in LABELS.items()},
                "role_name": lambda role: role_name(role, lang), "language_url": language_url,
                "me": (me := request_holder_or_none()),
                "my_person_id": me[len(PERSON):] if me and me.startswith(PERSON) else "",
                "local": lambda text: in_language(text, lang)}
