"""The after-action report draft (HSEEP's shape) and the event exports, built from the log.

No Flask here: the views pass in what the role may see, and the language of the person who asked,
and get HTML text or lines back.
"""

import csv
import io
import json
import re
from collections import Counter, defaultdict
from datetime import date

from babel.dates import format_date
from markupsafe import Markup, escape

from .events import RATINGS, placed_time
from .feedback import is_anonymous, questionnaires, summarise
from .i18n import N_, SOURCE_LANGUAGE, Message, _
from .permissions import role_team
from .rules import LABELS
from .state import STEPS, disagree
from .timefmt import split_exercise_time

_ISOLATE_MARKS = re.compile("[\u2066-\u2069]")
# Okabe–Ito, as on the screens: P, S, M, U
RATING_COLOURS = {"P": "#009E73", "S": "#56B4E9", "M": "#E69F00", "U": "#D55E00"}
# The timeline's line for a clock event, by operation.
CLOCK_MARKS = {"start": N_("Exercise clock: start"), "pause": N_("Exercise clock: pause"),
               "resume": N_("Exercise clock: resume"), "end": N_("Exercise clock: end")}


def exercise_clock(seconds, lang: str) -> str:
    if seconds is None:
        return _("before the start").in_language(lang)
    day, time = split_exercise_time(seconds)
    return _("day %(day)s %(time)s", day=day, time=time[:5]).in_language(lang)


