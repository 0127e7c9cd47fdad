"""The after-action report and improvement plan (AAR/IP) as a Word document: what the exercise team
edits into the report the sponsor receives.

HSEEP's shape: cover and handling, executive summary, exercise overview, scenario summary, analysis
of each objective (the agreed rating per team, the findings the evaluators picked, grouped by theme,
room for analysis and root cause), a short timeline, participant feedback, conclusion, and the
appendices — the improvement plan with HSEEP's columns, the participants, the control cell's requests.
Everything a person has to write is marked in the text, highlighted: "[TO WRITE: …]".  Built from
`exports.report_context` (one gathering of the data for the HTML draft and this); no Flask.
"""

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_BREAK, WD_COLOR_INDEX
from docx.shared import Mm, Pt

from .events import placed_time
from .exports import CLOCK_MARKS, exercise_clock, who_name
from .i18n import Message, _

FINDINGS_IN_SUMMARY = 3  # themes named as major strengths / primary areas for improvement


def aar_docx(context: dict, scenario, marks: list, lang: str, aliases=None) -> bytes:
    """Return the AAR/IP as .docx bytes, in `lang`.

    context: report_context's answer; marks: the replay's moments (injects, clock changes, safety alerts,
    bookmarks), corrections applied."""
    scenario = scenario.in_language(lang)

    def say(message) -> str:
        return message.in_language(lang)

    def to_write(paragraph, what: str):
        return _to_write(paragraph, what, lang)

    doc = Document()
    _styles(doc)
    exercise = context["exercise"]
    # -- cover
    doc.add_paragraph(exercise.get("title", ""), style="Title")
    doc.add_paragraph(say(_("After-Action Report / Improvement Plan")), style="Subtitle")
    for line in (context["dates"], exercise.get("venue"), exercise.get("sponsor")):
        if line:
            doc.add_paragraph(str(line))
    draft = doc.add_paragraph().add_run(
        say(_("DRAFT prepared by ExCon from the exercise log: review every section before it is sent.")))
    draft.bold = True
    draft.font.highlight_color = WD_COLOR_INDEX.YELLOW
    doc.add_heading(say(_("Handling instructions")), level=1)
    to_write(doc.add_paragraph(), say(_("who may receive this report, how it is to be handled, and whom to ask about it")))
    doc.paragraphs[-1].runs[-1].add_break(WD_BREAK.PAGE)

    objectives = context["objectives"]
    strengths = _top_themes(objectives, "strength")
    improvements = _top_themes(objectives, "improvement")
    # -- executive summary
    doc.add_heading(say(_("Executive summary")), level=1)
    to_write(doc.add_paragraph(), say(_("two or three paragraphs: the exercise, who took part, and what it showed")))
    doc.add_heading(say(_("Major strengths")), level=2)
    _findings_list(doc, strengths, say(_("No observation marked for the report as a strength yet.")), lang)
    doc.add_heading(say(_("Primary areas for improvement")), level=2)
    _findings_list(doc, improvements, say(_("No observation marked for the report as an area for improvement yet.")), lang)

    # -- exercise overview
    doc.add_heading(say(_("Exercise overview")), level=1)
    agencies = sorted({a for team in scenario.teams.values() for a in team.get("agencies", [])}
                      | {p.get("agency") for p in scenario.people.values() if p.get("agency")})
    contacts = [p for p in scenario.people.values() if p["role"] in ("director", "lead_evaluator")]
    rows = [(say(_("Exercise")), exercise.get("title", "")), (say(_("Dates")), context["dates"]),
            (say(_("Scope")), exercise.get("description", "")), (say(_("Venue")), exercise.get("venue", "")),
            (say(_("Sponsor")), exercise.get("sponsor") or ""),
            (say(_("Participating organisations")), "; ".join(agencies)),
            (say(_("Points of contact")), "; ".join(f"{p['name']} ({p.get('agency', '')})" for p in contacts))]
    _table(doc, [say(_("Item")), say(_("Details"))], rows, widths=(45, 125))
    for label, value in rows:
        if not value:
            to_write(doc.add_paragraph(), say(_("%(item)s: not in the scenario", item=label)))
    doc.add_heading(say(_("Objectives")), level=2)
    for n, objective in enumerate(objectives, 1):
        doc.add_paragraph(say(_("Objective %(number)s:", number=n)) + " " + objective["title"], style="List Number")

    # -- scenario summary
    doc.add_heading(say(_("Scenario summary")), level=1)
    if exercise.get("description"):
        doc.add_paragraph(exercise["description"])
    per_day = {}
    for inject in context["injects"]:
        day = scenario.injects.get(inject["id"], {}).get("day")
        per_day[day] = per_day.get(day, 0) + 1
    for day in context["days"]:
        doc.add_paragraph(say(_("Day %(day)s: %(title)s — injects: %(count)s", day=day["day"], title=day["title"],
                                count=per_day.get(day["day"], 0))), style="List Bullet")

    # -- analysis per objective
    doc.add_heading(say(_("Analysis of objectives")), level=1)
    wording = "; ".join(f"{k} — {say(Message(v))}" for k, v in context["ratings"].items())
    doc.add_paragraph(say(_("Ratings (HSEEP):")) + " " + wording)
    for n, objective in enumerate(objectives, 1):
        doc.add_heading(say(_("Objective %(number)s:", number=n)) + " " + objective["title"], level=2)
        rows = [(t["team"], t["agreed"].get("rating") or say(_("not agreed yet")), t["agreed"].get("rationale", ""),
                 " ".join(f"{k}{t[k]}" for k in context["ratings"] if t.get(k))) for t in objective["table"]]
        _table(doc, [say(_("Team")), say(_("Agreed rating")), say(_("Rationale")), say(_("Evaluations"))], rows,
               widths=(28, 32, 80, 30))
        for side, heading in (("strength", _("Strengths")), ("improvement", _("Areas for improvement"))):
            doc.add_heading(say(heading), level=3)
            groups = objective["findings"][side]
            if not groups:
                to_write(doc.add_paragraph(), say(_("no observation of this kind marked for the report")))
            for group in groups:
                theme = group["theme"] or say(_("Without a theme"))
                more = len(group["entries"]) > len(group["examples"])  # a few quoted, spread over the exercise
                count = f" — {say(_('observations: %(count)s', count=len(group['entries'])))}" if more else ""
                doc.add_paragraph(f"{theme} ({', '.join(group['teams'])}){count}", style="Heading 4")
                for e in group["examples"]:
                    doc.add_paragraph(_evidence_line(e), style="List Bullet")
                if side == "improvement":
                    to_write(doc.add_paragraph(say(_("Analysis:")) + " "), say(_("what happened and why it matters")))
                    to_write(doc.add_paragraph(say(_("Root cause:")) + " "), say(_("why it happened")))

    # -- timeline: injects, pauses, safety alerts and the moments picked for the report
    doc.add_heading(say(_("Timeline of the main events")), level=1)
    rows = []
    titles = {i["id"]: i["title"] for i in context["injects"]}
    for m in marks:
        text = _timeline_line(m, titles, say, scenario, lang, aliases)
        if text:
            rows.append((exercise_clock(placed_time(m), lang), text))
    _table(doc, [say(_("Time")), say(_("Event"))], rows, widths=(35, 135))

    # -- participant feedback, conclusion
    doc.add_heading(say(_("Participant feedback")), level=1)
    _feedback_summary(doc, context["feedback"], say)
    to_write(doc.add_paragraph(), say(_("what the participants said in the hot washes, and what their answers show")))
    doc.add_heading(say(_("Conclusion")), level=1)
    to_write(doc.add_paragraph(), say(_("what the exercise showed, and what comes next")))

    # -- appendices
    section = doc.add_section()
    section.orientation, section.page_width, section.page_height = WD_ORIENT.LANDSCAPE, section.page_height, section.page_width
    # Appendices are lettered as the reader's language letters them (A, B … ; А, Б …), those with nothing left out.
    letters = iter(say(_("A B C D E F")).split())
    doc.add_heading(say(_("Appendix %(letter)s: Improvement plan", letter=next(letters))), level=1)
    columns = [say(_("Objective")), say(_("Issue / area for improvement")), say(_("Corrective action")),
               say(_("Capability element")), say(_("Primary responsible organisation")), say(_("Organisation POC")),
               say(_("Start date")),
               say(_("Completion date"))]
    plan = [(p["objective"], f"{p['issue']} ({', '.join(p['teams'])})", "", "", "", "", "", "") for p in context["plan"]]
    _table(doc, columns, plan or [("", "", "", "", "", "", "", "")], widths=(44, 60, 40, 24, 30, 24, 17, 18))
    to_write(doc.add_paragraph(), say(_("the corrective actions, who owns them and by when")))
    section = doc.add_section()
    section.orientation, section.page_width, section.page_height = WD_ORIENT.PORTRAIT, section.page_height, section.page_width
    doc.add_heading(say(_("Appendix %(letter)s: Participants", letter=next(letters))), level=1)
    team_names = {t: v["name"] for t, v in scenario.teams.items()}
    people = sorted(scenario.people.values(), key=lambda p: (p["role"] != "participant", p.get("team", ""), p["name"]))
    _table(doc, [say(_("Name")), say(_("Role")), say(_("Team")), say(_("Agency")), say(_("Country"))],
           [(aliases.get(p["id"], p["name"]) if aliases else p["name"], say(_role_label(p["role"])),
             team_names.get(p.get("team"), ""), p.get("agency", ""), p.get("country", "")) for p in people],
           widths=(40, 35, 30, 40, 25))
    if context["requests"]["by_team"]:
        doc.add_heading(say(_("Appendix %(letter)s: Requests to the control cell", letter=next(letters))), level=1)
        _table(doc, [say(_("Team")), say(_("Asked")), say(_("Answered")), say(_("Median wait (min)")), say(_("Longest (min)"))],
               [(r["team"], r["asked"], r["answered"], r.get("median") or "", r.get("longest") or "")
                for r in context["requests"]["by_team"]],
               widths=(40, 25, 25, 35, 35))
    if any(objective["picked"] for objective in objectives):  # every one; the analysis quotes a few per theme
        doc.add_heading(say(_("Appendix %(letter)s: The observations picked for the report", letter=next(letters))), level=1)
        for n, objective in enumerate(objectives, 1):
            for side, heading in (("strength", _("Strengths")), ("improvement", _("Areas for improvement"))):
                for group in objective["findings"][side]:
                    theme = group["theme"] or say(_("Without a theme"))
                    doc.add_heading(f"{say(_('Objective %(number)s:', number=n))} {say(heading)}: {theme}", level=3)
                    for e in group["entries"]:
                        doc.add_paragraph(_evidence_line(e), style="List Bullet")
    commented = [(q, question) for q in context["feedback"] for question in q["questions"] if question.get("texts")]
    if commented:
        doc.add_heading(say(_("Appendix %(letter)s: The participants' comments", letter=next(letters))), level=1)
        for q, question in commented:
            doc.add_heading(f"{q['title']}: {question['text']}", level=3)
            for comment in question["texts"]:
                day = f" ({say(_('day %(day)s', day=comment['day']))})" if comment.get("day") else ""
                doc.add_paragraph(comment["text"] + day, style="List Bullet")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _feedback_summary(doc, questionnaires: list, say) -> None:
    """Per questionnaire, a table of its scale questions (answers, mean, how many gave each point) and how
    many comments each free-text question drew (an appendix lists them)."""
    if not questionnaires:
        doc.add_paragraph(say(_("The scenario has no participant questionnaire.")))
    for q in questionnaires:
        kind = say(_("anonymous")) if q["anonymous"] else say(_("named"))
        doc.add_heading(f"{q['title']} ({say(_('answers: %(count)s', count=q['respondents']))}, {kind})", level=2)
        scales = [question for question in q["questions"] if question.get("scale")]
        if scales and q["respondents"]:
            points = max(question["scale"] for question in scales)
            rows = [(question["text"], question["answered"],
                     "" if question["mean"] is None else f"{question['mean']} / {question['scale']}",
                     *(question["counts"] + [""] * (points - question["scale"]))) for question in scales]
            _table(doc, [say(_("Question")), say(_("Answers")), say(_("Mean")), *map(str, range(1, points + 1))], rows,
                   widths=(70, 18, 20, *[62 / points] * points))
        for question in q["questions"]:
            if not question.get("scale"):
                doc.add_paragraph(f"{question['text']} — {say(_('comments: %(count)s', count=question['answered']))}",
                                  style="List Bullet")


