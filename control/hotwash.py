"""The evening hot wash: what one exercise day brought, for the room to go through and to print.

Read from the fold (injects and their response times, coverage per day, agreed ratings, requests) and
from the day's effective events (safety alerts, bookmarks, the evaluators' tagged observations), each
placed where it was observed.  No Flask: the page (templates/hotwash.html) draws what this returns.
"""

from statistics import median

from .events import placed_time
from .timefmt import DAY, split_exercise_time


def day_of(seconds: float | None) -> int | None:
    """Return the exercise day of an exercise time (None before the start)."""
    return None if seconds is None else int(seconds // DAY) + 1


def clock_text(seconds: float | None) -> str:
    """Return "10:42" for an exercise time of the day (the page says which day)."""
    return "" if seconds is None else split_exercise_time(seconds)[1][:5]


def hot_wash(scenario, state: dict, marks: list, evaluations: list, requests: list, day: int) -> dict:
    """Return the day's hot wash.

    state: the fold now, as the reader sees it; marks: the replay's moments (injects, safety alerts,
    bookmarks) and evaluations: every evaluation that counts, both with corrections applied; requests:
    every request that counts, with its answer and wait."""
    on_day = [{**e, "when": clock_text(placed_time(e))} for e in marks if day_of(placed_time(e)) == day]
    rated = [e for e in evaluations if day_of(placed_time(e)) == day]
    return {
        "day": day,
        "injects": _injects(scenario, state, day),
        "safety": [e for e in on_day if e["kind"] == "safety"],
        "bookmarks": [e for e in on_day if e["kind"] in ("note", "evaluation") and e.get("bookmark")],
        "tagged": {tag: _by_objective(scenario, [e for e in rated if e.get("tag") == tag])
                   for tag in ("strength", "improvement")},
        "ratings": (ratings := _ratings(scenario, state, day)),
        # the objective × team pairs nobody rated that day: what tomorrow's evaluators' plan should cover
        "gaps": [{"objective": row["objective"], "teams": missing} for row in ratings
                 if (missing := [cell["team"] for cell in row["teams"] if not cell["total"]])],
        "requests": _requests(requests, day),
        "evaluations": len(rated),
    }


def _injects(scenario, state: dict, day: int) -> list:
    """The injects released that day (to any team) or due that day and skipped, deferred or recalled, in time order,
    each with its teams' response times in minutes (None: no answer yet)."""
    rows = []
    for inject, entry in state["injects"].items():
        released = entry.get("released") or {}
        out_today = [t for t, moment in released.items() if day_of(moment) == day]
        if not out_today and entry.get("day") != day:
            continue
        if not out_today and entry.get("status") in (None, "pending", "released"):
            continue  # still to do, or released another day
        row = scenario.injects.get(inject, {})
        first = min((released[t] for t in out_today), default=entry.get("exercise_time"))
        responses = entry.get("responses") or {}
        answered = [responses[t] for t in out_today if t in responses]
        rows.append({
            "id": inject, "title": row.get("title") or entry.get("title") or inject, "status": entry.get("status"),
            "when": clock_text(first), "order": first or 0, "reason": entry.get("reason"),
            "teams": [{"id": t, "minutes": None if t not in responses else _minutes(responses[t])} for t in out_today],
            "median": _minutes(median(answered)) if answered else None,
        })
    return sorted(rows, key=lambda row: row["order"])


def _minutes(seconds: float) -> str:
    """Minutes as the room reads them: "<1" within the first minute, never a 0 that looks like no time at all."""
    return "<1" if seconds < 60 else str(round(seconds / 60))


SHOWN_PER_OBJECTIVE = 5  # a hot wash talks them through: the rest are counted (the debrief and report have them all)


def _by_objective(scenario, entries: list) -> list:
    """Group tagged observations under their objective, in the scenario's order: the bookmarked ones first,
    then the latest, SHOWN_PER_OBJECTIVE of them, with how many more there are."""
    groups = []
    for objective_id, objective in scenario.objectives.items():
        mine = sorted((e for e in entries if e["objective"] == objective_id),
                      key=lambda e: (not e.get("bookmark"), -(placed_time(e) or 0)))
        if mine:
            groups.append({"objective": objective, "entries": mine[:SHOWN_PER_OBJECTIVE], "more": len(mine) - SHOWN_PER_OBJECTIVE,
                           "count": len(mine)})
    return groups


def _ratings(scenario, state: dict, day: int) -> list:
    """Per objective and team: the day's P/S/M/U counts, and the agreed rating so far (the objective as a whole)."""
    today = (state.get("objectives_by_day") or {}).get(str(day)) or {}
    agreed = state.get("agreed") or {}
    rows = []
    for objective_id, objective in scenario.objectives.items():
        teams = []
        for team in scenario.teams:
            counts = (today.get(objective_id) or {}).get(team) or {}
            whole = ((agreed.get(objective_id) or {}).get(team) or {}).get("")
            teams.append({"team": team, "counts": counts, "total": sum(counts.values()), "agreed": whole})
        rows.append({"objective": objective, "teams": teams})
    return rows


def _requests(requests: list, day: int) -> dict:
    """How many requests the teams made that day, how many were answered, and the median wait (minutes)."""
    asked = [r for r in requests if day_of(r.get("exercise_time")) == day]
    waits = [r["response"] for r in asked if r.get("response") is not None]
    return {"asked": len(asked), "answered": sum(1 for r in asked if r.get("answer")),
            "median": round(median(waits) / 60) if waits else None}
