"""The after-action report and improvement plan as a Word document the exercise team edits: HSEEP's sections
in the reader's language, the findings picked for the report, what a person must write marked as such."""

import io

from docx import Document

from .conftest import CODES, submit

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def played(exercise):
    submit(exercise, "director", "clock", op="start")
    submit(exercise, "controller", "inject", inject="I-01")
    submit(exercise, "observer", "evaluation", team="alpha", objective="obj-identify", rating="U", tag="improvement",
           note="No interpreter for two hours.", for_report=True, theme="Interpretation")
    submit(exercise, "observer", "evaluation", team="bravo", objective="obj-identify", rating="P", tag="strength",
           note="Manager kept out of the room.", for_report=True, theme="Separating victims from controllers")
    submit(exercise, "observer", "evaluation", team="charlie", objective="obj-identify", rating="S", note="Not picked.")
    submit(exercise, "director", "agreed_rating", team="alpha", objective="obj-identify", rating="M",
           rationale="Late interpreter throughout.")


def download(client, lang="en"):
    answer = client.get(f"/api/export/aar.docx?lang={lang}", headers={"Authorization": f"Bearer {CODES['director']}"})
    assert answer.status_code == 200 and answer.mimetype == DOCX
    return Document(io.BytesIO(answer.data))


def text_of(doc):
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_aar_has_hseeps_sections_and_the_picked_findings(app, client):
    played(app.extensions["excon"].exercise)
    doc = download(client)
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Handling instructions", "Executive summary", "Exercise overview", "Scenario summary",
                        "Analysis of objectives", "Timeline of the main events", "Participant feedback", "Conclusion",
                        "Appendix A: Improvement plan", "Appendix B: Participants",
                        "Appendix C: The observations picked for the report"]  # no request, no comment: no appendix
    text = text_of(doc)
    assert "Interpretation" in text and "No interpreter for two hours." in text and "Not picked." not in text
    assert "Late interpreter throughout." in text  # the agreed rating with its rationale
    assert "[TO WRITE: why it happened]" in text  # the root cause of an area for improvement: a person's to write
    assert "Marenburg Ministry of the Interior" in text  # the sponsor, from the scenario
    plan = next(t for t in doc.tables if t.rows[0].cells[0].text == "Objective" and len(t.columns) == 8)
    assert [c.text for c in plan.rows[0].cells] == ["Objective", "Issue / area for improvement", "Corrective action",
                                                    "Capability element", "Primary responsible organisation",
                                                    "Organisation POC", "Start date", "Completion date"]
    assert plan.rows[1].cells[1].text == "Interpretation (Team Alpha)"  # the theme, and the teams it concerns
    assert "I-01 released" in text  # the timeline


def test_the_aar_in_russian(app, client):
    played(app.extensions["excon"].exercise)
    doc = download(client, "ru")
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert "Резюме" in headings and "Приложение А: план улучшений" in headings and "Приложение Б: участники" in headings
    assert "Приложение В: наблюдения, отобранные для отчёта" in headings  # lettered as Russian letters them
    text = text_of(doc)
    assert "[НАПИСАТЬ:" in text
    assert "Часы учения: запуск" in text and "start" not in text  # the timeline's clock marks in Russian too


def test_players_get_no_aar(client):
    answer = client.get("/api/export/aar.docx", headers={"Authorization": f"Bearer {CODES['team:alpha']}"})
    assert answer.status_code == 403
