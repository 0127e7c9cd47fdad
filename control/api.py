"""HTTP views: health, scenario, events and state, as JSON, filtered by role like the sockets."""

from functools import wraps

from flask import Blueprint, current_app, jsonify, render_template, request, session

from .codes import role_for_code
from .permissions import may_call
from .timefmt import parse_iso

bp = Blueprint("api", __name__)
MAX_EVENTS_PAGE = 5000


class BadRequest(Exception):
    """A query parameter is wrong; answered 400 with its message."""


def room():
    return current_app.extensions["excon"]


def error(status, message):
    response = jsonify({"ok": False, "error": message})
    response.status_code = status
    return response


def request_role():
    """Return the role of this request from `Authorization: Bearer <code>` or the session."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, code = header.partition(" ")
        return role_for_code(room().codes, code) if scheme.lower() == "bearer" else None
    role = session.get("role")
    return role if role in room().codes else None


def endpoint(name):
    """Require a role allowed to call `name`; pass the role to the view."""
    def wrap(view):
        @wraps(view)
        def checked(*args, **kwargs):
            role = request_role()
            if role is None:
                return error(401, "an access code is needed: send 'Authorization: Bearer <code>'")
            if not may_call(role, name):
                return error(403, f"the {role} role may not use {request.path}")
            try:
                return view(role, *args, **kwargs)
            except BadRequest as e:
                return error(400, str(e))
        return checked
    return wrap


def int_arg(name, default, low, high):
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


@bp.get("/")
def home():
    exercise = room().exercise
    return render_template("home.html", scenario=exercise.scenario.raw,
                           clock=exercise.clock.as_dict(exercise.now()), events=exercise.log.count())


@bp.get("/healthz")
def healthz():
    return jsonify({"ok": True})


@bp.get("/api/scenario")
@endpoint("scenario")
def scenario(role):
    return jsonify(room().exercise.scenario_for(role))


@bp.get("/api/events")
@endpoint("events")
def events(role):
    since = int_arg("since", 0, 0, 2**63 - 1)
    limit = int_arg("limit", 1000, 1, MAX_EVENTS_PAGE)
    found, cursor, more = room().exercise.events_for(role, since, limit)
    return jsonify({"ok": True, "events": found, "next": cursor, "more": more})


@bp.get("/api/state")
@endpoint("state")
def state(role):
    at = request.args.get("at")
    if at is not None:
        try:
            at = parse_iso(at)
        except ValueError as e:
            raise BadRequest(f"at {e}") from None
    return jsonify(room().exercise.state_for(role, at))


@bp.app_errorhandler(404)
def not_found(e):
    if request.path.startswith("/api/"):
        return error(404, f"no such endpoint: {request.path}")
    return e


@bp.app_errorhandler(405)
def wrong_method(e):
    if request.path.startswith("/api/"):
        return error(405, f"{request.method} is not allowed on {request.path}")
    return e
