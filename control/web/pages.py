"""HTML pages: home, login by code (typed or from a QR code), the director's screen, the code sheet."""

import functools
from pathlib import Path

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for

from ..eventlog import StorageFault
from ..exports import exercise_clock, who_name
from ..feedback import summarise
from ..hotwash import hot_wash
from ..i18n import _, in_language
from ..permissions import may_call, may_see, may_submit, role_team
from ..rules import rules_module
from ..scenario import describe_conditions
from .access import (
    TooManyWrongCodes,
    code_key,
    csrf_ok,
    csrf_token,
    end_session,
    holder_from_code,
    identity,
    local_path,
    refuse_for_wrong_codes,
    request_holder,
    require,
    room,
    session_holder,
    start_session,
    too_many_wrong_codes,
)
from .bundle import BundleError, bundle, bundle_version
from .codes_sheet import lan_address, reachable_base, sheet_entries
from .language import request_language, request_scenario

bp = Blueprint("pages", __name__)


def home_of(role: str) -> str:
    """Return the page a role lands on after login."""
    if role in ("observer", "lead_evaluator"):
        return url_for("pages.observe")
    if role == "screen":  # the projector in the room
        return url_for("pages.wall")
    if may_call(role, "director"):
        return url_for("pages.director")
    return url_for("pages.team") if may_call(role, "team_page") else url_for("pages.home")


@bp.get("/")
def home():
    exercise = room().exercise
    holder = request_holder()
    role = identity(holder)[0]
    return render_template("home.html", scenario=request_scenario().raw, role=holder,
                           clock=exercise.clock_now(), events=exercise.log.count(),
                           director=role is not None and may_call(role, "director"),
                           codes_sheet=role is not None and may_call(role, "codes_sheet"))


@bp.app_errorhandler(TooManyWrongCodes)
def wrong_codes(error):
    return refuse_for_wrong_codes(error, page=not request.path.startswith("/api/"))


def login_page(error=None, status=200, next_path=""):
    return render_template("login.html", error=error, next=next_path, csrf=csrf_token()), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with a code typed in, or carried by a QR code as ?code=…; the code never stays in the URL.

    A QR code opened over another login, or a login link followed from another site, asks for one
    confirmation tap first: nobody switches a phone's role by sending it a link."""
    looking = request.method in ("GET", "HEAD")  # HEAD is a GET whose body is dropped: the same rules
    if looking and "code" not in request.args:
        if request.args.get("confirm") and session.get("pending"):
            pending = session["pending"]
            current = session_holder()
            return render_template("login_confirm.html", role=pending["role"], current=current, csrf=csrf_token(),
                                   back=home_of(identity(current)[0]) if current else url_for("pages.home"))
        return login_page(next_path=request.args.get("next", ""))
    refused = too_many_wrong_codes(page=True)
    if refused:
        return refused
    if request.method == "POST" and not csrf_ok():
        return login_page(_("This form has expired. Type your code again."), 400, request.form.get("next", ""))
    if request.method == "POST" and request.form.get("confirm"):
        pending = session.pop("pending", None) or {}
        holder, target = pending.get("role"), pending.get("next")
        if holder not in room().codes or pending.get("key") != code_key(room().codes[holder]):
            return login_page(_("That login link is no longer valid. Scan the code again."), 400)
        return logged_in(holder, target)
    code = request.args.get("code") if looking else request.form.get("code")
    holder = holder_from_code(code, request.remote_addr)  # a role's shared code, or a person's own
    role = identity(holder)[0]
    if role is None:
        return login_page(_("That code is not valid. Check it and try again."), 401, request.values.get("next", ""))
    target = local_path(request.values.get("next")) or home_of(role)
    if looking:
        current = session_holder()
        from_elsewhere = request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site")
        if current == holder and not from_elsewhere:
            return redirect(target, 303)
        if current is not None or from_elsewhere:
            session["pending"] = {"role": holder, "key": code_key(room().codes[holder]), "next": target}
            return redirect(url_for("pages.login", confirm=1), 303)
    return logged_in(holder, target)


