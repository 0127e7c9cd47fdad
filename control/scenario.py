"""Load and check the exercise scenario: days, sites, teams, objectives, action types and the MSEL.

Every field ExCon reads is checked for its type here, so that a wrong value is named at start-up
with its entry, never found later by a page or the report.  The refusal is a `Message` (see i18n.py):
`str()` gives English, and the entry it names ("inject 'I-04'") is a Message of its own.
"""

import difflib
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .assignments import check_assignment
from .feedback import SCALE_POINTS, WHEN
from .i18n import LANGUAGE_CODE, _, languages
from .timefmt import escaped, parse_clock_time

DELIVERY_METHODS = ("phone call", "email", "document", "actor walk-in", "site event", "radio", "video call")
SCHEDULE_KINDS = ("briefing", "play", "break", "hot_wash", "debrief")
# What a person in the roster (`people`) is; control/permissions.py says what each may do.
PERSON_ROLES = ("director", "controller", "lead_evaluator", "evaluator", "participant", "screen")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
SECTIONS = ("exercise", "days", "sites", "teams", "objectives", "action_types", "request_kinds", "actors", "injects",
            "people", "assignments", "feedback")


class ScenarioError(ValueError):
    """The scenario file is broken; the message (`args[0]`, a Message) names the bad entry."""


@dataclass
class Scenario:
    """A checked scenario; lookups by id for the event validator."""

    raw: dict
    sites: dict = field(default_factory=dict)
    teams: dict = field(default_factory=dict)
    objectives: dict = field(default_factory=dict)
    tasks: dict = field(default_factory=dict)  # task id -> objective id
    action_types: dict = field(default_factory=dict)
    request_kinds: dict = field(default_factory=dict)  # what teams ask the control cell for (bank records …)
    actors: dict = field(default_factory=dict)  # who plays whom: real names, for the control cell only
    injects: dict = field(default_factory=dict)
    days: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)  # the roster: person id -> entry (empty: roles only)
    source: dict = None  # the file's JSON, texts in several languages as they are written
    languages: tuple = ()  # the languages the scenario's own texts are given in, besides its language
    warnings: list = field(default_factory=list)  # what is allowed but probably a mistake (Messages): said at start
    _translated: dict = field(default_factory=dict, repr=False)

    @property
    def first_day(self) -> int:
        return min(self.days)

    @property
    def exercise_id(self) -> str:
        return self.raw["exercise"]["id"]

    @property
    def language(self) -> str:
        """The scenario's own language (`exercise.language`), English when it names none."""
        return self.raw["exercise"].get("language") or "en"

    def in_language(self, lang: str) -> "Scenario":
        """Return this scenario with its texts in `lang` (falling back to the scenario's language)."""
        if lang not in self.languages:  # its own language, or one it gives no texts in
            return self
        if lang not in self._translated:
            try:
                self._translated[lang] = _checked(_in_language(self.source, lang, self.language))
            except ScenarioError as e:
                raise ScenarioError(_("in '%(language)s': %(error)s", language=lang, error=e.args[0])) from None
            self._translated[lang].source = self.source
        return self._translated[lang]

    def day_start_seconds(self, day: int) -> int:
        """Return the time of day (seconds) at which `day`'s schedule begins."""
        return parse_clock_time(self.days[day]["schedule"][0]["start"])


def load_scenario(path) -> Scenario:
    """Read a scenario file (UTF-8, with or without a BOM) and check it; raise ScenarioError naming
    the first bad entry."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(_("scenario file %(path)s does not exist", path=str(path))) from None
    except OSError as e:
        raise ScenarioError(_("cannot read scenario file %(path)s: %(error)s", path=str(path), error=e.strerror)) from None
    text = decoded(data, path)
    try:
        raw = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as e:
        raise ScenarioError(_("%(path)s is not valid JSON: %(error)s", path=str(path), error=str(e))) from None
    except RecursionError:
        raise ScenarioError(_("%(path)s is nested too deeply to read", path=str(path))) from None
    except ValueError as e:  # NaN, Infinity (a Message from _refuse_constant), or a number too long
        raise ScenarioError(_("%(path)s: %(error)s", path=str(path), error=e.args[0])) from None
    return check_scenario(raw)


def decoded(data: bytes, path) -> str:
    """Return a text file's text: UTF-8 with or without a byte-order mark; refuse another encoding, naming it
    where it can be told (UTF-16, Windows-1251)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # the byte-order mark Windows editors write: harmless
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError(_("%(path)s is saved as UTF-16; save it as UTF-8", path=str(path)))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        bad = {"path": str(path), "byte": f"0x{data[e.start]:02X}", "position": e.start}
        if _looks_like_cp1251(data):
            raise ScenarioError(_("%(path)s is not UTF-8 text (byte %(byte)s at position %(position)s). It looks like "
                                  "Windows-1251 (Cyrillic). Save it as UTF-8 (in Notepad or Excel: Save As, encoding "
                                  "UTF-8)", **bad)) from None
        raise ScenarioError(_("%(path)s is not UTF-8 text (byte %(byte)s at position %(position)s). Save it as UTF-8 "
                              "(in Notepad or Excel: Save As, encoding UTF-8)", **bad)) from None