def report_context(scenario, state, evaluations, marks, event_count, lang: str, pseudonymised=False,
                   requests=(), charts=True, feedback=()) -> dict:
    """Gather what the report template shows: overview, analysis per objective, timeline, plan, participant
    feedback; the scenario's texts and ExCon's own in `lang`; people by pseudonym when `pseudonymised`;
    `requests`: every team request with its answer (Exercise.requests_for); `charts`: draw the charts (the
    HTML draft); `feedback`: the participants' answers that count (Exercise.feedback_for), summed up here
    without their authors' names (a report goes beyond the exercise team)."""
    scenario = scenario.in_language(lang)
    aliases = pseudonyms(scenario, lang) if pseudonymised else None
    raw = scenario.raw
    teams = list(scenario.teams.values())
    objectives = []
    for obj in raw["objectives"]:
        rows = [e for e in evaluations if e["objective"] == obj["id"]]
        counts = state["objectives"].get(obj["id"], {})
        agreed = state.get("agreed", {}).get(obj["id"], {})
        table = [{"team": t["name"], **counts.get(t["id"], dict.fromkeys(RATINGS, 0)),
                  "agreed": _agreed(agreed.get(t["id"], {}).get(""), scenario, lang, aliases)} for t in teams]
        titles = {task["id"]: task["title"] for task in obj["tasks"]}
        agreed_tasks = [{"team": t["name"], "task": titles.get(task, task), **_agreed(entry, scenario, lang, aliases)}
                        for t in teams for task, entry in agreed.get(t["id"], {}).items() if task]
        tasks = Counter(e.get("task") for e in rows)
        # The findings are the observations the evaluators marked for the report, grouped by theme; the rest are
        # counted (every one is in the annex, events.csv) — never "the latest few".
        picked = [e for e in rows if e.get("for_report")]
        findings = {side: _by_theme([e for e in picked if _finding_side(e) == side], scenario, lang, aliases)
                    for side in ("strength", "improvement")}
        not_picked = Counter(e.get("tag") or "other" for e in rows if not e.get("for_report"))
        objectives.append({
            "id": obj["id"], "title": obj["title"], "tasks": obj["tasks"], "table": table,
            "total": len(rows), "task_counts": {t["title"]: tasks.get(t["id"], 0) for t in obj["tasks"]},
            "findings": findings, "picked": len(picked),
            "not_picked": {k: not_picked.get(k, 0) for k in ("strength", "improvement", "other")},
            "chart": _rating_chart(table, lang) if charts else "",
            "raters": raters_side_by_side(rows, teams, scenario, lang, aliases),
            "agreed_tasks": agreed_tasks,
        })
    # The improvement plan (HSEEP's columns): a row per area for improvement the evaluators picked for the
    # report, by objective and theme; what to do about it, who and by when, the exercise team writes.
    plan = [{"objective": o["title"], "issue": group["theme"] or group["entries"][0]["note"], "teams": group["teams"],
             "count": len(group["entries"])} for o in objectives for group in o["findings"]["improvement"]]
    injects = []
    for inject_id, entry in state["injects"].items():
        row = scenario.injects.get(inject_id, {})  # an MSEL inject's title in `lang`; an ad-hoc one's as written
        out = entry.get("released") or {}
        # out to some of its teams, the others still to do, skipped or deferred: when it first went out
        partly = [scenario.teams[t]["name"] for t in out] if out and entry["status"] != "released" else []
        first_out = min((t for t in out.values() if t is not None), default=None)
        when = (exercise_clock(first_out if partly else entry.get("exercise_time"), lang)
                if entry["status"] != "pending" or partly else
                _("day %(day)s %(time)s (scheduled)", day=row.get("day"), time=row.get("time")).in_language(lang))
        injects.append({"id": inject_id, "title": row.get("title") or entry.get("title") or "", "status": entry["status"],
                        "when": when, "partly": partly,
                        "reason": entry.get("reason", ""),
                        "responses": {scenario.teams[t]["name"]: round(s / 60) for t, s in entry.get("responses", {}).items()},
                        "teams": [scenario.teams[t]["name"] for t in (entry.get("teams") or row.get("teams", []))]})
    kinds = {k: v["label"] for k, v in scenario.request_kinds.items()}
    other = _("Other request").in_language(lang)
    by_team = state.get("requests_by_team", {})
    asked = {
        "by_team": [{"team": t["name"], **{k: (round(v / 60) if k in ("median", "longest") and v is not None else v)
                                           for k, v in by_team[t["id"]].items()}}
                    for t in teams if t["id"] in by_team],
        "list": [{"team": scenario.teams[r["team"]]["name"], "kind": kinds.get(r.get("request_kind"), other),
                  "text": r.get("text") or "", "when": exercise_clock(r.get("exercise_time"), lang),
                  "answer": (r["answer"] or {}).get("text") or "", "inject": (r["answer"] or {}).get("inject"),
                  "minutes": None if r["answer"] is None else round(r["response"] / 60)}
                 for r in requests],  # every request (Exercise.requests_for), not only those the state carries
    }
    # The main events: clock changes, injects dropped or moved, safety alerts and the moments picked for the
    # report — not every bookmark of the week (a week has well over a thousand).
    timeline = [{"when": exercise_clock(placed_time(m), lang), "what": _mark_text(m, scenario, lang, aliases)}
                for m in marks if m["kind"] != "inject" and (m["kind"] not in ("note", "evaluation") or m.get("for_report"))]
    # The first and last day logged, as the reader's language writes dates ("28 ноября 2026 г.", "Nov 28, 2026").
    first, last = (format_date(date.fromisoformat(m["ts"][:10]), "long", locale=lang) for m in (marks[0], marks[-1])) \
        if marks else ("", "")
    return {
        "exercise": raw.get("exercise", {}), "days": raw["days"], "sites": raw["sites"], "teams": teams,
        "objectives": objectives, "plan": plan, "injects": injects, "timeline": timeline, "requests": asked,
        "dates": (first if first == last else f"{first} – {last}") if first else _("nothing logged yet").in_language(lang),
        "event_count": event_count,
        "evaluation_count": len(evaluations), "clock": state["clock"],
        "response_chart": _response_chart(injects, teams, lang) if charts else "",
        "ratings": RATINGS,
        "feedback": summarise(scenario, list(feedback)),  # [] for a scenario without questionnaires
    }


def isolatable(text) -> str:
    """Return text people wrote less its own bidi isolate marks (U+2066–U+2069): one typed U+2069
    would end the isolate (<bdi>, or U+2068 … U+2069) that keeps its overrides off ExCon's words."""
    return _ISOLATE_MARKS.sub("", str(text))


def _isolated(text: str) -> str:
    """Text people wrote, in its own bidi isolate, where it is joined to other text in one line."""
    return "\u2068" + isolatable(text) + "\u2069"


