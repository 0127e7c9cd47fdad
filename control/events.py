"""The event kinds, one small dataclass each, and the check of a submitted payload against them.

A payload is `{id, kind, observed_at?, …fields}`.  `parse_payload` checks its shape and types and
that every id it names exists in the scenario; checks that need the live exercise (is the inject
released? does the correction's target exist?) live in `exercise.py`, the one write path.
"""

import functools
import math
import uuid
from dataclasses import MISSING, dataclass, fields
from typing import ClassVar, get_type_hints

from .assignments import check_assignment
from .feedback import FeedbackError, check_answers
from .i18n import N_, Message, _
from .photos import PhotoError, check_names
from .scenario import DELIVERY_METHODS, Scenario
from .timefmt import escaped, iso, parse_clock_time, parse_iso, placed_time  # noqa: F401 (placed_time: read from here too)

TEXT_LIMIT = 10_000  # characters in a free-text field
ID_LIMIT = 100  # characters in an id field
LIST_LIMIT = 50  # ids in a list field (an exercise has a few teams, sites and objectives)
ENVELOPE = ("id", "kind", "observed_at")
SERVER_FIELDS = ("seq", "ts", "exercise_time", "observed_time", "role", "by")
# every event has these (`by`: the person who logged it, or the shared code's role; logs from before
# the roster lack it; `observed_time`: the exercise time at `observed_at`, where the entry belongs on
# timelines — an entry kept offline for an hour arrives an hour after it was made)
STORED_ENVELOPE = ("seq", "id", "kind", "ts", "exercise_time", "observed_at", "observed_time", "role", "by", "conn")
FUTURE_TOLERANCE = 120  # seconds an `observed_at` may be ahead of the server's clock (the phones set theirs by it)
SENT_LATE_AFTER = 2  # minutes between observation and storing from which the screens say "sent N min later"
RATINGS = {  # HSEEP's wording; shown through the catalogs (docs/glossary.md has the Russian)
    "P": N_("Performed without challenges"),
    "S": N_("Performed with some challenges"),
    "M": N_("Performed with major challenges"),
    "U": N_("Unable to be performed"),
}
TAGS = ("strength", "improvement")
CLOCK_OPS = ("start", "pause", "resume", "end")
MAX_CLOCK_RATE = 3600


MAX_DEPTH = 8  # nesting of lists and objects in a payload; no kind needs more than 2
INT64 = 2**63  # SQLite and JSON readers elsewhere hold whole numbers in 64 bits