def _looks_like_cp1251(data: bytes) -> bool:
    """Tell a file that reads as Cyrillic in Windows-1251, the encoding Russian Windows saves in."""
    try:
        return bool(re.search("[а-яА-ЯёЁ]", data.decode("cp1251")))
    except UnicodeDecodeError:
        return False


def _refuse_constant(name):
    raise ValueError(_("%(name)s is not a number JSON allows; write a plain number", name=name))


def check_scenario(raw) -> Scenario:
    """Check a parsed scenario object and index it, its texts in the scenario's own language.

    Any text may be given in several languages, `{"ru": "…", "en": "…"}`; such a text must have
    the scenario's language (`exercise.language`, English if none), and `Scenario.in_language`
    gives the scenario in another."""
    if not isinstance(raw, dict):
        raise ScenarioError(_("the scenario must be a JSON object"))
    _refuse_unknown(raw, _("the scenario"), SECTIONS)
    exercise = raw.get("exercise")
    language = exercise.get("language") if isinstance(exercise, dict) else None
    if language is not None and not (isinstance(language, str) and LANGUAGE_CODE.match(language)):
        raise ScenarioError(_("%(where)s: 'language' must be a language code such as \"ru\" or \"en\", not %(value)s",
                              where=_("exercise"), value=_shown(language)))
    language = language or "en"
    found = set()
    try:
        _find_texts(raw, language, "", found)
        s = _checked(_in_language(raw, language, language))
    except RecursionError:
        raise ScenarioError(_("the scenario is nested too deeply to read")) from None
    # Copies only in the languages ExCon speaks: no page can ask for another.
    s.source, s.languages = raw, tuple(sorted((found & set(languages())) - {language}))
    for lang in s.languages:  # checked now, so that no page finds a broken translation later
        s.in_language(lang)
    return s


# The fields whose texts may differ between languages.  Ids, references, times and fixed values
# (delivery, schedule kinds, colours) are one for every language: a page in Russian sends the same
# ids as one in English.  A site's `kind` is a description ("sauna (brothel)"), a block's is a value.
TEXT_FIELDS = {"title", "description", "name", "label", "venue", "sponsor", "from", "to", "expected_actions",
               "controller_notes", "agencies", "note", "unit", "short", "agency", "country", "character", "cue",
               "text", "low", "high"}


def _find_texts(value, language: str, where: str, found: set, key=None) -> None:
    """Check every text given in several languages (it must have `language`, and be a text field's:
    `key` is the field the value is, or is an item of); collect the languages."""
    if _is_text_in_languages(value, language):
        if key not in TEXT_FIELDS and not (key == "kind" and where.startswith("sites[")):
            raise ScenarioError(_("%(where)s: only texts may be given in several languages; '%(key)s' is the same in "
                                  "every language", where=where, key=escaped(key)))
        if language not in value:
            raise ScenarioError(_("%(where)s: a text in several languages must have the scenario's language "
                                  "'%(language)s' (it has %(languages)s)", where=where or _("the scenario"),
                                  language=language, languages=", ".join(f"'{escaped(k)}'" for k in value)))
        found.update(value)
    elif isinstance(value, dict):
        for name, item in value.items():
            _find_texts(item, language, f"{where}.{name}" if where else str(name), found, name)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _find_texts(item, language, f"{where}[{i}]", found, key)


def _is_text_in_languages(value, language: str) -> bool:
    """Tell a text in several languages: an object of language codes to texts, one of them a language
    ExCon speaks or the scenario's (so that an object such as {"id": "club"} is not taken for one)."""
    return (isinstance(value, dict) and bool(value) and all(isinstance(k, str) and LANGUAGE_CODE.match(k) for k in value)
            and all(isinstance(v, str) for v in value.values()) and bool(set(value) & {*languages(), language}))


def _in_language(value, lang: str, language: str):
    """Return a copy of `value` whose texts in several languages are in `lang`, else in `language`."""
    if _is_text_in_languages(value, language):
        return value.get(lang) or value[language]
    if isinstance(value, dict):
        return {key: _in_language(item, lang, language) for key, item in value.items()}
    if isinstance(value, list):
        return [_in_language(item, lang, language) for item in value]
    return value