def _evidence_line(e: dict) -> str:
    return f"{e['team']}, {e['when']} — {e['rating']}: {e['note']} [{e['who']}]"


def _styles(doc) -> None:
    """A4 and a plain, readable type."""
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(10.5)
    for name, before in (("Heading 3", 8), ("Heading 4", 6)):  # a theme a heading: the template's 10 pt before each adds pages
        doc.styles[name].paragraph_format.space_before = Pt(before)
        doc.styles[name].paragraph_format.space_after = Pt(2)


def _to_write(paragraph, what: str, lang: str):
    """Mark what a person has to write: highlighted, so that none is sent as it is."""
    label = _("TO WRITE").in_language(lang)
    run = paragraph.add_run(f"[{label}: {what}]")
    run.bold = True
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return paragraph


def _top_themes(objectives: list, side: str) -> list:
    """The themes with the most observations marked for the report, across objectives."""
    found = [(len(group["entries"]), group["theme"] or group["entries"][0]["note"], objective["title"], group["teams"])
             for objective in objectives for group in objective["findings"][side]]
    return sorted(found, key=lambda f: -f[0])[:FINDINGS_IN_SUMMARY]


def _findings_list(doc, findings: list, none: str, lang: str) -> None:
    if not findings:
        _to_write(doc.add_paragraph(), none, lang)
    for _count, theme, objective, teams in findings:
        doc.add_paragraph(f"{theme} — {objective} ({', '.join(teams)})", style="List Bullet")