class InvalidEvent(ValueError):
    """A payload that must not be stored; the message is one plain sentence for the sender.

    `message` is a Message (made with `_`), rendered in the sender's language where it is answered;
    `field` names the payload field it is about, where there is one, so that a form can show the
    error next to that field."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Undecodable:
    """What the transport hands over for a message it could not decode (see wire_json.py)."""

    def __init__(self, reason: str):
        self.reason = reason


def check_storable(value, field=None, depth=0, key=False) -> None:
    """Refuse what SQLite or a JSON reader cannot hold: lone UTF-16 surrogates, whole numbers
    beyond 64 bits, deep nesting.  Checked before a submit joins a group commit, so that one bad
    entry can never fail the commit of the others.

    field: the payload's field `value` is, or is within (None: the payload itself); key: `value` is a
    field name."""
    if depth > MAX_DEPTH:
        raise InvalidEvent(_("%(where)s is nested too deeply (at most %(levels)s levels)",
                             where=_where(field, key), levels=MAX_DEPTH), field=field)
    if isinstance(value, str):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidEvent(_("%(where)s contains an invalid character (a lone UTF-16 surrogate)",
                                     where=_where(field, key)), field=field) from None
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidEvent(_("%(where)s holds a number that is not finite", where=_where(field, key)), field=field)
    elif isinstance(value, int):
        if not -INT64 <= value < INT64:
            raise InvalidEvent(_("%(where)s holds a number too large to store", where=_where(field, key)), field=field)
    elif isinstance(value, dict):
        for name, item in value.items():
            check_storable(name, field, depth + 1, key=True)
            check_storable(item, str(name)[:50] if depth == 0 else field, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_storable(item, field, depth + 1)


def _where(field, key: bool) -> Message:
    """Name what check_storable refuses, as the subject of its sentence."""
    if key:
        return _("a field name")
    return _("the payload") if field is None else _("field '%(field)s'", field=escaped(field))


def unknown_id(attr: str, value) -> Message:
    """Return the refusal of an id the scenario does not know: one whole sentence for each kind of id."""
    value = escaped(value)
    if attr == "team":
        return _("unknown team '%(team)s'", team=value)
    if attr == "site":
        return _("unknown site '%(site)s'", site=value)
    if attr == "objective":
        return _("unknown objective '%(objective)s'", objective=value)
    if attr == "inject":
        return _("unknown inject '%(inject)s'", inject=value)
    return _("unknown action type '%(action_type)s'", action_type=value)


def check_day_and_time(kind, scenario) -> None:
    """Refuse an exercise `day` without its `time` (or the other way), a day the scenario does not have,
    or a time that is not HH:MM."""
    if (kind.day is None) != (kind.time is None):
        raise InvalidEvent(_("day and time go together"), field="day" if kind.day is None else "time")
    if kind.day is None:
        return
    if kind.day not in scenario.days:
        raise InvalidEvent(_("day %(day)s out of range (1–%(last)s)", day=kind.day, last=len(scenario.days)), field="day")
    try:
        parse_clock_time(kind.time)
    except ValueError as e:
        raise InvalidEvent(_("%(field)s %(error)s", field="time", error=e.args[0]), field="time") from None


def check_rating(kind, scenario) -> None:
    """Refuse a rating that is not P, S, M or U, or a critical task not of the rated objective."""
    if kind.rating not in RATINGS:
        raise InvalidEvent(_("rating must be one of P, S, M, U"), field="rating")
    if kind.task is not None and scenario.tasks.get(kind.task) != kind.objective:
        raise InvalidEvent(_("unknown critical task '%(task)s' for objective '%(objective)s'",
                             task=escaped(kind.task), objective=escaped(kind.objective)), field="task")


@dataclass
class Kind:
    """Base of the event kinds: `name` is the `kind` on the wire."""

    name: ClassVar[str]
    text_fields: ClassVar[tuple] = ()  # free text: up to TEXT_LIMIT, may be long

    def check(self, scenario: Scenario) -> None:
        """Refuse ids the scenario does not know."""
        for attr, table in (("team", scenario.teams), ("site", scenario.sites), ("objective", scenario.objectives),
                            ("action_type", scenario.action_types)):
            value = getattr(self, attr, None)
            if value is not None and value not in table:
                raise InvalidEvent(unknown_id(attr, value), field=attr)
        if getattr(self, "photos", None) is not None:
            try:
                check_names(self.photos)
            except PhotoError as e:
                raise InvalidEvent(e.message, field="photos") from None

    def fields(self) -> dict:
        """Return the kind's fields that are set, for storing at the top level of the event."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


@dataclass
class Action(Kind):
    """Something a team did, logged by the team or by a controller for it."""

    name = "action"
    text_fields = ("text",)
    team: str
    action_type: str
    site: str
    text: str
    inject: str | None = None  # the released inject this action answers
    photos: list | None = None  # photo names (photos.py): stored before the entry


@dataclass
class Move(Kind):
    """A team is now at a site."""

    name = "move"
    team: str
    site: str