def raters_side_by_side(evaluations, teams, scenario, lang: str, aliases=None) -> list[dict]:
    """Return, per team rated against one objective (and per critical task rated on its own), each
    evaluator's ratings in order, and whether their latest ratings lie DISAGREEMENT steps or more apart
    (P against M, S against U …).  A rating of a task is never set against one of the whole objective."""
    rows = []
    for team in teams:
        tasks = [""] + sorted({e["task"] for e in evaluations if e["team"] == team["id"] and e.get("task")})
        for task in tasks:
            by_rater = defaultdict(list)
            for e in evaluations:
                if e["team"] == team["id"] and (e.get("task") or "") == task:
                    by_rater[who_name(e, scenario, lang, aliases)].append(e["rating"])
            if not by_rater:
                continue
            latest = [ratings[-1] for ratings in by_rater.values()]
            title = next((t["title"] for o in scenario.objectives.values() for t in o["tasks"] if t["id"] == task), "")
            rows.append({"team": team["name"], "task": title,
                         "raters": [{"who": who, "ratings": " ".join(r)} for who, r in by_rater.items()],
                         "disagree": disagree(latest),
                         "range": f"{min(latest, key=STEPS.get)}–{max(latest, key=STEPS.get)}"})
    return rows


def _agreed(entry: dict | None, scenario, lang: str, aliases=None) -> dict:
    """Return an agreed rating as the report shows it (empty when none was recorded)."""
    if entry is None:
        return {}
    return {"rating": entry["rating"], "rationale": entry["rationale"], "when": exercise_clock(entry["exercise_time"], lang),
            "who": who_name({"by": entry["by"], "role": entry["by"]}, scenario, lang, aliases)}


def _finding_side(e) -> str:
    """Which findings an observation marked for the report goes under: its tag, else its rating (P, S: strength)."""
    return e.get("tag") or ("strength" if e["rating"] in ("P", "S") else "improvement")


def _by_theme(entries: list, scenario, lang: str, aliases=None) -> list:
    """Group findings by their theme, the most observed first; those without one last."""
    themes = defaultdict(list)
    for e in entries:
        themes[(e.get("theme") or "").strip()].append(e)
    order = sorted(themes.items(), key=lambda kv: (kv[0] == "", -len(kv[1]), kv[0].casefold()))
    groups = []
    for theme, found in order:
        entries = [_evidence(e, scenario, lang, aliases) for e in sorted(found, key=lambda e: placed_time(e) or 0)]
        # The report's body quotes a few, spread over the exercise (not the latest); its annex has them all.
        shown = sorted({round(i * (len(entries) - 1) / (EXAMPLES - 1)) for i in range(EXAMPLES)}) \
            if len(entries) > EXAMPLES else range(len(entries))
        groups.append({"theme": theme, "teams": sorted({scenario.teams[e["team"]]["name"] for e in found}),
                       "entries": entries, "examples": [entries[i] for i in shown]})
    return groups


def _evidence(e, scenario, lang: str, aliases=None) -> dict:
    return {"when": exercise_clock(placed_time(e), lang), "observed_at": e.get("observed_at", ""),
            "team": scenario.teams[e["team"]]["name"], "site": scenario.sites[e["site"]]["name"] if e.get("site") else "",
            "rating": e["rating"], "note": e["note"], "who": who_name(e, scenario, lang, aliases),
            "photos": e.get("photos") or [],
            "task": next((t["title"] for t in scenario.objectives[e["objective"]]["tasks"] if t["id"] == e.get("task")), "")}


def _mark_text(m, scenario, lang: str, aliases=None) -> str:
    kind = m["kind"]
    if kind == "clock":
        return Message(CLOCK_MARKS[m["op"]]).in_language(lang)
    if kind == "inject_skip":
        return _("Inject %(inject)s skipped: %(reason)s", inject=m["inject"], reason=m["reason"]).in_language(lang)
    if kind == "inject_defer":
        return _("Inject %(inject)s deferred: %(reason)s", inject=m["inject"], reason=m["reason"]).in_language(lang)
    if kind == "inject_recall":
        return _("Inject %(inject)s recalled: %(reason)s", inject=m["inject"], reason=m["reason"]).in_language(lang)
    if kind == "schedule_shift":
        return _("Schedule shifted by %(minutes)s min from day %(day)s %(time)s: %(reason)s", minutes=m["minutes"],
                 day=m["day"], time=m["time"], reason=m["reason"]).in_language(lang)
    who = who_name(m, scenario, lang, aliases)
    if kind == "safety":
        return _("Real-world safety alert (%(role)s): %(text)s", role=who,
                 text=m.get("text") or _("no text")).in_language(lang)
    return _("Bookmark (%(role)s): %(text)s", role=who, text=m.get("text") or m.get("note", "")).in_language(lang)


def who_name(event: dict, scenario, lang: str, aliases: dict | None = None) -> str:
    """Return who logged `event`: the person of the roster by name (or by pseudonym: `aliases`), else
    the role of the shared code."""
    person = scenario.people.get(event.get("by"))
    if person is None:
        return role_name(event["role"], scenario, lang)
    return aliases[person["id"]] if aliases else person["name"]