def logged_in(holder, target):
    try:
        start_session(holder)
    except StorageFault:
        return login_page(_("The server cannot save your login right now (its storage is failing). "
                            "Try again in a minute; exercise control has been told."), 503)
    return redirect(target, 303)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """Log out (a form post): the session ends on the server, and the browser is told to drop what
    ExCon kept on it (static/js/forget.js clears it first, where the browser ignores the header on
    plain HTTP, after a warning if entries are still waiting)."""
    if request.method in ("GET", "HEAD"):
        return render_template("logout.html", role=session_holder())
    if not csrf_ok():
        return render_template("logout.html", role=session_holder(), error=_("This form has expired. Try again.")), 400
    try:
        end_session()
    except StorageFault:
        session.clear()  # the cookie goes now; the session stays open on the server: log out again later
    response = redirect(url_for("pages.login"), 303)
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.get("/director")
@require("director", page=True)
def director(role):
    """The director's big screen; controllers get the same with inject controls, the screen role without controls."""
    can = {
        "clock": may_submit(role, {"kind": "clock"}) is None,
        "inject": may_submit(role, {"kind": "inject"}) is None,
        "ack": may_submit(role, {"kind": "safety_ack"}) is None,
        "assign": may_submit(role, {"kind": "assignment"}) is None,
        "evaluators": may_see(role, {"kind": "assignment"}),
        "detail": may_call(role, "inject_detail"),
        "search": may_call(role, "search"),
        "answer": may_submit(role, {"kind": "request_answer"}) is None,
        "cues": may_call(role, "cue_sheet"),
        "hotwash": may_call(role, "debrief"),
        "team_page": may_call(role, "team_page"),
        "observe": may_call(role, "observe"),
    }
    return render_template("director.html", role=role, can=can, scenario=request_scenario().raw)


@bp.get("/wall")
@require("director", page=True)
def wall(role):
    """The projector's view: few, large things the room reads from afar (clock, safety, injects due,
    where the teams are, today's coverage gaps); the dense panels are /director's."""
    can = {"ack": may_submit(role, {"kind": "safety_ack"}) is None}
    return render_template("wall.html", role=role, can=can, scenario=request_scenario().raw)


@bp.get("/debrief")
@require("debrief", page=True)
def debrief(role):
    """Replay the exercise on the map and timeline, with the evidence and the evaluators' ratings per
    objective; the lead evaluator and the director record the agreed ratings here."""
    scenario = request_scenario()
    feedback = summarise(scenario, room().exercise.feedback_for(role), None,
                         {p: v["name"] for p, v in scenario.people.items()}) if may_call(role, "feedback") else []
    return render_template("debrief.html", role=role, scenario=scenario.raw, feedback=feedback,
                           can_agree=may_submit(role, {"kind": "agreed_rating"}) is None)


@bp.get("/run-sheet")
@require("run_sheet", page=True)
def run_sheet(role):
    """The day's MSEL as the control cell prints it: every inject in time order with what control
    expects and its notes, and how each stands now (released at …, skipped, deferred to …)."""
    exercise = room().exercise
    scenario = request_scenario()
    clock = exercise.clock_now()
    day = request.args.get("day", type=int) or clock["day"] or scenario.first_day
    if day not in scenario.days:
        day = scenario.first_day
    state = exercise.state_for(role)["injects"]
    lang = request_language()
    rows = sorted((dict(row, now=state.get(row["id"], {})) for row in scenario.raw["injects"]
                   if state.get(row["id"], {}).get("day", row["day"]) == day),  # a deferred one at its new time
                  key=lambda row: row["now"].get("time", row["time"]))
    for row in rows:
        row["waits"] = [in_language(text, lang) for text in describe_conditions(row, scenario)]
        if row["now"].get("status", "pending") != "pending":
            row["now"]["when"] = exercise_clock(row["now"].get("exercise_time"), lang)
    return render_template("run_sheet.html", scenario=scenario.raw, day=scenario.days[day], rows=rows,
                           days=list(scenario.days), actors=scenario.actors)


@bp.get("/hotwash")
@require("debrief", page=True)
def hotwash(role):
    """The evening hot wash of one exercise day, for the big screen and on paper (hotwash.py)."""
    exercise = room().exercise
    scenario = request_scenario()
    clock = exercise.clock_now()
    day = request.args.get("day", type=int) or clock["day"] or scenario.first_day  # today; before the start, day 1
    if day not in scenario.days:
        day = scenario.first_day
    lang = request_language()
    wash = hot_wash(scenario, exercise.state_for(role), exercise.marks_for(role), exercise.evidence_for(role),
                    exercise.requests_for(role), day)
    who = {e["id"]: who_name(e, scenario, lang) for e in wash["bookmarks"] + wash["safety"]
           + [entry for tag in wash["tagged"].values() for group in tag for entry in group["entries"]]}
    # on the big screen, with the participants in the room: no one's name beside their comment
    feedback = summarise(scenario, exercise.feedback_for(role), day) if may_call(role, "feedback") else []
    return render_template("hotwash.html", scenario=scenario.raw, day=scenario.days[day], wash=wash, days=list(scenario.days),
                           feedback=feedback,
                           who=who, team_names={t: v["name"] for t, v in scenario.teams.items()},
                           sites={s: v["name"] for s, v in scenario.sites.items()},
                           now_clock=exercise_clock(clock["exercise_time"], lang) if clock["exercise_time"] is not None else "")