def _checked(raw: dict) -> Scenario:
    s = Scenario(raw=raw)
    _check_exercise(raw)
    s.days = _check_days(raw)
    s.sites = _index(raw, "sites", {"name": _text}, {"label": _text, "kind": _text, "description": _any_text},
                     also=("x", "y"))
    plan = raw["exercise"].get("map") or {"width": 1000, "height": 700}
    for site in s.sites.values():
        for axis, size in (("x", plan["width"]), ("y", plan["height"])):
            value = site.get(axis)
            where = _("site '%(site)s'", site=escaped(site["id"]))
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
                raise ScenarioError(_("%(where)s: %(axis)s must be a number (plan coordinate)", where=where, axis=axis))
            if not 0 <= value <= size:
                raise ScenarioError(_("%(where)s: %(axis)s %(value)s is off the plan (0–%(size)s: exercise.map)",
                                      where=where, axis=axis, value=value, size=size))
    s.teams = _index(raw, "teams", {"name": _text, "agencies": _text_list},
                     {"color": _colour, "home_site": _text, "short": _short})
    for team in s.teams.values():
        where = _("team '%(team)s'", team=escaped(team["id"]))
        if "home_site" in team and not _check_reference(team["home_site"], s.sites, where, "home_site"):
            raise ScenarioError(_("%(where)s: unknown home_site '%(site)s'", where=where,
                                  site=escaped(team["home_site"])))
    colours = [team["color"].lower() for team in s.teams.values() if "color" in team]
    twice = sorted({c for c in colours if colours.count(c) > 1})
    if twice:
        raise ScenarioError(_("teams: two teams have the colour %(colour)s: the map and the timeline tell teams apart by "
                              "colour", colour=twice[0]))
    _give_shorts(list(s.teams.values()))
    s.objectives = _index(raw, "objectives", {"title": _text, "tasks": _list}, {"description": _any_text})
    for obj in s.objectives.values():
        tasks = obj["tasks"]
        if not tasks:
            raise ScenarioError(_("%(where)s: tasks must be a non-empty list",
                                  where=_("objective '%(objective)s'", objective=escaped(obj["id"]))))
        for i, task in enumerate(tasks):
            where = _("objective '%(objective)s' task #%(number)s", objective=escaped(obj["id"]), number=i + 1)
            _check_entry(task, where, {"title": _text}, {"description": _any_text})  # the task's id: one alphabet too
            if task["id"] in s.tasks:
                raise ScenarioError(_("%(where)s: duplicate task id '%(task)s'", where=where, task=escaped(task["id"])))
            s.tasks[task["id"]] = obj["id"]
    s.action_types = _index(raw, "action_types", {"label": _text}, {})
    if "request_kinds" in raw:  # optional: without it a team's request is its own words only
        s.request_kinds = _index(raw, "request_kinds", {"label": _text}, {})
    if "actors" in raw:  # optional: the actors and the characters they play
        s.actors = _index(raw, "actors", {"name": _text, "character": _text}, {"contact": _any_text, "note": _any_text})
    s.injects = _index(raw, "injects", {
        "day": _whole, "time": _text, "title": _text, "description": _text, "teams": _text_list, "site": _text,
        "objectives": _text_list, "expected_actions": _any_text_list, "from": _text, "to": _text,
        "delivery": _text}, {"controller_notes": _any_text, "after": _object, "when": _object, "actor": _text,
                             "cue": _any_text, "outside_play": _bool})
    for inject in s.injects.values():
        _check_inject(inject, s)
    for inject in s.injects.values():
        _check_conditions(inject, s)
    for inject in s.injects.values():  # once every condition is checked for its own part
        _check_no_loop(inject, s, _("inject '%(inject)s'", inject=escaped(inject["id"])))
    if s.actors:
        _check_actor_names(raw, s)
    if "people" in raw:
        s.people = _index(raw, "people", {"name": _text, "role": _text},
                          {"team": _text, "agency": _any_text, "country": _any_text, "languages": _language_list})
        for person in s.people.values():
            _check_person(person, s)
    if "assignments" in raw:
        _check_assignments(raw["assignments"], s)
    if "feedback" in raw:
        _check_feedback(raw["feedback"])
    return s


def _check_feedback(entries) -> None:
    """The participants' questionnaires (see feedback.py): each answered daily or at the end, its questions
    a scale of 2 to 10 points (with words for its ends) or free text."""
    if not isinstance(entries, list):
        raise ScenarioError(_("'feedback' must be a list of questionnaires"))
    seen = set()
    for i, q in enumerate(entries):
        where = _("%(key)s entry #%(number)s", key="feedback", number=i + 1)
        _check_entry(q, where, {"title": _text, "when": _text, "questions": _list}, {"anonymous": _bool, "opens": _text})
        where = _("questionnaire '%(id)s'", id=escaped(q["id"]))
        if q["id"] in seen:
            raise ScenarioError(_("%(where)s: duplicate id '%(id)s'", where=where, id=escaped(q["id"])))
        seen.add(q["id"])
        if q["when"] not in WHEN:
            raise ScenarioError(_("%(where)s: 'when' must be daily or end, not %(value)s", where=where, value=_shown(q["when"])))
        if "opens" in q:
            _clock(q["opens"], where, "opens")
        if not q["questions"]:
            raise ScenarioError(_("%(where)s: 'questions' must be a non-empty list", where=where))
        ids = set()
        for j, question in enumerate(q["questions"]):
            qwhere = _("questionnaire '%(id)s' question #%(number)s", id=escaped(q["id"]), number=j + 1)
            _check_entry(question, qwhere, {"text": _text}, {"scale": _whole, "low": _text, "high": _text})
            if question["id"] in ids:
                raise ScenarioError(_("%(where)s: duplicate id '%(id)s'", where=qwhere, id=escaped(question["id"])))
            ids.add(question["id"])
            if "scale" in question and not SCALE_POINTS[0] <= question["scale"] <= SCALE_POINTS[1]:
                raise ScenarioError(_("%(where)s: 'scale' is the number of points, from 2 to 10, not %(value)s", where=qwhere,
                                      value=question["scale"]))
            if "scale" not in question and ("low" in question or "high" in question):
                raise ScenarioError(_("%(where)s: 'low' and 'high' name the ends of a scale: give 'scale' too", where=qwhere))


