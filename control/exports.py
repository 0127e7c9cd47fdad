"""The after-action report draft (HSEEP's shape) and the event exports, built from the log.

No Flask here: the views pass in what the role may see and get HTML text or lines back.
"""

import csv
import io
import json
import re
from collections import Counter, defaultdict

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from .events import RATINGS
from .timefmt import split_exercise_time

_ISOLATE_MARKS = re.compile("[\u2066-\u2069]")
EVIDENCE_PER_CELL = 25  # notes shown per objective and tag; the rest are in the CSV export
# Okabe–Ito, as on the screens: P, S, M, U
RATING_COLOURS = {"P": "#009E73", "S": "#56B4E9", "M": "#E69F00", "U": "#D55E00"}


def exercise_clock(seconds) -> str:
    if seconds is None:
        return "before the start"
    day, time = split_exercise_time(seconds)
    return f"day {day} {time[:5]}"


def report_context(scenario, state, evaluations, marks, event_count) -> dict:
    """Gather what the report template shows: overview, analysis per objective, timeline, plan."""
    raw = scenario.raw
    teams = list(scenario.teams.values())
    objectives = []
    for obj in raw["objectives"]:
        rows = [e for e in evaluations if e["objective"] == obj["id"]]
        counts = state["objectives"].get(obj["id"], {})
        table = [{"team": t["name"], **counts.get(t["id"], dict.fromkeys(RATINGS, 0))} for t in teams]
        tasks = Counter(e.get("task") for e in rows)
        grouped = {
            "strength": [e for e in rows if e.get("tag") == "strength"],
            "improvement": [e for e in rows if e.get("tag") == "improvement"],
            "other": [e for e in rows if not e.get("tag")],
        }
        evidence = {k: [_evidence(e, scenario) for e in v[-EVIDENCE_PER_CELL:]] for k, v in grouped.items()}
        objectives.append({
            "id": obj["id"], "title": obj["title"], "tasks": obj["tasks"], "table": table,
            "total": len(rows), "task_counts": {t["title"]: tasks.get(t["id"], 0) for t in obj["tasks"]},
            "evidence": evidence, "hidden": {k: max(0, len(v) - EVIDENCE_PER_CELL) for k, v in grouped.items()},
            "chart": _rating_chart(obj, table),
        })
    improvements = defaultdict(list)
    for e in evaluations:
        if e.get("tag") == "improvement" or e["rating"] in ("M", "U"):
            improvements[(e["objective"], e.get("task"))].append(e)
    plan = []
    for (obj_id, task_id), rows in sorted(improvements.items(), key=lambda kv: -len(kv[1])):
        obj = scenario.objectives[obj_id]
        task = next((t["title"] for t in obj["tasks"] if t["id"] == task_id), "the objective as a whole")
        notes = Counter(_isolated(e["note"]) for e in rows).most_common(2)
        plan.append({"objective": obj["title"], "task": task, "count": len(rows),
                     "teams": sorted({scenario.teams[e["team"]]["name"] for e in rows}),
                     "observation": " / ".join(n for n, _ in notes)})
    injects = []
    for inject_id, entry in state["injects"].items():
        row = scenario.injects.get(inject_id, {})
        injects.append({"id": inject_id, "title": entry.get("title") or row.get("title", ""), "status": entry["status"],
                        "when": exercise_clock(entry.get("exercise_time")) if entry["status"] != "pending" else
                        f"day {row.get('day')} {row.get('time')} (scheduled)",
                        "reason": entry.get("reason", ""),
                        "responses": {scenario.teams[t]["name"]: round(s / 60) for t, s in entry.get("responses", {}).items()},
                        "teams": [scenario.teams[t]["name"] for t in (entry.get("teams") or row.get("teams", []))]})
    timeline = [{"when": exercise_clock(m["exercise_time"]), "what": _mark_text(m, scenario)} for m in marks
                if m["kind"] != "inject"]
    first = marks[0]["ts"][:10] if marks else ""
    last = marks[-1]["ts"][:10] if marks else ""
    return {
        "exercise": raw.get("exercise", {}), "days": raw["days"], "sites": raw["sites"], "teams": teams,
        "objectives": objectives, "plan": plan, "injects": injects, "timeline": timeline,
        "dates": f"{first} – {last}" if first else "not started", "event_count": event_count,
        "evaluation_count": len(evaluations), "clock": state["clock"],
        "response_chart": _response_chart(injects, teams),
        # plotly.js itself, inline in the page: the report opens and prints with no network.
        "plotlyjs": get_plotlyjs(),
        "ratings": RATINGS,
    }


def isolatable(text) -> str:
    """Return text people wrote less its own bidi isolate marks (U+2066–U+2069): one typed U+2069
    would end the isolate (<bdi>, or U+2068 … U+2069) that keeps its overrides off ExCon's words."""
    return _ISOLATE_MARKS.sub("", str(text))


def _isolated(text: str) -> str:
    """Text people wrote, in its own bidi isolate, where it is joined to other text in one line."""
    return "\u2068" + isolatable(text) + "\u2069"


