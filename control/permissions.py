"""Who may do what: the one permission table, and the two questions asked of it.

Roles are `director`, `controller`, `lead_evaluator`, `observer`, `screen` and `team:<team id>`;
every team role shares the row `team`, limited to its own team ("own").  A lead evaluator is a person
of the roster (no shared code): an evaluator who also assigns evaluators and records agreed ratings.
HTTP views and Socket.IO handlers ask only `may_submit`, `may_see` and `may_call`; nothing else in
the code decides access.
"""

from .events import STORED_ENVELOPE
from .i18n import Message, _

STAFF_ROLES = ("director", "controller", "lead_evaluator", "observer", "screen")
PERSON_ONLY = ("lead_evaluator",)  # roles only a person of the roster holds: no shared code is made for them
# A person's role in the roster (scenario.PERSON_ROLES) -> the role whose rights they have; a
# participant has their team's rights.
PERSON_RIGHTS = {"director": "director", "controller": "controller", "lead_evaluator": "lead_evaluator",
                 "evaluator": "observer", "participant": "team", "screen": "screen"}

EVERYTHING = "all"
OWN = "own"  # only events about the role's own team
WITHOUT_TEXT = "without free text"  # the event, less the free text people wrote in it
OWN_WITHOUT_TEXT = "own, without free text"  # both: a team learns a recall, not control's reason for it
# by kind: what WITHOUT_TEXT leaves out
FREE_TEXT = {"evaluation": ("note", "photos", "theme"), "note": ("text", "photos"), "request": ("text",),
             "request_answer": ("text",)}
AUDIT_ROLES = ("director", "controller")  # who sees `conn`, the connection that submitted an event
# Who reads `by` (who logged an entry): the staff; never the players, nor the screen they walk past.
WHO_ROLES = ("director", "controller", "lead_evaluator", "observer")

# kind -> role family -> scope.  A role family missing from a row may not submit that kind.
CONTROL = {"director": EVERYTHING, "controller": EVERYTHING}
EVALUATORS = {"lead_evaluator": EVERYTHING, "observer": EVERYTHING}
LEADS = {"director": EVERYTHING, "lead_evaluator": EVERYTHING}  # who assigns evaluators and agrees ratings
SUBMIT = {
    "clock": {"director": EVERYTHING},
    "inject": CONTROL,
    "inject_skip": CONTROL,
    "inject_defer": CONTROL,
    "inject_recall": CONTROL,
    "schedule_shift": CONTROL,
    "action": {**CONTROL, "team": OWN},
    "move": {**CONTROL, "team": OWN},
    "request": {**CONTROL, "team": OWN},  # a team asks control; a controller may log a request phoned in
    "request_answer": CONTROL,
    "evaluation": {**CONTROL, **EVALUATORS},
    "note": {**CONTROL, **EVALUATORS},
    "safety": {**CONTROL, **EVALUATORS, "team": EVERYTHING},
    "safety_ack": {"director": EVERYTHING},
    "assignment": LEADS,
    "agreed_rating": LEADS,
    "feedback": {"team": EVERYTHING},  # a participant's questionnaire answers (feedback.py): not about a team
    # retract and amend: allowed to whoever may submit the target's kind for the target's team
}

# kind -> role family -> scope of what the role receives (broadcasts, resume, /api/events, /api/state).
STAFF = {**CONTROL, **EVALUATORS}
SEE = {
    "clock": {**STAFF, "screen": EVERYTHING, "team": EVERYTHING},
    "inject": {**STAFF, "screen": EVERYTHING, "team": OWN},
    "inject_skip": {**STAFF, "screen": EVERYTHING},
    "inject_defer": {**STAFF, "screen": EVERYTHING},
    "inject_recall": {**STAFF, "screen": EVERYTHING, "team": OWN_WITHOUT_TEXT},  # "withdrawn by control"
    "schedule_shift": {**STAFF, "screen": EVERYTHING},
    "action": {**STAFF, "screen": EVERYTHING, "team": OWN},
    "move": {**STAFF, "screen": EVERYTHING, "team": OWN},
    # A team's requests and control's answers: between that team and the staff; the screen counts them only.
    "request": {**STAFF, "screen": WITHOUT_TEXT, "team": OWN},
    "request_answer": {**STAFF, "screen": WITHOUT_TEXT, "team": OWN},
    # Evaluators' and staff notes are never shown to players, nor on a screen players may walk past:
    # the screen shows ratings for objective coverage and bookmarks, without the words.
    "evaluation": {**STAFF, "screen": WITHOUT_TEXT},
    "note": {**STAFF, "screen": WITHOUT_TEXT},
    "safety": {**STAFF, "screen": EVERYTHING, "team": OWN},
    # Who evaluates what, and the agreed ratings: the staff only (players never learn them).
    "assignment": STAFF,
    "agreed_rating": STAFF,
    # Participants' feedback: no one receives the answers one by one (in a stream of entries an anonymous one
    # would sit beside its sender's own, in order and time); the staff read them summed up (feedback.py,
    # CALL "feedback") and as a spreadsheet without order or time.
    "feedback": {},
    # safety_ack: seen by whoever may see the alert.  retract and amend: see view_correction
}