def _check_assignments(entries, s: Scenario) -> None:
    """The plan of who evaluates which teams, sites and objectives when (see assignments.py)."""
    if not isinstance(entries, list):
        raise ScenarioError(_("'assignments' must be a list of objects"))
    for i, entry in enumerate(entries):
        where = _("%(key)s entry #%(number)s", key="assignments", number=i + 1)
        if not isinstance(entry, dict):
            raise ScenarioError(_("%(where)s must be an object", where=where))
        _check_fields(entry, where, {"person": _text}, {"teams": _text_list, "sites": _text_list,
                                                          "objectives": _text_list, "day": _whole, "start": _text,
                                                          "end": _text})
        if not entry.get("teams") and not entry.get("sites"):
            raise ScenarioError(_("%(where)s: an assignment names the teams or the sites to watch", where=where))
        for key, table in (("teams", s.teams), ("sites", s.sites), ("objectives", s.objectives)):
            for value in entry.get(key) or []:  # a look-alike letter is named here; an unknown id below
                _check_reference(value, table, where, key[:-1])
        _check_reference(entry["person"], s.people, where, "person")
        wrong = check_assignment(entry, s)
        if wrong:
            raise ScenarioError(_("%(where)s: %(error)s", where=where, error=wrong[0]))


def _check_person(person: dict, s: Scenario) -> None:
    """A person has one of PERSON_ROLES; a participant, and only a participant, one known team."""
    where = _("person '%(person)s'", person=escaped(person["id"]))
    if person["id"] in ("director", "controller", "lead_evaluator", "observer", "screen", "participant") \
            or person["id"].startswith("team:"):  # "participant": who an anonymous answer is by (feedback.py)
        raise ScenarioError(_("%(where)s: a person's id may not be a role's name (an entry's 'by' is one or the "
                              "other)", where=where))
    if person["role"] not in PERSON_ROLES:
        raise ScenarioError(_("%(where)s: role '%(role)s' is not one of %(roles)s", where=where,
                              role=escaped(person["role"]), roles=", ".join(PERSON_ROLES)))
    if person["role"] == "participant" and "team" not in person:
        raise ScenarioError(_("%(where)s: a participant needs the 'team' they play in", where=where))
    if person["role"] != "participant" and "team" in person:
        raise ScenarioError(_("%(where)s: only a participant has a 'team' (evaluators are assigned, not members)",
                              where=where))
    if "team" in person and not _check_reference(person["team"], s.teams, where, "team"):
        raise ScenarioError(_("%(where)s: unknown team '%(team)s'", where=where, team=escaped(person["team"])))


# --- the types of a field: each returns None when the value is right, else what it must be (a Message
# completing "'…' must be …") -----------------------------------------------------------------------

def _text(value):
    return None if isinstance(value, str) and value.strip() else _("a non-empty text")


def _short(value):
    return None if isinstance(value, str) and 1 <= len(value.strip()) <= 3 else _("a text of one to three characters")


def _give_shorts(teams: list) -> None:
    """Give every team the one to three characters its map marker shows: its own `short`, else the
    start of the last word of its name ("Team Alpha" A, "Команда 2 «Арал»" А), three letters where
    two would read the same.  Two teams may not be given the same `short` by hand."""
    given = [t["short"].strip() for t in teams if "short" in t]
    twice = sorted({s for s in given if given.count(s) > 1})
    if twice:
        raise ScenarioError(_("teams: two teams have the short '%(short)s': each team's map marker needs its own",
                              short=escaped(twice[0])))
    derived = [t for t in teams if "short" not in t]
    for team in teams:
        team["short"] = team["short"].strip() if team not in derived else _last_word(team)[:1].upper()
    for team in derived:
        if [t["short"] for t in teams].count(team["short"]) > 1:
            team["short"] = _last_word(team)[:3]


def _last_word(team: dict) -> str:
    return "".join(c for c in team["name"].split()[-1] if c.isalnum()) or team["id"]


def _language_list(value):
    ok = isinstance(value, list) and all(isinstance(v, str) and LANGUAGE_CODE.match(v) for v in value)
    return None if ok else _("a list of language codes such as [\"ru\", \"en\"]")


def _any_text(value):
    return None if isinstance(value, str) else _("a text")