def _evidence(e, scenario) -> dict:
    return {"when": exercise_clock(e.get("exercise_time")), "observed_at": e.get("observed_at", ""),
            "team": scenario.teams[e["team"]]["name"], "site": scenario.sites[e["site"]]["name"] if e.get("site") else "",
            "rating": e["rating"], "note": e["note"], "role": e["role"],
            "task": next((t["title"] for t in scenario.objectives[e["objective"]]["tasks"] if t["id"] == e.get("task")), "")}


def _mark_text(m, scenario) -> str:
    kind = m["kind"]
    if kind == "clock":
        return f"Exercise clock: {m['op']}"
    if kind in ("inject_skip", "inject_defer"):
        return f"Inject {m['inject']} {'skipped' if kind == 'inject_skip' else 'deferred'}: {m['reason']}"
    if kind == "safety":
        return f"Real-world safety alert ({m['role']}): {m.get('text') or 'no text'}"
    return f"Bookmark ({m['role']}): {m.get('text') or m.get('note', '')}"


def _rating_chart(obj, table) -> str:
    fig = go.Figure([go.Bar(name=r, x=[row["team"] for row in table], y=[row[r] for row in table],
                            marker_color=RATING_COLOURS[r]) for r in "PSMU"])
    fig.update_layout(barmode="stack", height=260, margin=dict(l=40, r=10, t=30, b=30),
                      title=dict(text="Ratings per team (P/S/M/U)", font=dict(size=13)), legend=dict(orientation="h"))
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, config={"displayModeBar": False, "staticPlot": True})


def _response_chart(injects, teams) -> str:
    released = [i for i in injects if i["status"] == "released" and i["responses"]]
    fig = go.Figure([go.Bar(name=t["name"], x=[i["id"] for i in released],
                            y=[i["responses"].get(t["name"]) for i in released], marker_color=t.get("color"))
                     for t in teams])
    fig.update_layout(barmode="group", height=300, margin=dict(l=40, r=10, t=30, b=40),
                      title=dict(text="Response time per inject (minutes, release → first answering action)",
                                 font=dict(size=13)), legend=dict(orientation="h"))
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, config={"displayModeBar": False, "staticPlot": True})


def events_jsonl(events):
    """Yield one JSON line per event."""
    for event in events:
        yield json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n"


# One column per field of any kind, in this order; an id column is followed by the name it stands for.
CSV_FIELDS = ("team", "site", "objective", "task", "action_type", "rating", "tag", "bookmark", "note", "text",
              "inject", "adhoc", "title", "description", "teams", "delivery", "op", "day", "time", "rate",
              "target", "reason", "removed")
CSV_NAMED = {"team": "team_name", "site": "site_name", "objective": "objective_title", "task": "task_title",
             "action_type": "action_label", "inject": "inject_title", "teams": "team_names"}


def csv_header() -> list[str]:
    """Return the CSV's columns: the envelope (exercise time also as day and time), then every field."""
    columns = ["seq", "id", "kind", "ts", "exercise_day", "exercise_clock", "exercise_time", "observed_at", "role",
               "conn"]
    for name in CSV_FIELDS:
        columns.append(name)
        if name in CSV_NAMED:
            columns.append(CSV_NAMED[name])
    return columns


def events_csv(events, scenario):
    """Yield CSV text that spreadsheets open as it is: UTF-8 with a byte-order mark (Excel reads
    Cyrillic right), one column per field, names and titles next to the ids."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(csv_header())
    for event in events:
        writer.writerow(_csv_row(event, scenario))
        if buffer.tell() > 65536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_row(event: dict, scenario) -> list:
    day, clock = split_exercise_time(event["exercise_time"]) if event.get("exercise_time") is not None else ("", "")
    row = [event["seq"], event["id"], event["kind"], event["ts"], day, clock,
           "" if event.get("exercise_time") is None else event["exercise_time"], event.get("observed_at", ""),
           event["role"], event.get("conn", "")]
    for name in CSV_FIELDS:
        value = event.get(name, "")
        if name == "bookmark" and value is False:
            value = ""
        row.append("; ".join(map(str, value)) if isinstance(value, list) else ("" if value is None else value))
        if name in CSV_NAMED:
            row.append(_name_of(name, event, scenario))
    return row


def _name_of(name: str, event: dict, scenario) -> str:
    """Return what an id in `event` stands for in the scenario (empty when it has none)."""
    value = event.get(name)
    if not value:
        return ""
    if name == "teams":
        return "; ".join(scenario.teams.get(t, {}).get("name", t) for t in value)
    if name == "task":
        tasks = scenario.objectives.get(event.get("objective"), {}).get("tasks", [])
        return next((t["title"] for t in tasks if t["id"] == value), "")
    if name == "inject":
        return scenario.injects.get(value, {}).get("title", event.get("title") or "")
    table, field = {"team": (scenario.teams, "name"), "site": (scenario.sites, "name"),
                    "objective": (scenario.objectives, "title"), "action_type": (scenario.action_types, "label")}[name]
    return table.get(value, {}).get(field, "")