# HTTP endpoint -> role families that may call it (answers are filtered by SEE).
CALL = {
    "scenario": ("director", "controller", "lead_evaluator", "observer", "screen", "team"),
    "events": ("director", "controller", "lead_evaluator", "observer", "screen", "team"),
    "search": ("director", "controller", "lead_evaluator", "observer"),  # the whole log by team, kind, words
    "state": ("director", "controller", "lead_evaluator", "observer", "screen", "team"),
    "timeline": ("director", "controller", "lead_evaluator", "observer", "screen"),
    "director": ("director", "controller", "lead_evaluator", "screen"),
    "inject_detail": ("director", "controller", "lead_evaluator"),  # the MSEL row with what control expects, and the answers
    "run_sheet": ("director", "controller"),  # the day's MSEL to print, with what control expects
    "cue_sheet": ("director", "controller"),  # the actors' day: who is where when, with which line (real names)
    "observe": ("director", "controller", "lead_evaluator", "observer"),
    "team_page": ("director", "controller", "team"),
    "codes_sheet": ("director",),
    "debrief": ("director", "controller", "lead_evaluator", "observer"),
    "export": ("director", "controller", "lead_evaluator", "observer"),
    "feedback": ("director", "controller", "lead_evaluator", "observer"),  # the participants' answers, summed up
    # photos for an entry, sent before it (who may see one: whoever reads an entry that shows it)
    "photo_upload": ("director", "controller", "lead_evaluator", "observer", "team"),
    "photo": ("director", "controller", "lead_evaluator", "observer", "screen", "team"),
}

CORRECTIONS = ("retract", "amend")
TARGETED = CORRECTIONS + ("safety_ack",)  # kinds seen by whoever sees their target


def family(role: str) -> str:
    """Return the row name of a role: 'team' for every 'team:<id>'."""
    return "team" if role.startswith("team:") else role


def person_role(person: dict) -> str:
    """Return the role whose rights a person of the roster has ("observer", "team:alpha" …)."""
    rights = PERSON_RIGHTS[person["role"]]
    return f"team:{person['team']}" if rights == "team" else rights


def role_team(role: str) -> str | None:
    """Return the team id of a team role, else None."""
    return role[5:] if role.startswith("team:") else None


def all_roles(team_ids) -> list[str]:
    """Return every role of an exercise with these teams."""
    return list(STAFF_ROLES) + [f"team:{t}" for t in team_ids]


PERSON = "person:"  # a code's holder that is a person of the roster: "person:<id>"


def all_holders(team_ids, people) -> list[str]:
    """Return whoever holds a code: every role but a person-only one (shared codes: a team's tablet,
    the big screen …) and every person of the roster."""
    return [r for r in all_roles(team_ids) if r not in PERSON_ONLY] + [PERSON + person for person in people]


def holder_identity(holder: str | None, people: dict) -> tuple[str | None, str | None]:
    """Return (role, person id) of a code's holder: a person has the rights of their role of the
    roster; a shared code is its role, with no person.  (None, None) for a person not on the roster."""
    if holder is None or not holder.startswith(PERSON):
        return holder, None
    person = people.get(holder[len(PERSON):])
    return (person_role(person), person["id"]) if person else (None, None)


def broadcast_order(team_ids) -> list[str]:
    """Return every role in the order a broadcast reaches their rooms: the big screens first, since
    a room's frames leave in the order they are queued and the observers' phones are many."""
    return sorted(all_roles(team_ids), key=lambda role: role not in ("director", "screen"))