@dataclass
class InjectRelease(Kind):
    """Control releases an MSEL inject to its target teams, or an ad-hoc inject written on the spot.

    For an MSEL inject `inject` is sent, and `teams` when it goes to some of its teams only (the others
    later: teams that play at their own pace, a conditional inject due for one team); the server copies
    the player-facing part of the MSEL row into the event.  An ad-hoc inject sets `adhoc: true`, a new `inject` id, and its own
    `title`, `description` and `teams` (optional `site` and `delivery`).
    """

    name = "inject"
    text_fields = ("title", "description")
    inject: str
    adhoc: bool | None = None
    title: str | None = None
    description: str | None = None
    teams: list | None = None
    site: str | None = None
    delivery: str | None = None

    def check(self, scenario):
        own = ("title", "description", "teams", "site", "delivery")
        if not self.adhoc:
            if self.inject not in scenario.injects:
                raise InvalidEvent(_("unknown inject '%(inject)s' (an ad-hoc inject needs adhoc: true)",
                                     inject=escaped(self.inject)), field="inject")
            given = [f for f in own if getattr(self, f) is not None and f != "teams"]
            if given:
                raise InvalidEvent(_("field '%(field)s' comes from the MSEL; only ad-hoc injects set it", field=given[0]),
                                   field=given[0])
            if self.teams is not None:
                self._check_teams(scenario, scenario.injects[self.inject]["teams"])
            return
        if self.inject in scenario.injects:
            raise InvalidEvent(_("inject id '%(inject)s' is already in the MSEL; give the ad-hoc inject a new id",
                                 inject=escaped(self.inject)), field="inject")
        for required in ("title", "description", "teams"):
            if getattr(self, required) is None:
                raise InvalidEvent(_("missing field '%(field)s' for an ad-hoc inject", field=required), field=required)
        self._check_teams(scenario, scenario.teams)
        if self.site is not None and self.site not in scenario.sites:
            raise InvalidEvent(unknown_id("site", self.site), field="site")
        if self.delivery is not None and self.delivery not in DELIVERY_METHODS:
            raise InvalidEvent(_("delivery must be one of %(methods)s", methods=", ".join(DELIVERY_METHODS)),
                               field="delivery")

    def _check_teams(self, scenario, allowed) -> None:
        """Refuse an empty list of teams, a team named twice, or one not in `allowed` (the MSEL row's teams)."""
        if not self.teams:
            raise InvalidEvent(_("field 'teams' must name at least one team"), field="teams")
        for team in self.teams:
            if team not in scenario.teams:
                raise InvalidEvent(unknown_id("team", team), field="teams")
            if team not in allowed:
                raise InvalidEvent(_("inject %(inject)s does not go to team %(team)s (MSEL: %(teams)s)",
                                     inject=escaped(self.inject), team=escaped(team), teams=", ".join(allowed)),
                                   field="teams")
        if len(set(self.teams)) != len(self.teams):
            raise InvalidEvent(_("field 'teams' names a team twice"), field="teams")


@dataclass
class InjectSkip(Kind):
    """Control skips an MSEL inject, with the reason."""

    name = "inject_skip"
    text_fields = ("reason",)
    inject: str
    reason: str

    def check(self, scenario):
        if self.inject not in scenario.injects:
            raise InvalidEvent(unknown_id("inject", self.inject), field="inject")


@dataclass
class InjectDefer(InjectSkip):
    """Control defers an MSEL inject, with the reason; it can be released later.  With `day` and
    `time` it falls due then (the board shows it at its new time, overdue from there)."""

    name = "inject_defer"
    day: int | None = None
    time: str | None = None

    def check(self, scenario):
        super().check(scenario)
        check_day_and_time(self, scenario)


@dataclass
class InjectRecall(Kind):
    """Control recalls an inject released by mistake: the teams see it withdrawn by control, and it is
    back on the board, still to do (release it again, skip or defer it).  The server fills in `teams`
    (those it was released to); what the teams answered meanwhile stays in the log."""

    name = "inject_recall"
    text_fields = ("reason",)
    inject: str
    reason: str
    teams: list | None = None

    def check(self, scenario):
        if self.teams is not None:
            raise InvalidEvent(_("field 'teams' comes from the release; send only the inject and the reason"),
                               field="teams")


MAX_SHIFT = 24 * 60  # minutes a schedule shift may move the injects still to do, either way