@bp.get("/cue-sheet")
@require("cue_sheet", page=True)
def cue_sheet(role):
    """The actors' day on paper: for each actor, where to be when, as whom, with which line, for which
    inject and teams — the MSEL's injects that name an actor, at their time now (deferred, shifted)."""
    exercise = room().exercise
    scenario = request_scenario()
    day = request.args.get("day", type=int) or exercise.clock_now()["day"] or scenario.first_day
    if day not in scenario.days:
        day = scenario.first_day
    state = exercise.state_for(role)["injects"]
    lang = request_language()
    cues = {}
    for row in scenario.raw["injects"]:
        now = state.get(row["id"], {})
        if "actor" in row and now.get("day", row["day"]) == day:
            waits = [in_language(text, lang) for text in describe_conditions(row, scenario)]
            cues.setdefault(row["actor"], []).append(dict(row, now=now, site_name=scenario.sites[row["site"]]["name"],
                                                          waits=waits))
    for rows in cues.values():
        rows.sort(key=lambda row: row["now"].get("time", row["time"]))
    actors = sorted(((scenario.actors[a], rows) for a, rows in cues.items()), key=lambda pair: pair[1][0]["now"].get("time", ""))
    return render_template("cue_sheet.html", scenario=scenario.raw, day=scenario.days[day], actors=actors,
                           days=list(scenario.days), team_names={t: v["name"] for t, v in scenario.teams.items()})


@bp.get("/codes")
@require("codes_sheet", page=True)
def codes_sheet(role):
    """A printable sheet: one QR code per role and per person that logs a phone or tablet straight in, for
    the address phones can reach (the LAN's, when the sheet is opened on the control laptop itself)."""
    base, warning = reachable_base(request.host_url, lan_address())
    return render_template("codes_sheet.html", entries=sheet_entries(room().codes, base),
                           scenario=request_scenario().raw, warning=warning)


@bp.get("/observe")
@require("observe", page=True)
def observe(role):
    """The observers' phone page: rate teams against objectives, with notes; my log; safety."""
    return render_template("observe.html", role=role, scenario=request_scenario().raw,
                           **phone_links(role))


@bp.get("/team")
@require("team_page", page=True)
def team(role):
    """A team's tablet (or a controller logging for a team): actions, moves, the team's injects."""
    return render_template("team.html", role=role, scenario=request_scenario().raw,
                           team=role_team(role), **phone_links(role))


def phone_links(role):
    return {"can_observe": may_call(role, "observe"), "can_team": may_call(role, "team_page")}


PHONE_SCRIPTS = ["js/language.js", "js/forget.js", "js/phone.js"]  # what base.html and phone.html load, in order


@functools.lru_cache(maxsize=4)
def _phone_bundle(static: str, versions: tuple) -> tuple[str, str]:
    try:
        text = bundle(Path(static), PHONE_SCRIPTS, {"/rules.js": rules_module()})
    except BundleError as e:  # a module form bundle.py does not know: the page loads the modules one by one
        current_app.logger.error("the phone pages' scripts cannot be joined (%s); they are served one by one", e)
        text = "".join(f'import "/static/{script}";\n' for script in PHONE_SCRIPTS)
    return text, bundle_version(text)


@bp.get("/bundle/phone.js")
def phone_bundle():
    """The phone pages' scripts in one file (bundle.py): one request on a slow network instead of a dozen."""
    static = Path(current_app.static_folder)
    versions = tuple((str(p), p.stat().st_mtime_ns) for p in sorted((static / "js").rglob("*.js")))
    text, version = _phone_bundle(str(static), versions)
    response = current_app.response_class(text, mimetype="text/javascript")
    response.set_etag(version)
    response.headers["Cache-Control"] = "no-cache"  # asked again each time, answered 304 while it is the same
    return response.make_conditional(request)




@bp.get("/rules.js")
def rules():
    """The rules the pages draw by, as an ES module generated from control/rules.py (no code needed)."""
    response = current_app.response_class(rules_module(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker, served from the root so that it may serve the phone pages offline."""
    response = current_app.send_static_file("js/sw.js")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response