def _whole(value):
    return None if isinstance(value, int) and not isinstance(value, bool) else _("a whole number")


PLAYER_TEXTS = ("title", "description", "from", "to")  # an inject's texts the teams read
# The sections every reader gets (teams too); an objective's critical tasks' descriptions only the staff.
READ_BY_ALL = ("exercise", "days", "sites", "teams", "objectives", "action_types", "request_kinds")


def _check_actor_names(raw: dict, s: Scenario) -> None:
    """Refuse a text players read that names an actor's real name; warn of one evaluators read (an inject's
    expected actions and controller notes, a critical task's description): the actors are the control cell's."""
    def texts(value, key=None):
        if isinstance(value, str):
            yield key, value
        elif isinstance(value, dict):
            for name, item in value.items():
                if name != "id":
                    yield from texts(item, name)
        elif isinstance(value, list):
            for item in value:
                yield from texts(item, key)

    def named(text):
        return next((a for a in s.actors.values() if _names(text, a["name"])), None)

    for section in READ_BY_ALL:
        entries = raw.get(section)
        for i, entry in enumerate(entries if isinstance(entries, list) else [entries]):
            where = section if section == "exercise" else _("%(key)s entry #%(number)s", key=section, number=i + 1)
            for key, text in texts({k: v for k, v in entry.items() if not (section == "objectives" and k == "tasks")}):
                _refuse_actor(named(text), where, key)
            if section == "objectives":
                for task in entry.get("tasks", []):
                    for key, text in texts(task):
                        actor = named(text)
                        if key == "description" and actor:
                            s.warnings.append(_actor_warning(actor, where, key))
                        else:
                            _refuse_actor(actor, where, key)
    for inject in s.injects.values():
        where = _("inject '%(inject)s'", inject=escaped(inject["id"]))
        for key in PLAYER_TEXTS:
            _refuse_actor(named(inject[key]), where, key)
        for key, text in texts({k: inject.get(k) for k in ("expected_actions", "controller_notes")}):
            actor = named(text)
            if actor:
                s.warnings.append(_actor_warning(actor, where, key))


def _refuse_actor(actor: dict | None, where, key) -> None:
    if actor:
        raise ScenarioError(_("%(where)s: '%(key)s' names the actor %(name)s (actor '%(actor)s'), and players read "
                              "it: name the character they play instead", where=where, key=key, name=actor["name"],
                              actor=escaped(actor["id"])))


def _actor_warning(actor: dict, where, key):
    return _("%(where)s: '%(key)s' names the actor %(name)s, and evaluators read it (only the control cell reads the "
             "actors): say the character, or keep it to the cue", where=where, key=key, name=actor["name"])


def _names(text: str, name: str) -> bool:
    """Tell whether `text` holds a person's name: the whole name in any case, or its surname written as
    a name (capitalised, as a word: "May" is a surname, "may" a verb)."""
    surname = name.split()[-1]
    whole = re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", text.casefold())
    return bool(whole or (len(surname) >= 3 and re.search(rf"(?<!\w){re.escape(surname)}(?!\w)", text)))


def _bool(value):
    return None if isinstance(value, bool) else _("true or false")


def _object(value):
    return None if isinstance(value, dict) else _("an object")


def _list(value):
    return None if isinstance(value, list) else _("a list")


def _text_list(value):
    ok = isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
    return None if ok else _("a list of non-empty texts")


def _any_text_list(value):
    return None if isinstance(value, list) and all(isinstance(v, str) for v in value) else _("a list of texts")


def _colour(value):
    return None if isinstance(value, str) and _COLOUR.match(value) else _('a colour such as "#0072B2"')


def _check_fields(entry: dict, where, required: dict, optional: dict, also=()) -> None:
    """Refuse a missing required field, a field of the wrong type, or a field ExCon does not know (`also`:
    the entry's fields checked elsewhere); `where` (a Message) names the entry."""
    _refuse_unknown(entry, where, (*required, *optional, *also))
    for key in required:
        if key not in entry:
            raise ScenarioError(_("%(where)s: missing field '%(key)s'", where=where, key=key))
    for key, kind in {**required, **optional}.items():
        if key in entry:
            wrong = kind(entry[key])
            if wrong:
                raise ScenarioError(_("%(where)s: '%(key)s' must be %(expected)s, not %(value)s", where=where, key=key,
                                      expected=wrong, value=_shown(entry[key])))


def _refuse_unknown(entry: dict, where, known) -> None:
    """Refuse a field ExCon does not read: a typo ("titel") or a wish ("depends_on") would otherwise be
    ignored without a word.  Suggest the nearest known field."""
    for key in entry:
        if key in known:
            continue
        close = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.6)
        if close:
            raise ScenarioError(_("%(where)s: unknown field '%(key)s' (did you mean '%(close)s'?)", where=where,
                                  key=escaped(key), close=close[0]))
        raise ScenarioError(_("%(where)s: unknown field '%(key)s' (known: %(known)s)", where=where, key=escaped(key),
                              known=", ".join(known)))