@dataclass
class ScheduleShift(Kind):
    """Control moves every inject still to do that falls due at or after exercise `day` and `time` by
    `minutes` (later; negative: earlier): play runs behind, or ahead, of the MSEL."""

    name = "schedule_shift"
    text_fields = ("reason",)
    day: int
    time: str
    minutes: int
    reason: str

    def check(self, scenario):
        check_day_and_time(self, scenario)
        if not self.minutes:
            raise InvalidEvent(_("minutes must not be 0: a shift moves the injects by some minutes"), field="minutes")
        if not -MAX_SHIFT <= self.minutes <= MAX_SHIFT:
            raise InvalidEvent(_("minutes must be a whole number from -%(most)s to %(most)s", most=MAX_SHIFT),
                               field="minutes")


@dataclass
class Request(Kind):
    """A team asks the control cell for something the play needs: bank records, an interpreter, a
    warrant, a lab result … (`request_kind`, from the scenario's list; none: the text says what)."""

    name = "request"
    text_fields = ("text",)
    team: str
    text: str
    request_kind: str | None = None
    site: str | None = None

    def check(self, scenario):
        super().check(scenario)
        if self.request_kind is not None and self.request_kind not in scenario.request_kinds:
            raise InvalidEvent(_("unknown request kind '%(request_kind)s'", request_kind=escaped(self.request_kind)),
                               field="request_kind")


@dataclass
class RequestAnswer(Kind):
    """The control cell answers a team's request (`request`: its id), in words and, where the answer
    is an inject, with that inject released to the team.  The server fills in `team`."""

    name = "request_answer"
    text_fields = ("text",)
    request: str
    text: str
    inject: str | None = None
    team: str | None = None

    def check(self, scenario):
        if self.team is not None:
            raise InvalidEvent(_("field 'team' comes from the request; send the request's id and the answer"),
                               field="team")


@dataclass
class Evaluation(Kind):
    """An evaluator's HSEEP rating of a team against an objective or one of its critical tasks."""

    name = "evaluation"
    text_fields = ("note",)
    objective: str
    team: str
    rating: str
    note: str
    task: str | None = None
    site: str | None = None
    inject: str | None = None
    tag: str | None = None
    bookmark: bool | None = None  # mark the moment for the debrief
    photos: list | None = None  # photo names (photos.py): stored before the entry
    for_report: bool | None = None  # key evidence: the report's strengths and areas for improvement come from these
    theme: str | None = None  # what it is about, in a few words ("interpreters"): the report groups by it

    def check(self, scenario):
        super().check(scenario)
        check_rating(self, scenario)
        if self.tag is not None and self.tag not in TAGS:
            raise InvalidEvent(_("tag must be 'strength' or 'improvement'"), field="tag")


@dataclass
class AgreedRating(Kind):
    """The one rating of a team against an objective (or one of its critical tasks) that the
    evaluators agree on, recorded by the lead evaluator or the director with its rationale: the
    report's rating, the observations its evidence."""

    name = "agreed_rating"
    text_fields = ("rationale",)
    objective: str
    team: str
    rating: str
    rationale: str
    task: str | None = None

    def check(self, scenario):
        super().check(scenario)
        check_rating(self, scenario)


@dataclass
class Assignment(Kind):
    """The director or a lead evaluator assigns an evaluator to teams, sites and objectives, live:
    for a `day` (and `start`–`end`), else from now to the end of today.  No team and no site: the
    evaluator is released for that time.  See assignments.py for how it meets the scenario's plan."""

    name = "assignment"
    person: str
    teams: list | None = None
    sites: list | None = None
    objectives: list | None = None
    day: int | None = None
    start: str | None = None
    end: str | None = None

    def check(self, scenario):
        wrong = check_assignment(self.fields(), scenario)
        if wrong:
            raise InvalidEvent(wrong[0], field=wrong[1])


@dataclass
class Note(Kind):
    """A staff note; `bookmark: true` marks the moment for the debrief."""

    name = "note"
    text_fields = ("text",)
    text: str
    team: str | None = None
    site: str | None = None
    bookmark: bool | None = None
    photos: list | None = None


@dataclass
class Safety(Kind):
    """A real-world safety alert — never part of play.  Text is optional: never refuse an alarm for want of words."""

    name = "safety"
    text_fields = ("text",)
    text: str = ""
    site: str | None = None