def pseudonyms(scenario, lang: str) -> dict:
    """Return a stable pseudonym for each person of the roster, for sharing outside the exercise team:
    their role in the roster and their number among those of that role, in the roster's order
    ("evaluator 2", «оценщик 2»)."""
    numbers, named = Counter(), {}
    for person in scenario.people.values():
        numbers[person["role"]] += 1
        role = Message(LABELS["person_role"][person["role"]]).in_language(lang)
        named[person["id"]] = _("%(role)s %(number)s", role=role, number=numbers[person["role"]]).in_language(lang)
    return named


def role_name(role: str, scenario, lang: str) -> str:
    """Return how a role is called in `lang`: "evaluator", or a team's name for a team's tablet (pages and report alike)."""
    team = role_team(role)
    if team is None:
        return Message(LABELS["role"].get(role, role)).in_language(lang)
    if team not in scenario.teams:
        return role
    return _("team tablet: %(team)s", team=scenario.teams[team]["name"]).in_language(lang)


def _rating_chart(table, lang: str) -> Markup:
    """The ratings per team as stacked bars, in inline SVG: the report needs no charting library (plotly.js
    inline was 4.8 MB of the file) and prints as it is drawn."""
    title = _("Ratings per team (P/S/M/U)").in_language(lang)
    most = max((sum(row[r] for r in "PSMU") for row in table), default=0) or 1
    bar, gap, left, width = 22, 8, 120, 420
    rows = []
    for i, row in enumerate(table):
        y = 28 + i * (bar + gap)
        x = left
        rows.append(f'<text x="{left - 6}" y="{y + bar * 0.7:.0f}" text-anchor="end">{escape(row["team"])}</text>')
        for r in "PSMU":
            w = width * row[r] / most
            if row[r]:
                rows.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{RATING_COLOURS[r]}">'
                            f'<title>{r}: {row[r]}</title></rect>')
                if w >= 18:
                    rows.append(f'<text x="{x + w / 2:.1f}" y="{y + bar * 0.7:.0f}" text-anchor="middle">{row[r]}</text>')
            x += w
    legend = "".join(f'<rect x="{left + 70 * n}" y="4" width="12" height="12" fill="{RATING_COLOURS[r]}"/>'
                     f'<text x="{left + 70 * n + 16}" y="14">{r}</text>' for n, r in enumerate("PSMU"))
    height = 28 + len(table) * (bar + gap)
    return Markup(f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {left + width + 20} {height}" '
                  f'width="{left + width + 20}" height="{height}" font-size="12" font-family="sans-serif">'
                  f'<title>{escape(title)}</title>{legend}{"".join(rows)}</svg>')


def _response_chart(injects, teams, lang: str) -> Markup:
    """The teams' response times per inject as a small-multiples table of bars, in inline SVG (see _rating_chart)."""
    released = [i for i in injects if i["responses"]]  # out to all its teams, or to some so far
    title = _("Response time per inject (minutes, release → first answering action)").in_language(lang)
    most = max((m for i in released for m in i["responses"].values()), default=0) or 1
    row_height, left, width = 14, 60, 360
    parts, y = [], 30
    legend = "".join(f'<rect x="{left + 110 * n}" y="4" width="12" height="12" fill="{t.get("color", "#888")}"/>'
                     f'<text x="{left + 110 * n + 16}" y="14">{escape(t["name"])}</text>' for n, t in enumerate(teams))
    for inject in released:
        parts.append(f'<text x="{left - 6}" y="{y + 10}" text-anchor="end">{escape(inject["id"])}</text>')
        for team in teams:
            minutes = inject["responses"].get(team["name"])
            if minutes is None:
                continue
            w = max(1.0, width * minutes / most)
            parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{row_height - 3}" fill="{team.get("color", "#888")}">'
                         f'<title>{escape(team["name"])}: {minutes}</title></rect>'
                         f'<text x="{left + w + 3:.1f}" y="{y + row_height - 4}" font-size="10">{minutes}</text>')
            y += row_height
        y += 6
    return Markup(f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {left + width + 60} {y}" '
                  f'width="{left + width + 60}" height="{y}" font-size="12" font-family="sans-serif">'
                  f'<title>{escape(title)}</title>{legend}{"".join(parts)}</svg>')