def _is_own(role: str, event: dict) -> bool:
    team = role_team(role)
    if event["kind"] in ("inject", "inject_recall"):
        return team in event.get("teams", ())
    if event["kind"] == "safety":
        return event.get("role") == role
    return event.get("team") == team


def may_submit(role: str, event: dict) -> Message | None:
    """Return None if `role` may submit `event` (kind and fields), else the reason it may not.

    For a correction, pass the target event (with any earlier amends applied) as `event`.
    """
    scope = SUBMIT.get(event["kind"], {}).get(family(role))
    if scope is None:
        return _("the %(role)s role may not submit %(kind)s events", role=role, kind=event["kind"])
    if scope == OWN and not _is_own(role, event):
        return _("the %(role)s role may only log its own team's %(kind)s events", role=role, kind=event["kind"])
    return None


def may_submit_kind(role: str, kind: str) -> Message | None:
    """Return None if `role` may submit some `kind` event at all, else the reason: asked before the
    payload is checked against the scenario, so that a refusal tells nothing about the scenario."""
    if family(role) not in SUBMIT.get(kind, {}):
        return _("the %(role)s role may not submit %(kind)s events", role=role, kind=kind)
    return None


def _scope(role: str, event: dict, target: dict | None):
    """Return the scope under which `role` receives `event`, or None."""
    if event["kind"] in TARGETED:
        return _scope(role, target, None) if target is not None else None
    scope = SEE.get(event["kind"], {}).get(family(role))
    if scope in (OWN, OWN_WITHOUT_TEXT) and not _is_own(role, event):
        return None
    return scope


def may_see(role: str, event: dict, target: dict | None = None) -> bool:
    """Tell whether `role` may receive `event`; a correction or acknowledgement is judged by its `target`
    (for a correction: the entry as it stands after it)."""
    return _scope(role, event, target) is not None


def _shown(role: str, event: dict, scope: str, kind: str) -> dict:
    """Return `event` less what `role` may not read of it: the audit field, and under WITHOUT_TEXT the
    free text of `kind` (the kind of the entry itself, or of the entry a correction corrects)."""
    hidden = (() if family(role) in AUDIT_ROLES else ("conn",)) + (() if family(role) in WHO_ROLES else ("by",))
    if scope in (WITHOUT_TEXT, OWN_WITHOUT_TEXT):
        hidden += FREE_TEXT.get(kind, ()) + ("reason",)
    if not any(key in event for key in hidden):
        return event
    return {k: v for k, v in event.items() if k not in hidden}


def view(role: str, event: dict, target: dict | None = None) -> dict | None:
    """Return `event` as `role` receives it, or None.  A safety_ack is judged by its alert (`target`);
    corrections go through `view_correction`."""
    scope = _scope(role, event, target)
    if scope is None:
        return None
    return _shown(role, event, scope, (target or event)["kind"] if event["kind"] in TARGETED else event["kind"])


def view_correction(role: str, correction: dict, before: dict, after: dict | None) -> dict | None:
    """Return a retract or amend as `role` receives it, or None.

    before: the corrected entry as it stood just before; after: as it stands with this correction
    (None for a retract).  Whoever may see the entry as it now stands gets the correction with the
    whole entry as it now reads (`entry`: pages replace their copy, they never lay an amend over it
    themselves); whoever saw it before and may not see it now (an action moved to another team) gets
    only the news that it is gone (`removed: true`).
    """
    scope_before = _scope(role, before, None)
    scope_after = _scope(role, after, None) if after is not None else None
    if scope_after is not None:
        return {**_shown(role, correction, scope_after, after["kind"]),
                "entry": _shown(role, after, scope_after, after["kind"])}
    if scope_before is None:
        return None
    if correction["kind"] == "retract":
        return _shown(role, correction, scope_before, before["kind"])
    kept = [k for k in STORED_ENVELOPE if k not in ("conn", "by")] + ["target"]
    return {**{k: correction[k] for k in kept if k in correction}, "removed": True}


def kinds_seen_in_full(role: str) -> list[str]:
    """Return the kinds `role` receives for every team (its scope is not 'own')."""
    return [k for k, row in SEE.items() if row.get(family(role)) in (EVERYTHING, WITHOUT_TEXT)]


def may_call(role: str, endpoint: str) -> bool:
    """Tell whether `role` may call the HTTP endpoint `endpoint`."""
    return family(role) in CALL.get(endpoint, ())
