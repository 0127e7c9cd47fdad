"""HTTP views: health, scenario, events and state, as JSON, filtered by role like the sockets.

Errors are answered in the asker's language (language.py); so are the exports' headers and the report."""

from functools import wraps

from flask import Blueprint, Response, jsonify, render_template, request, stream_with_context

from ..aar import aar_docx
from ..eventlog import MAX_SEQ
from ..events import InvalidEvent, unknown_id
from ..exercise import health_in_language
from ..exports import events_csv, events_jsonl, feedback_csv, pseudonyms, report_context
from ..feedback import summarise
from ..i18n import _
from ..search import EventFilter
from ..timefmt import iso, parse_iso
from .access import json_error, require, room
from .language import request_language

bp = Blueprint("api", __name__)
MAX_EVENTS_PAGE = 5000


class BadRequest(Exception):
    """A query parameter is wrong; answered 400 with its message (a Message) and the parameter's name."""

    def __init__(self, message, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


def endpoint(name):
    """Require a role allowed to call `name`; answer a BadRequest as 400."""
    def wrap(view):
        @wraps(view)
        def answered(role, *args, **kwargs):
            try:
                return view(role, *args, **kwargs)
            except BadRequest as e:
                return json_error(400, e.message, e.field)
        return require(name)(answered)
    return wrap


def iso_arg(name):
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        return parse_iso(raw)
    except ValueError as e:
        raise BadRequest(_("%(field)s %(error)s", field=name, error=e.args[0]), name) from None


def int_arg(name, default, low, high):
    raw = request.args.get(name)
    if raw is None:
        return default
    # ASCII digits only: str.isdigit() also takes '²', which int() refuses
    if not (0 < len(raw) <= 19 and raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise BadRequest(_("%(name)s must be a whole number from %(low)s to %(high)s", name=name, low=low, high=high),
                         name)
    return int(raw)


@bp.get("/healthz")
def healthz():
    """200 while the event log takes writes; 503 with the fault while it does not (no code needed)."""
    health = room().health()
    return jsonify(health_in_language(health, request_language())), 200 if health["ok"] else 503


@bp.get("/api/scenario")
@endpoint("scenario")
def scenario(role):
    """The scenario as the role may read it, its texts in the asker's language (`?lang=`)."""
    return jsonify(room().exercise.scenario_for(role, request_language()))


@bp.get("/api/events")
@endpoint("events")
def events(role):
    exercise = room().exercise
    last = int_arg("last", None, 1, MAX_EVENTS_PAGE)
    until = iso_arg("until")
    if last is not None and until is not None:
        found, cut = exercise.recent_until(role, until, last)
        return jsonify({"ok": True, "events": found, "more": False, "cut": cut})
    if last is not None:
        found, cut = exercise.recent_for(role, last)
        return jsonify({"ok": True, "events": found, "next": exercise.log.last_seq(), "more": False, "cut": cut})
    since = int_arg("since", 0, 0, MAX_SEQ)
    start = iso_arg("from")
    if start is not None:
        since = max(since, exercise.log.seq_before(iso(start)))
    start_ex = int_arg("from_exercise_time", None, 0, 10**9)
    recent = int_arg("recent_exercise_seconds", None, 1, 10**9)
    if recent is not None:  # the last N seconds of exercise time: the timeline's window
        now = exercise.exercise_time_now()
        start_ex = max(start_ex or 0, int(now - recent)) if now is not None else 10**9
    if start_ex is not None:
        since = max(since, exercise.log.seq_before_exercise_time(start_ex))
    limit = int_arg("limit", 1000, 1, MAX_EVENTS_PAGE)
    found, cursor, more = exercise.events_for(role, since, limit)
    return jsonify({"ok": True, "events": found, "next": cursor, "more": more})


@bp.get("/api/search")
@endpoint("search")
def search(role):
    """The last `limit` events (default 200) the role may see, matching `team`, `site`, `objective`,
    `kind` (comma-separated) and the words `q`, across the whole log: the feed's search and a
    coverage cell's notes."""
    wanted = EventFilter(team=request.args.get("team") or None, site=request.args.get("site") or None,
                         objective=request.args.get("objective") or None,
                         kinds=tuple(k for k in request.args.get("kind", "").split(",") if k),
                         words=request.args.get("q", "").strip())
    try:
        wanted.check(room().exercise.scenario)
    except InvalidEvent as e:
        raise BadRequest(e.message, e.field) from None
    found, more = room().exercise.search_for(role, wanted.with_names(room().exercise.scenario),
                                             int_arg("limit", 200, 1, 1000))
    return jsonify({"ok": True, "events": found, "more": more})


@bp.get("/api/timeline")
@endpoint("timeline")
def timeline(role):
    """Event counts per bucket of exercise time, lane and kind: the zoomed-out timeline."""
    start = int_arg("from_exercise_time", 0, 0, 10**9)
    end = int_arg("to_exercise_time", 10**9, 0, 10**9)
    if start >= end:
        raise BadRequest(_("from_exercise_time must be before to_exercise_time"), "from_exercise_time")
    bucket = int_arg("bucket", 900, 60, 86400)
    counts = room().exercise.timeline_for(role, start, end, bucket)
    return jsonify({"ok": True, "bucket": bucket, "counts": counts})


@bp.get("/api/state")
@endpoint("state")
def state(role):
    """The state now (or `?at=` an instant) as the role sees it; now, for a participant's page, with the
    questionnaires open (not a fold of the log: the clock opens them)."""
    exercise, at = room().exercise, iso_arg("at")
    found = exercise.state_for(role, at)
    questionnaires = exercise.feedback_open_for(role) if at is None else None
    return jsonify(found if questionnaires is None else {**found, "feedback_open": questionnaires})


@bp.get("/api/injects/<inject>")
@endpoint("inject_detail")
def inject_detail(role, inject):
    """What happened to one inject: the decisions on it and the actions and evaluations answering it."""
    known = inject in room().exercise.scenario.injects or inject in room().exercise.inject_status
    if not known:
        return json_error(404, unknown_id("inject", inject), "inject")
    return jsonify({"ok": True, "inject": inject, **room().exercise.inject_for(role, inject)})


@bp.get("/api/marks")
@endpoint("debrief")
def marks(role):
    """The moments a replay jumps between: injects, safety alerts, clock changes and bookmarks."""
    return jsonify({"ok": True, "events": room().exercise.marks_for(role)})


@bp.get("/api/evidence")
@endpoint("debrief")
def evidence(role):
    """Every evaluation that counts (corrections applied): the observers' evidence per objective."""
    found = room().exercise.evidence_for(role)
    for field in ("objective", "team"):
        if request.args.get(field):
            found = [e for e in found if e.get(field) == request.args[field]]
    return jsonify({"ok": True, "evaluations": found})


@bp.get("/api/feedback")
@endpoint("feedback")
def feedback(role):
    """The participants' questionnaire answers summed up per question, in the asker's language (`?day=N`: a
    daily questionnaire's answers for that day only); a named answer's text with its author's name."""
    exercise, lang = room().exercise, request_language()
    scenario = exercise.scenario.in_language(lang)
    day = int_arg("day", None, 1, len(scenario.days))
    names = {p: person["name"] for p, person in scenario.people.items()}
    return jsonify({"ok": True, "questionnaires": summarise(scenario, exercise.feedback_for(role), day, names)})


def attachment(body, mimetype, filename):
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/api/export/events.jsonl")
@endpoint("export")
def export_jsonl(role):
    """Every event the role may see, one JSON object a line, corrections included as events."""
    return attachment(stream_with_context(events_jsonl(room().exercise.pages_for(role))), "application/x-ndjson", "events.jsonl")


def pseudonymised() -> bool:
    """Tell whether an export is asked for with pseudonyms instead of names (`?pseudonyms=1`): to share it outside."""
    return request.args.get("pseudonyms", "").lower() in ("1", "true", "yes")


@bp.get("/api/export/events.csv")
@endpoint("export")
def export_csv(role):
    """Every event the role may see, one row each; the header and the scenario's names in the asker's language."""
    exercise = room().exercise
    rows = events_csv(exercise.pages_for(role), exercise.scenario, request_language(), pseudonymised())
    return attachment(stream_with_context(rows), "text/csv; charset=utf-8", "events.csv")


@bp.get("/api/export/feedback.csv")
@endpoint("export")
def export_feedback(role):
    """The participants' answers that count, one row per answer and a column per question, to analyse in a spreadsheet."""
    exercise = room().exercise
    rows = feedback_csv(exercise.feedback_for(role), exercise.scenario, request_language(), pseudonymised())
    return attachment(rows, "text/csv; charset=utf-8", "feedback.csv")


@bp.get("/api/export/report.html")
@endpoint("export")
def export_report(role):
    """The after-action report draft: one self-contained HTML file that opens and prints offline, in the
    asker's language."""
    exercise = room().exercise
    context = report_context(exercise.scenario, exercise.state_for(role), exercise.evidence_for(role),
                             exercise.marks_for(role), exercise.log.count(), request_language(), pseudonymised(),
                             exercise.requests_for(role), feedback=exercise.feedback_for(role))
    html = render_template("report.html", **context, photo_base=request.host_url + "photos/")
    response = attachment(html, "text/html", "after-action-report-draft.html")
    # A standalone document, its charts inline SVG: its own, narrower policy (no network, no script at all).
    response.headers["Content-Security-Policy"] = ("default-src 'none'; "
                                                   "style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
    return response


@bp.get("/api/export/aar.docx")
@endpoint("export")
def export_aar(role):
    """The after-action report and improvement plan as a Word document to edit (aar.py), in the asker's language."""
    exercise, lang = room().exercise, request_language()
    marks = exercise.marks_for(role)
    context = report_context(exercise.scenario, exercise.state_for(role), exercise.evidence_for(role), marks,
                             exercise.log.count(), lang, pseudonymised(), exercise.requests_for(role), charts=False,
                             feedback=exercise.feedback_for(role))
    aliases = pseudonyms(exercise.scenario.in_language(lang), lang) if pseudonymised() else None
    return attachment(aar_docx(context, exercise.scenario, marks, lang, aliases),
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "after-action-report.docx")


# HTTP errors the API answers as JSON, by status: what the message says.
API_ERRORS = {
    404: lambda: _("no such endpoint: %(path)s", path=request.path),
    405: lambda: _("%(method)s is not allowed on %(path)s", method=request.method, path=request.path),
    500: lambda: _("the server failed on this request (a fault in ExCon, written to its log)"),
}


def api_error(e):
    """Answer an HTTP error on an /api/ path as JSON; elsewhere Flask's own page stands."""
    if request.path.startswith("/api/"):
        return json_error(e.code, API_ERRORS[e.code]())
    return e


for status in API_ERRORS:
    bp.app_errorhandler(status)(api_error)