def _scripts(text: str) -> dict:
    """Return {"LATIN": [(position, letter)], "CYRILLIC": […]} for the letters of `text` (1-based positions)."""
    found = {}
    for i, letter in enumerate(text, 1):
        if letter.isalpha():
            script = unicodedata.name(letter, "").split(" ")[0]
            if script in ("LATIN", "CYRILLIC"):
                found.setdefault(script, []).append((i, letter))
    return found


def _check_one_alphabet(value: str, where) -> None:
    """Refuse an id that mixes Latin and Cyrillic letters: "obj-zhertvа" (its last letter Cyrillic) reads
    the same as "obj-zhertva" but is another id.  Name the odd letters."""
    scripts = _scripts(value)
    if len(scripts) < 2:
        return
    fewer = min(scripts, key=lambda s: len(scripts[s]))
    letters = ", ".join(f"'{letter}' ({i})" for i, letter in scripts[fewer][:5])
    if fewer == "CYRILLIC":
        raise ScenarioError(_("%(where)s: id '%(id)s' mixes Latin and Cyrillic letters: Cyrillic %(letters)s (its "
                              "place in the id); retype it in one alphabet", where=where, id=escaped(value), letters=letters))
    raise ScenarioError(_("%(where)s: id '%(id)s' mixes Latin and Cyrillic letters: Latin %(letters)s (its place in "
                          "the id); retype it in one alphabet", where=where, id=escaped(value), letters=letters))


# Cyrillic letters that look like Latin ones: an id typed on a Russian keyboard layout by mistake.
_LOOKALIKE = str.maketrans("аеорсухкмтвнАВЕКМНОРСТХУ", "aeopcyxkmtbhABEKMHOPCTXY")


def _check_reference(value: str, table: dict, where, field_name: str) -> bool:
    """Refuse a reference that is not a known id only because of a look-alike letter, naming the letters;
    return whether it is known (the caller refuses an unknown one in its own words)."""
    if value in table:
        return True
    for known in table:
        if value.translate(_LOOKALIKE) == known.translate(_LOOKALIKE):
            odd = ", ".join(f"'{a}' ({i})" for i, (a, b) in enumerate(zip(value, known, strict=True), 1) if a != b)
            raise ScenarioError(_("%(where)s: %(field)s '%(value)s' is not '%(known)s', though it looks the same: its "
                                  "letters %(letters)s (their place in the id) are from another alphabet", where=where,
                                  field=field_name,
                                  value=escaped(value), known=escaped(known), letters=odd))
    return False