@dataclass
class Feedback(Kind):
    """A participant's answers to one of the scenario's questionnaires (feedback.py): {question id: a
    point of its scale, or text}; `day` for a daily one."""

    name = "feedback"
    questionnaire: str
    answers: dict
    day: int | None = None

    def check(self, scenario):
        try:
            self.answers = check_answers(scenario, self.questionnaire, self.day, self.answers, TEXT_LIMIT)
        except FeedbackError as e:
            raise InvalidEvent(e.message, field=e.field) from None


@dataclass
class Clock(Kind):
    """Start, pause, resume or end the exercise clock.

    start and resume may set the exercise `day` and `time` (a time jump) and a `rate`: exercise
    seconds per real second, for compressed-time drills and the demo (default 1).
    """

    name = "clock"
    text_fields = ("reason",)
    op: str
    day: int | None = None
    time: str | None = None
    rate: int | None = None
    reason: str | None = None  # why: a pause's "lunch", "safety stop at the farm" … (shown with the state)

    def check(self, scenario):
        if self.op not in CLOCK_OPS:
            raise InvalidEvent(_("op must be one of start, pause, resume, end"), field="op")
        if self.rate is not None:
            if self.op not in ("start", "resume"):
                raise InvalidEvent(_("only start and resume may set the clock rate"), field="rate")
            if not 1 <= self.rate <= MAX_CLOCK_RATE:
                raise InvalidEvent(_("rate must be a whole number from 1 to %(most)s", most=MAX_CLOCK_RATE), field="rate")
        if self.day is not None and self.op not in ("start", "resume"):
            raise InvalidEvent(_("only start and resume may set the exercise day and time"), field="day")
        check_day_and_time(self, scenario)


@dataclass
class SafetyAck(Kind):
    """The director acknowledges a safety alert; the alarm stops on every screen."""

    name = "safety_ack"
    text_fields = ("text",)
    target: str
    text: str = ""


@dataclass
class Retract(Kind):
    """Withdraw an earlier event; it stays in the log but no longer counts."""

    name = "retract"
    text_fields = ("reason",)
    target: str
    reason: str


@dataclass
class Amend(Kind):
    """Correct fields of an earlier event; the corrected fields sit at the top level beside `target`."""

    name = "amend"
    text_fields = ("reason",)
    target: str
    reason: str | None = None


KINDS = {k.name: k for k in (Action, Move, InjectRelease, InjectSkip, InjectDefer, InjectRecall, ScheduleShift, Request,
                             RequestAnswer, Evaluation, AgreedRating, Note, Safety, SafetyAck, Clock, Assignment, Feedback,
                             Retract, Amend)}
# kinds a retract or amend may target
CORRECTABLE = ("action", "move", "request", "evaluation", "agreed_rating", "note", "assignment")
# kind -> the status it gives an inject
INJECT_STATUS = {"inject": "released", "inject_skip": "skipped", "inject_defer": "deferred", "inject_recall": "recalled"}


@dataclass
class Submission:
    """A checked payload: envelope plus the kind's fields (and an amend's changes)."""

    id: str
    kind: str
    observed_at: str | None
    fields: dict
    changes: dict | None = None  # amend only: the corrected fields