def _table(doc, header: list, rows: list, widths=()) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = "" if text is None else str(text)
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=False):
        column.width = Mm(width)  # the grid's column: what LibreOffice lays out by (Word reads the cells')
        for cell in column.cells:
            cell.width = Mm(width)


def _role_label(role: str):
    return {"director": _("exercise director"), "controller": _("controller"), "lead_evaluator": _("lead evaluator"),
            "evaluator": _("evaluator"), "participant": _("participant"), "screen": _("big screen")}.get(role, _("participant"))


def _timeline_line(m: dict, titles: dict, say, scenario, lang, aliases) -> str:
    """A timeline's line for a mark worth one in a report: an inject going out or dropped, a pause or a
    resumption, a safety alert, an observation picked for the report; else ""."""
    kind = m["kind"]
    if kind == "inject":
        return say(_("%(inject)s released: %(title)s", inject=m["inject"], title=titles.get(m["inject"], "")))
    if kind in ("inject_skip", "inject_recall"):
        return say(_("%(inject)s skipped: %(reason)s", inject=m["inject"], reason=m.get("reason", ""))) if kind == "inject_skip" \
            else say(_("%(inject)s withdrawn by control: %(reason)s", inject=m["inject"], reason=m.get("reason", "")))
    if kind == "clock" and m["op"] in ("start", "pause", "resume", "end"):
        return say(Message(CLOCK_MARKS[m["op"]])) + (f" — {m['reason']}" if m.get("reason") else "")
    if kind == "safety":
        return say(_("Real-world safety alert (%(role)s): %(text)s", role=who_name(m, scenario, lang, aliases),
                     text=m.get("text") or say(_("no text"))))
    if kind == "evaluation" and m.get("for_report"):
        return f"{scenario.teams[m['team']]['name']}: {m['note']}"
    return ""