def events_jsonl(events):
    """Yield one JSON line per event."""
    for event in events:
        yield json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n"


CSV_FREE_TEXT = ("note", "text", "reason", "rationale", "title", "description", "theme")  # typed by people
EXAMPLES = 2  # observations quoted per theme in the body of a report; the annex lists every one

# One column per field of any kind, in this order; an id column is followed by the name it stands for.
CSV_ENVELOPE = ("seq", "id", "kind", "ts", "exercise_day", "exercise_clock", "exercise_time", "observed_at", "observed_time",
                "role", "by", "by_name", "conn")  # exercise time also as day and time; who, with the person's name
CSV_FIELDS = ("team", "site", "objective", "task", "action_type", "rating", "tag", "bookmark", "note", "text",
              "inject", "adhoc", "title", "description", "teams", "delivery", "op", "day", "time", "rate",
              "target", "reason", "removed", "rationale", "person", "sites", "objectives", "start", "end",
              "minutes", "request", "request_kind", "photos", "for_report", "theme", "questionnaire", "answers")
CSV_NAMED = {"team": "team_name", "site": "site_name", "objective": "objective_title", "task": "task_title",
             "action_type": "action_label", "inject": "inject_title", "teams": "team_names", "person": "person_name",
             "sites": "site_names", "objectives": "objective_titles", "request_kind": "request_label"}
# Each column's header: in English the column's id, in another language from the catalogs.
CSV_HEADERS = {
    "seq": N_("seq"), "id": N_("id"), "kind": N_("kind"), "ts": N_("ts"), "exercise_day": N_("exercise_day"),
    "exercise_clock": N_("exercise_clock"), "exercise_time": N_("exercise_time"), "observed_at": N_("observed_at"),
    "observed_time": N_("observed_time"), "photos": N_("photos"), "for_report": N_("for_report"), "theme": N_("theme"),
    "role": N_("role"), "by": N_("by"), "by_name": N_("by_name"), "conn": N_("conn"), "team": N_("team"),
    "team_name": N_("team_name"), "site": N_("site"),
    "site_name": N_("site_name"), "objective": N_("objective"), "objective_title": N_("objective_title"),
    "task": N_("task"), "task_title": N_("task_title"), "action_type": N_("action_type"),
    "action_label": N_("action_label"), "rating": N_("rating"), "tag": N_("tag"), "bookmark": N_("bookmark"),
    "note": N_("note"), "text": N_("text"), "inject": N_("inject"), "inject_title": N_("inject_title"),
    "adhoc": N_("adhoc"), "title": N_("title"), "description": N_("description"), "teams": N_("teams"),
    "team_names": N_("team_names"), "delivery": N_("delivery"), "op": N_("op"), "day": N_("day"), "time": N_("time"),
    "rate": N_("rate"), "target": N_("target"), "reason": N_("reason"), "removed": N_("removed"),
    "rationale": N_("rationale"), "person": N_("person"), "person_name": N_("person_name"), "sites": N_("sites"),
    "site_names": N_("site_names"), "objectives": N_("objectives"), "objective_titles": N_("objective_titles"),
    "start": N_("start"), "end": N_("end"), "minutes": N_("minutes"), "request": N_("request"),
    "request_kind": N_("request_kind"), "request_label": N_("request_label"), "questionnaire": N_("questionnaire"),
    "answers": N_("answers"),
}


def csv_columns() -> list[str]:
    """Return the CSV's column ids: the envelope, then every field, each id followed by its name's column."""
    columns = list(CSV_ENVELOPE)
    for name in CSV_FIELDS:
        columns.append(name)
        if name in CSV_NAMED:
            columns.append(CSV_NAMED[name])
    return columns


def csv_header(lang: str = SOURCE_LANGUAGE) -> list[str]:
    """Return the CSV's header row in `lang` (in English, the column ids)."""
    return [Message(CSV_HEADERS[column]).in_language(lang) for column in csv_columns()]


