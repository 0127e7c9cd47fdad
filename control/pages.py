"""HTML pages: home, login by code (typed or from a QR code), the director's screen, the code sheet."""

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for

from .access import code_key, csrf_ok, csrf_token, request_role, require, role_from_code, room, too_many_wrong_codes
from .codes_sheet import sheet_entries
from .permissions import may_call, may_submit, role_team

bp = Blueprint("pages", __name__)


def home_of(role: str) -> str:
    """Return the page a role lands on after login."""
    if role == "observer":
        return url_for("pages.observe")
    if may_call(role, "director"):
        return url_for("pages.director")
    return url_for("pages.team") if may_call(role, "team_page") else url_for("pages.home")


@bp.get("/")
def home():
    exercise = room().exercise
    role = request_role()
    return render_template("home.html", scenario=exercise.scenario.raw, role=role,
                           clock=exercise.clock_now(), events=exercise.log.count(),
                           director=role is not None and may_call(role, "director"),
                           codes_sheet=role is not None and may_call(role, "codes_sheet"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with a code typed in, or carried by a QR code as ?code=…; the code never stays in the URL."""
    code = request.form.get("code") if request.method == "POST" else request.args.get("code")
    if code is None:
        return render_template("login.html", error=None, next=request.args.get("next", ""), csrf=csrf_token())
    refused = too_many_wrong_codes(page=True)
    if refused:
        return refused
    if request.method == "POST" and not csrf_ok():
        return render_template("login.html", error="This form has expired. Type your code again.",
                               next=request.form.get("next", ""), csrf=csrf_token()), 400
    role = role_from_code(code, request.remote_addr)
    if role is None:
        return render_template("login.html", error="That code is not valid. Check it and try again.",
                               next=request.values.get("next", ""), csrf=csrf_token()), 401
    session.clear()
    session["role"] = role
    session["key"] = code_key(room().codes[role])
    session.permanent = True  # a week-long exercise: stay logged in across browser restarts
    target = request.values.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else home_of(role), 303)


@bp.get("/logout")
def logout():
    session.clear()
    return redirect(url_for("pages.login"), 303)


@bp.get("/director")
@require("director", page=True)
def director(role):
    """The director's big screen; controllers get the same with inject controls, the screen role without controls."""
    exercise = room().exercise
    can = {
        "clock": may_submit(role, {"kind": "clock"}) is None,
        "inject": may_submit(role, {"kind": "inject"}) is None,
        "ack": may_submit(role, {"kind": "safety_ack"}) is None,
    }
    return render_template("director.html", role=role, can=can, scenario=exercise.scenario.raw)


@bp.get("/debrief")
@require("debrief", page=True)
def debrief(role):
    """Replay the exercise on the map and timeline, with the evidence per objective; reads only."""
    return render_template("debrief.html", role=role, scenario=room().exercise.scenario.raw)


@bp.get("/codes")
@require("codes_sheet", page=True)
def codes_sheet(role):
    """A printable sheet: one QR code per role that logs its phone or tablet straight in."""
    return render_template("codes_sheet.html", entries=sheet_entries(room().codes, request.host_url),
                           scenario=room().exercise.scenario.raw)


@bp.get("/observe")
@require("observe", page=True)
def observe(role):
    """The observers' phone page: rate teams against objectives, with notes; my log; safety."""
    return render_template("observe.html", role=role, scenario=room().exercise.scenario.raw, **phone_links(role))


@bp.get("/team")
@require("team_page", page=True)
def team(role):
    """A team's tablet (or a controller logging for a team): actions, moves, the team's injects."""
    return render_template("team.html", role=role, scenario=room().exercise.scenario.raw,
                           team=role_team(role), **phone_links(role))


def phone_links(role):
    return {"can_observe": may_call(role, "observe"), "can_team": may_call(role, "team_page")}


@bp.get("/sw.js")
def service_worker():
    """The service worker, served from the root so that it may serve the phone pages offline."""
    response = current_app.send_static_file("js/sw.js")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response