def parse_payload(payload, scenario: Scenario) -> Submission:
    """Check a submitted payload's shape, types and scenario ids; raise InvalidEvent if anything is off."""
    if isinstance(payload, Undecodable):
        raise InvalidEvent(payload.reason)
    if not isinstance(payload, dict):
        raise InvalidEvent(_("the payload must be a JSON object"))
    check_storable(payload)
    event_id = _check_id(payload.get("id"))
    kind_name = payload.get("kind")
    if not isinstance(kind_name, str):
        raise InvalidEvent(_("missing field 'kind'"), field="kind")
    cls = KINDS.get(kind_name)
    if cls is None:
        raise InvalidEvent(_("unknown kind '%(kind)s'; known kinds: %(kinds)s", kind=escaped(kind_name[:50]),
                             kinds=", ".join(KINDS)), field="kind")
    observed_at = payload.get("observed_at")
    if observed_at is not None:
        try:
            observed_at = iso(parse_iso(observed_at))
        except ValueError as e:
            raise InvalidEvent(_("%(field)s %(error)s", field="observed_at", error=e.args[0]), field="observed_at") from None
    for key in SERVER_FIELDS:
        if key in payload:
            raise InvalidEvent(_("field '%(field)s' is set by the server, not by the sender", field=key), field=key)
    body = {k: v for k, v in payload.items() if k not in ENVELOPE}
    changes = None
    if cls is Amend:
        changes = {k: v for k, v in body.items() if k not in ("target", "reason")}
        body = {k: v for k, v in body.items() if k in ("target", "reason")}
        if not changes:
            raise InvalidEvent(_("an amend must carry at least one corrected field"))
    kind = build_kind(cls, body)
    kind.check(scenario)
    return Submission(event_id, kind_name, observed_at, kind.fields(), changes)


@functools.cache
def _shape(cls) -> tuple[dict, dict]:
    """Return a kind's type hints and fields by name (resolving hints is slow: once per kind)."""
    return get_type_hints(cls), {f.name: f for f in fields(cls)}


def build_kind(cls, body: dict) -> Kind:
    """Build a kind from a dict of fields, checking names, presence and types."""
    hints, known = _shape(cls)
    for key in body:
        if key not in known:
            raise InvalidEvent(unknown_field(key, cls.name), field=str(key)[:50])
    values = {}
    for name, f in known.items():
        value = body.get(name)
        if value is None:
            if f.default is MISSING:
                raise InvalidEvent(_("missing field '%(field)s'", field=name), field=name)
            continue
        values[name] = _check_type(cls, name, value, hints[name], allow_empty=f.default == "")
    return cls(**values)


def unknown_field(key, kind: str) -> Message:
    """Return the refusal of a field that `kind` does not have."""
    return _("unknown field '%(field)s' for kind '%(kind)s'", field=escaped(str(key)[:50]), kind=kind)


def _check_type(cls, name, value, hint, allow_empty):
    want = hint.__args__[0] if hasattr(hint, "__args__") else hint  # X | None -> X
    if want is bool:
        if not isinstance(value, bool):
            raise InvalidEvent(_("field '%(field)s' must be true or false", field=name), field=name)
        return value
    if want is list:
        if not isinstance(value, list):
            raise InvalidEvent(_("field '%(field)s' must be a list of ids", field=name), field=name)
        if len(value) > LIST_LIMIT:
            raise InvalidEvent(_("field '%(field)s' names more than %(limit)s ids", field=name, limit=LIST_LIMIT),
                               field=name)
        for item in value:
            if not isinstance(item, str) or not item.strip() or len(item) > ID_LIMIT:
                raise InvalidEvent(_("field '%(field)s' must be a list of ids", field=name), field=name)
        return value
    if want is dict:
        if not isinstance(value, dict):
            raise InvalidEvent(_("field '%(field)s' must be an object", field=name), field=name)
        return value
    if want is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidEvent(_("field '%(field)s' must be a whole number", field=name), field=name)
        return value
    if not isinstance(value, str):
        raise InvalidEvent(_("field '%(field)s' must be text", field=name), field=name)
    limit = TEXT_LIMIT if name in cls.text_fields else ID_LIMIT
    if len(value) > limit:
        raise InvalidEvent(_("field '%(field)s' is longer than %(limit)s characters", field=name, limit=limit),
                           field=name)
    if not allow_empty and not value.strip():
        raise InvalidEvent(_("field '%(field)s' must not be empty", field=name), field=name)
    return value


def _check_id(value) -> str:
    if not isinstance(value, str):
        raise InvalidEvent(_("missing field 'id' (a UUID chosen by the sender)"), field="id")
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        parsed = None
    if parsed is None or len(value) != 36:
        raise InvalidEvent(_("field 'id' must be a UUID such as 3f2b8c1e-5d6a-4b7c-9e8f-0a1b2c3d4e5f"), field="id")
    return str(parsed)