def events_csv(events, scenario, lang: str, pseudonymised=False):
    """Yield CSV text that spreadsheets open as it is: UTF-8 with a byte-order mark (Excel reads
    Cyrillic right), one column per field, names and titles next to the ids; the header and the
    scenario's names in `lang`; people by pseudonym (in `by` and `by_name`) when `pseudonymised`."""
    scenario = scenario.in_language(lang)
    aliases = pseudonyms(scenario, lang) if pseudonymised else None
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(csv_header(lang))
    for event in events:
        writer.writerow(_csv_row(event, scenario, aliases))
        if buffer.tell() > 65536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def feedback_csv(answers: list, scenario, lang: str, pseudonymised=False) -> str:
    """Return the participants' answers as CSV (UTF-8 with a byte-order mark): a row per answer, a column
    per question of every questionnaire (its words in `lang`); a named answer's author by name or pseudonym
    and when it was stored; answers: Exercise.feedback_for's."""
    scenario = scenario.in_language(lang)
    aliases = pseudonyms(scenario, lang) if pseudonymised else None
    questions = [(q["id"], question["id"], question["text"]) for q in questionnaires(scenario).values()
                 for question in q["questions"]]
    titles = {q["id"]: q["title"] for q in questionnaires(scenario).values()}
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([Message(text).in_language(lang) for text in (N_("ts"), N_("questionnaire"), N_("title"), N_("day"),
                                                                  N_("by_name"))] + [q[2] for q in questions])
    for a in answers:  # an anonymous one without when it came in (feedback.unstamped), in no telling order
        by = "" if is_anonymous(a) else _who_columns(a, scenario, aliases)[1] or a.get("by", "")
        cells = [a["answers"].get(qid) if a["questionnaire"] == q else None for q, qid, _text in questions]
        writer.writerow([a.get("ts", ""), a["questionnaire"], titles.get(a["questionnaire"], ""), a.get("day") or "", by]
                        + ["" if c is None else _spreadsheet_safe(c) for c in cells])
    return buffer.getvalue()


def _spreadsheet_safe(value):
    """A text a spreadsheet would take for a formula ("=…", "+…", "-…", "@…"), kept as text with a leading apostrophe."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


def _csv_row(event: dict, scenario, aliases=None) -> list:
    day, clock = split_exercise_time(event["exercise_time"]) if event.get("exercise_time") is not None else ("", "")
    row = [event["seq"], event["id"], event["kind"], event["ts"], day, clock,
           "" if event.get("exercise_time") is None else event["exercise_time"], event.get("observed_at", ""),
           "" if event.get("observed_time") is None else event["observed_time"], event["role"],
           *_who_columns(event, scenario, aliases), event.get("conn", "")]
    for name in CSV_FIELDS:
        value = event.get(name, "")
        if name == "person" and aliases and value in aliases:
            value = aliases[value]
        if name in ("bookmark", "for_report") and value is False:
            value = ""
        if isinstance(value, dict):  # a questionnaire's answers: {question: answer}, as JSON
            value = json.dumps(value, ensure_ascii=False)
        if name in CSV_FREE_TEXT:  # what people typed: a spreadsheet must not run "=HYPERLINK(…)" from a note
            value = _spreadsheet_safe(value)
        row.append("; ".join(map(str, value)) if isinstance(value, list) else ("" if value is None else value))
        if name in CSV_NAMED:
            row.append(_name_of(name, event, scenario, aliases))
    return row


def _who_columns(event: dict, scenario, aliases=None) -> tuple:
    """Return the `by` and `by_name` cells: the person's id and name, or one pseudonym in both."""
    by = event.get("by", "")
    if by not in scenario.people:
        return by, ""
    return (aliases[by], aliases[by]) if aliases else (by, scenario.people[by]["name"])


def _name_of(name: str, event: dict, scenario, aliases=None) -> str:
    """Return what an id in `event` stands for in the scenario (empty when it has none)."""
    value = event.get(name)
    if not value:
        return ""
    if name in ("teams", "sites", "objectives"):
        table, field = {"teams": (scenario.teams, "name"), "sites": (scenario.sites, "name"),
                        "objectives": (scenario.objectives, "title")}[name]
        return "; ".join(table.get(i, {}).get(field, i) for i in value)
    if name == "person":
        return aliases[value] if aliases and value in aliases else scenario.people.get(value, {}).get("name", "")
    if name == "task":
        tasks = scenario.objectives.get(event.get("objective"), {}).get("tasks", [])
        return next((t["title"] for t in tasks if t["id"] == value), "")
    if name == "inject":
        return scenario.injects.get(value, {}).get("title", event.get("title") or "")
    table, field = {"team": (scenario.teams, "name"), "site": (scenario.sites, "name"),
                    "objective": (scenario.objectives, "title"), "action_type": (scenario.action_types, "label"),
                    "request_kind": (scenario.request_kinds, "label")}[name]
    return table.get(value, {}).get(field, "")