def _shown(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "…"


def _check_exercise(raw) -> None:
    exercise = raw.get("exercise")
    if not isinstance(exercise, dict):
        raise ScenarioError(_("missing field 'exercise': an object with at least 'id' and 'title'"))
    _check_fields(exercise, _("exercise"), {"id": _text, "title": _text},
                  {"description": _any_text, "language": _text, "venue": _any_text, "sponsor": _any_text, "map": _map})
    _check_one_alphabet(exercise["id"], _("exercise"))


def _map(value):
    if not isinstance(value, dict) or set(value) - {"width", "height", "unit", "note"}:
        return _("an object with 'width' and 'height' (and optionally 'unit' and 'note')")
    for key in ("width", "height"):
        size = value.get(key)
        if not isinstance(size, (int, float)) or isinstance(size, bool) or not math.isfinite(size) or size <= 0:
            return _("an object whose '%(key)s' is a positive number", key=key)
    return None


def _check_days(raw) -> dict:
    days = raw.get("days")
    if not isinstance(days, list) or not days:
        raise ScenarioError(_("missing field 'days': a non-empty list of exercise days"))
    by_number = {}
    for i, day in enumerate(days):
        where = _("%(key)s entry #%(number)s", key="days", number=i + 1)
        if not isinstance(day, dict):
            raise ScenarioError(_("%(where)s must be an object", where=where))
        number = day.get("day")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise ScenarioError(_("%(where)s: 'day' must be a whole number from 1", where=where))
        if number in by_number:
            raise ScenarioError(_("%(where)s: duplicate day %(day)s", where=where, day=number))
        dwhere = _("day %(day)s", day=number)
        _check_fields(day, dwhere, {"title": _text, "schedule": _list}, {}, also=("day",))
        schedule = day["schedule"]
        if not schedule:
            raise ScenarioError(_("%(where)s: missing field 'schedule' (a non-empty list)", where=dwhere))
        previous_end = -1
        for j, block in enumerate(schedule):
            bwhere = _("day %(day)s schedule #%(number)s", day=number, number=j + 1)
            if not isinstance(block, dict):
                raise ScenarioError(_("%(where)s must be an object", where=bwhere))
            _check_fields(block, bwhere, {"start": _text, "end": _text, "kind": _text, "title": _any_text}, {})
            start = _clock(block["start"], bwhere, "start")
            end = _clock(block["end"], bwhere, "end")
            if end <= start or start < previous_end:
                raise ScenarioError(_("%(where)s: times out of order (%(start)s–%(end)s)", where=bwhere,
                                      start=block["start"], end=block["end"]))
            if block["kind"] not in SCHEDULE_KINDS:
                raise ScenarioError(_("%(where)s: kind must be one of %(kinds)s", where=bwhere,
                                      kinds=", ".join(SCHEDULE_KINDS)))
            previous_end = end
        by_number[number] = day
    if sorted(by_number) != list(range(1, len(by_number) + 1)):
        raise ScenarioError(_("days must be numbered 1, 2, 3 … without gaps"))
    return by_number


def _index(raw, key, required: dict, optional: dict, also=()) -> dict:
    entries = raw.get(key)
    if not isinstance(entries, list) or not entries:
        raise ScenarioError(_("missing field '%(key)s': a non-empty list of objects with a string 'id'", key=key))
    by_id = {}
    for i, entry in enumerate(entries):
        where = _("%(key)s entry #%(number)s", key=key, number=i + 1)
        _check_entry(entry, where, required, optional, also)
        if entry["id"] in by_id:
            raise ScenarioError(_("%(where)s: duplicate id '%(id)s'", where=where, id=escaped(entry["id"])))
        by_id[entry["id"]] = entry
    return by_id


def _check_entry(entry, where, required: dict, optional: dict, also=()):
    if not isinstance(entry, dict):
        raise ScenarioError(_("%(where)s must be an object", where=where))
    if not isinstance(entry.get("id"), str) or not entry["id"].strip():
        raise ScenarioError(_("%(where)s: missing string field 'id'", where=where))
    _check_one_alphabet(entry["id"], where)
    _check_fields(entry, _("%(where)s ('%(id)s')", where=where, id=escaped(entry["id"])), required, optional,
                  also=("id", *also))


def _clock(value, where, name) -> int:
    """Return the seconds of a time of day; refuse it naming `where` and the field (`name`: the JSON key,
    or a Message)."""
    try:
        return parse_clock_time(value)
    except ValueError as e:
        raise ScenarioError(_("%(where)s: %(field)s %(error)s", where=where, field=name, error=e.args[0])) from None


def _check_inject(inject, s: Scenario):
    where = _("inject '%(inject)s'", inject=escaped(inject["id"]))
    day = inject["day"]
    if day not in s.days:
        raise ScenarioError(_("%(where)s: day %(day)s out of range (1–%(last)s)", where=where, day=day, last=len(s.days)))
    seconds = _clock(inject["time"], where, "time")
    schedule = s.days[day]["schedule"]
    first = _clock(schedule[0]["start"], where, _("day start"))
    last = _clock(schedule[-1]["end"], where, _("day end"))
    if not first <= seconds <= last:
        raise ScenarioError(_("%(where)s: time %(time)s out of range for day %(day)s (%(start)s–%(end)s)", where=where,
                              time=inject["time"], day=day, start=schedule[0]["start"], end=schedule[-1]["end"]))
    block = next((b for b in schedule if _clock(b["start"], where, "start") <= seconds < _clock(b["end"], where, "end")),
                 None)
    if (block is None or block["kind"] != "play") and not inject.get("outside_play"):  # on purpose: no warning
        s.warnings.append(_("%(where)s: at day %(day)s %(time)s, outside the day's play blocks (%(block)s)", where=where,
                            day=day, time=inject["time"], block=f"{block['kind']} {block['start']}–{block['end']}"
                            if block else "–"))
    if not inject["teams"]:
        raise ScenarioError(_("%(where)s: teams must be a non-empty list of team ids", where=where))
    for team in inject["teams"]:
        if not _check_reference(team, s.teams, where, "team"):
            raise ScenarioError(_("%(where)s: unknown team '%(team)s'", where=where, team=escaped(team)))
    if not _check_reference(inject["site"], s.sites, where, "site"):
        raise ScenarioError(_("%(where)s: unknown site '%(site)s'", where=where, site=escaped(inject["site"])))
    for obj in inject["objectives"]:
        if not _check_reference(obj, s.objectives, where, "objective"):
            raise ScenarioError(_("%(where)s: unknown objective '%(objective)s'", where=where, objective=escaped(obj)))
    # `to` is the players' text; a team it names must be one the inject goes to.
    for team_id, team in s.teams.items():  # as a whole name: "Команда 1" is not in "Команда 10"
        named = re.search(rf"(?<!\w){re.escape(team['name'].casefold())}(?!\w)", inject["to"].casefold())
        if team_id not in inject["teams"] and named:
            raise ScenarioError(_("%(where)s: 'to' names %(team)s, which is not among its teams (%(teams)s)",
                                  where=where, team=team["name"], teams=", ".join(inject["teams"])))
    if "actor" in inject and not _check_reference(inject["actor"], s.actors, where, "actor"):
        raise ScenarioError(_("%(where)s: unknown actor '%(actor)s' (the scenario's 'actors' list)", where=where,
                              actor=escaped(inject["actor"])))
    if "cue" in inject and "actor" not in inject:
        raise ScenarioError(_("%(where)s: a 'cue' is for the actor who delivers the inject: name the 'actor' too",
                              where=where))
    if inject["delivery"] not in DELIVERY_METHODS:
        raise ScenarioError(_("%(where)s: delivery '%(delivery)s' is not one of %(methods)s", where=where,
                              delivery=escaped(inject["delivery"]), methods=", ".join(DELIVERY_METHODS)))


MAX_CONDITION_MINUTES = 24 * 60  # an inject follows its condition by at most a day


def _check_conditions(inject: dict, s: Scenario) -> None:
    """An inject may follow another (`after`: {inject, minutes}) and wait for each team's own play
    (`when`: {action_type | answers, minutes}).  Each inject or action it waits for must be one every
    team of the inject can meet: else that team would wait for ever.  No chain may come round to itself."""
    where = _("inject '%(inject)s'", inject=escaped(inject["id"]))
    if "after" in inject:
        after = inject["after"]
        awhere = _("%(where)s 'after'", where=where)
        _check_fields(after, awhere, {"inject": _text}, {"minutes": _minutes})
        _check_followed(after["inject"], inject, s, awhere)
    if "when" in inject:
        when = inject["when"]
        wwhere = _("%(where)s 'when'", where=where)
        _check_fields(when, wwhere, {}, {"action_type": _text, "answers": _text, "minutes": _minutes})
        if ("action_type" in when) == ("answers" in when):
            raise ScenarioError(_("%(where)s: give either 'action_type' (the team logs an action of that type) or "
                                  "'answers' (the team answers that inject), one of them", where=wwhere))
        if "action_type" in when and not _check_reference(when["action_type"], s.action_types, wwhere, "action_type"):
            raise ScenarioError(_("%(where)s: unknown action type '%(action_type)s'", where=wwhere,
                                  action_type=escaped(when["action_type"])))
        if "answers" in when:
            _check_followed(when["answers"], inject, s, wwhere)


def _check_no_loop(inject: dict, s: Scenario, where) -> None:
    """Refuse a chain of conditions that comes round to `inject`: it would never fall due."""
    todo, seen = [(p, [inject["id"], p]) for p in _followed(inject)], set()
    while todo:
        current, chain = todo.pop()
        if current == inject["id"]:
            raise ScenarioError(_("%(where)s waits for itself: %(chain)s", where=where, chain=" → ".join(chain)))
        if current in seen or current not in s.injects:
            continue
        seen.add(current)
        todo += [(p, [*chain, p]) for p in _followed(s.injects[current])]


def _followed(inject: dict) -> list:
    """Return the ids of the injects an inject waits for (its `after`, its `when` answers)."""
    return [c.get("inject") or c.get("answers") for c in (inject.get("after"), inject.get("when"))
            if isinstance(c, dict) and (c.get("inject") or c.get("answers"))]


def _check_followed(parent: str, inject: dict, s: Scenario, where) -> None:
    """Refuse a followed inject that is unknown, the inject itself, or not sent to all of its teams."""
    if not _check_reference(parent, s.injects, where, "inject"):
        raise ScenarioError(_("%(where)s: unknown inject '%(inject)s'", where=where, inject=escaped(parent)))
    if parent == inject["id"]:
        raise ScenarioError(_("%(where)s: an inject cannot wait for itself", where=where))
    missing = [t for t in inject["teams"] if t not in s.injects[parent]["teams"]]
    if missing:
        raise ScenarioError(_("%(where)s: inject '%(inject)s' does not go to team %(team)s, which would wait for it for "
                              "ever", where=where, inject=escaped(parent), team=escaped(missing[0])))


def _minutes(value):
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_CONDITION_MINUTES
    return None if ok else _("a whole number of minutes from 0 to %(most)s", most=MAX_CONDITION_MINUTES)


def conditions(inject: dict) -> list[dict]:
    """Return what an inject waits for, each team on its own: [{"after": id, "minutes"}, {"action_type": id,
    "minutes"} or {"answers": id, "minutes"}] ([] for an inject that falls due at its time alone)."""
    found = []
    if "after" in inject:
        found.append({"after": inject["after"]["inject"], "minutes": inject["after"].get("minutes", 0)})
    if "when" in inject:
        when = inject["when"]
        key = "action_type" if "action_type" in when else "answers"
        found.append({key: when[key], "minutes": when.get("minutes", 0)})
    return found


def describe_conditions(inject: dict, s: Scenario) -> list:
    """Return what an inject waits for in words (Messages), for the printed run sheet."""
    found = []
    for condition in conditions(inject):
        if "after" in condition:
            text = _("after %(inject)s", inject=condition["after"])
        elif "answers" in condition:
            text = _("when the team answers %(inject)s", inject=condition["answers"])
        else:
            text = _("when the team logs “%(action)s”", action=s.action_types[condition["action_type"]]["label"])
        found.append(_("%(condition)s +%(minutes)s min", condition=text, minutes=condition["minutes"])
                     if condition["minutes"] else text)
    return found
