"""The scenario as a spreadsheet: write it as a workbook, read a workbook (or an MSEL as CSV) back.

A sheet per part of the scenario, a row per entry, a column per field.  A text given in several
languages has a column per language: `title` in the scenario's own language, `title [en]` beside
it.  Lists of ids are written "alpha; bravo"; lists of texts one per line in their cell.  Reading
checks each cell's type and names the sheet, row and column of anything wrong; what the cells mean
together is checked afterwards by control/scenario.py, whose message names the entry (and, from
here, its sheet and row).
"""

import csv
import datetime
import difflib
import io
import re

from .i18n import LANGUAGE_CODE, N_, Message, _, languages
from .scenario import ScenarioError, decoded

# sheet -> (the scenario's key, [(column, kind)]).  Kinds: text (may be in several languages), texts
# (a list of texts, one per line), id, ids (a list of ids, "; "), int, number.  `exercise` is one
# entry, `tasks` and `schedule` are the objectives' and days' own lists (their first column says whose).
SHEETS = {
    "exercise": ("exercise", [("id", "id"), ("title", "text"), ("description", "text"), ("language", "id"),
                              ("venue", "text"), ("sponsor", "text"), ("map.width", "number"), ("map.height", "number"),
                              ("map.unit", "text"), ("map.note", "text")]),
    "days": ("days", [("day", "int"), ("title", "text")]),
    "schedule": ("days.schedule", [("day", "int"), ("start", "id"), ("end", "id"), ("kind", "id"), ("title", "text")]),
    "sites": ("sites", [("id", "id"), ("name", "text"), ("label", "text"), ("kind", "text"), ("description", "text"),
                        ("x", "number"), ("y", "number")]),
    "teams": ("teams", [("id", "id"), ("name", "text"), ("short", "text"), ("color", "id"), ("home_site", "id"),
                        ("agencies", "texts")]),
    "objectives": ("objectives", [("id", "id"), ("title", "text"), ("description", "text")]),
    "tasks": ("objectives.tasks", [("objective", "id"), ("id", "id"), ("title", "text"), ("description", "text")]),
    "action_types": ("action_types", [("id", "id"), ("label", "text")]),
    "request_kinds": ("request_kinds", [("id", "id"), ("label", "text")]),
    "actors": ("actors", [("id", "id"), ("name", "text"), ("character", "text"), ("contact", "text"), ("note", "text")]),
    "people": ("people", [("id", "id"), ("name", "text"), ("role", "id"), ("team", "id"), ("agency", "text"),
                          ("country", "text"), ("languages", "ids")]),
    "assignments": ("assignments", [("person", "id"), ("day", "int"), ("start", "id"), ("end", "id"), ("teams", "ids"),
                                    ("sites", "ids"), ("objectives", "ids")]),
    "msel": ("injects", [("id", "id"), ("day", "int"), ("time", "id"), ("title", "text"), ("description", "text"),
                         ("teams", "ids"), ("site", "id"), ("objectives", "ids"), ("from", "text"), ("to", "text"),
                         ("delivery", "id"), ("expected_actions", "texts"), ("controller_notes", "text"),
                         ("actor", "id"), ("cue", "text"), ("outside_play", "bool"),
                         ("after.inject", "id"), ("after.minutes", "int"), ("when.action_type", "id"),
                         ("when.answers", "id"), ("when.minutes", "int")]),
    "feedback": ("feedback", [("id", "id"), ("title", "text"), ("when", "id"), ("anonymous", "bool"), ("opens", "id")]),
    "questions": ("feedback.questions", [("questionnaire", "id"), ("id", "id"), ("text", "text"), ("scale", "int"),
                                         ("low", "text"), ("high", "text")]),
}
# sheets (and JSON keys) a scenario may leave out
OPTIONAL_SHEETS = ("request_kinds", "actors", "people", "assignments", "feedback")
_HEADER = re.compile(r"^(?P<name>[a-z_.]+)(?: \[(?P<lang>[^\]]+)\])?$")
ABOUT = "about"  # the template's sheet of explanations: never read back
_ROW = "\0row"  # a task's or schedule block's row, while the sheets are put together

# What each sheet and column is for, said in the template (in English and in Russian, from the catalogs).
SHEET_HELP = {
    "exercise": N_("One row: the exercise itself."),
    "days": N_("A row per exercise day, numbered 1, 2, 3 …"),
    "schedule": N_("A row per block of a day's schedule, in time order; injects fall in the play blocks."),
    "sites": N_("A row per mock site, with its place on the plan of the grounds."),
    "teams": N_("A row per team of players."),
    "objectives": N_("A row per learning objective."),
    "tasks": N_("A row per critical task of an objective (what evaluators rate)."),
    "action_types": N_("A row per kind of action a team logs (interview, search, request …)."),
    "request_kinds": N_("A row per kind of request a team may send the control cell (bank records, interpreter, warrant …; "
                        "optional sheet)."),
    "actors": N_("A row per actor: the real name (for the control cell only) and the character they play (optional sheet)."),
    "people": N_("A row per person with a code of their own (optional sheet)."),
    "assignments": N_("A row per evaluator's assignment: who watches which teams, sites or objectives when (optional)."),
    "msel": N_("The MSEL: a row per scripted inject, in any order."),
    "feedback": N_("A row per questionnaire the participants answer on their phones (optional sheet)."),
    "questions": N_("A row per question of a questionnaire, in the order asked: a scale, or free text when 'scale' is empty."),
}
COLUMN_HELP = {
    "id": N_("a short id of Latin letters, digits and hyphens, unique in its sheet; never changes once play begins"),
    "title": N_("the title people read"),
    "description": N_("the text in full"),
    "language": N_("the scenario's own language: en or ru"),
    "venue": N_("where the exercise takes place"),
    "sponsor": N_("who sponsors the exercise (the after-action report's cover names them)"),
    "map.width": N_("width of the plan of the grounds (units of your choice)"),
    "map.height": N_("height of the plan of the grounds"),
    "map.unit": N_("the plan's unit, such as m"),
    "map.note": N_("a note about the plan"),
    "day": N_("the exercise day: 1, 2, 3 …"),
    "start": N_("start time, 24-hour HH:MM"),
    "end": N_("end time, 24-hour HH:MM"),
    "kind": N_("schedule: briefing, play, break, hot_wash or debrief; sites: what the site is"),
    "name": N_("the full name"),
    "label": N_("the short name on the map"),
    "x": N_("place on the plan, from the left"),
    "y": N_("place on the plan, from the bottom"),
    "short": N_("one to three characters on the team's map marker"),
    "color": N_("the team's colour, such as #0072B2; each team its own"),
    "home_site": N_("the site id where the team starts"),
    "agencies": N_("the agencies in the team, one per line"),
    "objective": N_("the id of the objective this task belongs to"),
    "role": N_("director, controller, lead_evaluator, evaluator, participant or screen"),
    "team": N_("a participant's team id"),
    "agency": N_("the person's agency"),
    "country": N_("the person's country"),
    "languages": N_("the languages the person reads: en; ru"),
    "person": N_("the evaluator's person id"),
    "teams": N_("team ids, separated by ;"),
    "sites": N_("site ids, separated by ;"),
    "objectives": N_("objective ids, separated by ;"),
    "time": N_("the time it falls due, 24-hour HH:MM"),
    "site": N_("the site id where it happens"),
    "from": N_("who it comes from, as players see it (never an actor's real name)"),
    "to": N_("who it is addressed to, as players see it; only teams it goes to"),
    "delivery": N_("phone call, email, document, actor walk-in, site event, radio or video call"),
    "expected_actions": N_("what control expects the teams to do, one per line (never shown to players)"),
    "controller_notes": N_("notes for the control cell (never shown to players)"),
    "character": N_("who the actor plays, as players know them"),
    "contact": N_("how the control cell reaches the actor (a phone number)"),
    "note": N_("a note for the control cell"),
    "actor": N_("optional: the id of the actor who delivers the inject (players see only 'from')"),
    "outside_play": N_("optional: yes when the inject falls outside the play blocks on purpose (no warning)"),
    "cue": N_("optional: the actor's line or instructions for this inject (the cue sheet)"),
    "after.inject": N_("optional: the inject this one follows, team by team (it falls due for a team once that team "
                       "has received the other one)"),
    "after.minutes": N_("optional: minutes after the followed inject"),
    "when.action_type": N_("optional: falls due for a team once it logs an action of this type (an action type id)"),
    "when.answers": N_("optional: falls due for a team once it answers this inject (an inject id)"),
    "when": N_("daily: answered once every exercise day; end: once, from the last day"),
    "anonymous": N_("yes: answers carry no name (the default); no: each participant answers under their own code"),
    "opens": N_("optional: the time of day from which it is offered, 24-hour HH:MM"),
    "questionnaire": N_("the id of the questionnaire this question belongs to"),
    "text": N_("the question as participants read it"),
    "scale": N_("the number of points of a scale answer (2 to 10); empty: a free-text answer"),
    "low": N_("what the scale's lowest point means"),
    "high": N_("what the scale's highest point means"),
    "when.minutes": N_("optional: minutes after the team's action; the inject's own time stays the earliest it falls due"),
}


class WorkbookError(ValueError):
    """A cell, column or sheet that cannot be read; the message (a Message) names where."""


# --- writing -----------------------------------------------------------------------------------

def write_workbook(raw: dict, path) -> None:
    """Write the scenario `raw` (as in its file) as an .xlsx workbook at `path`."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font

    language = raw["exercise"].get("language") or "en"
    book = Workbook()
    book.remove(book.active)
    for sheet_name, (key, columns) in SHEETS.items():
        rows = _entries(raw, key)
        if key.split(".")[0] in OPTIONAL_SHEETS and key.split(".")[0] not in raw:
            continue
        headers = _headers(rows, columns, language)
        sheet = book.create_sheet(sheet_name)
        sheet.append([h for h, _field, _kind, _lang in headers])
        for row in rows:
            values = [_cell(_field(row, field), kind, lang, language) for _h, field, kind, lang in headers]
            bad = next((v for v in values if isinstance(v, str) and ILLEGAL_CHARACTERS_RE.search(v)), None)
            if bad is not None:
                letter = ILLEGAL_CHARACTERS_RE.search(bad)[0]
                raise WorkbookError(_("sheet '%(sheet)s', entry '%(entry)s': a text holds the control character U+%(code)s, "
                                      "which a workbook cannot hold; remove it from the scenario", sheet=sheet_name,
                                      entry=str(row.get("id") or row.get("day") or row.get("person")),
                                      code=f"{ord(letter):04X}"))
            sheet.append(values)
            for cell in sheet[sheet.max_row]:
                if cell.data_type == "f":  # a text that begins with "=" is a text, not a formula
                    cell.data_type = "s"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.iter_cols(min_row=2):
            for cell in column:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    book.save(path)


def _entries(raw: dict, key: str) -> list:
    """The rows of a sheet: the entries of `key` (a nested list gets its owner's id as its first field)."""
    if key == "exercise":
        return [raw["exercise"]]
    if key == "days.schedule":
        return [{"day": day["day"], **block} for day in raw["days"] for block in day["schedule"]]
    if key == "objectives.tasks":
        return [{"objective": o["id"], **task} for o in raw["objectives"] for task in o["tasks"]]
    if key == "feedback.questions":
        return [{"questionnaire": q["id"], **question} for q in raw.get("feedback", []) for question in q["questions"]]
    return list(raw.get(key, []))


def _field(entry: dict, field: str):
    """An entry's field; "map.width" is the exercise's map's width, "after.inject" an inject's `after`'s inject."""
    outer, dot, inner = field.partition(".")
    return (entry.get(outer) or {}).get(inner) if dot else entry.get(field)


def _headers(rows: list, columns: list, language: str) -> list:
    """(header, field, kind, language) of each column: a text column per language its cells are given in."""
    headers = []
    for field, kind in columns:
        headers.append((field, field, kind, None))
        if kind in ("text", "texts"):
            others = set()
            for row in rows:
                value = _field(row, field)
                for item in (value if kind == "texts" and isinstance(value, list) else [value]):
                    if isinstance(item, dict):
                        others |= set(item) - {language}
            headers += [(f"{field} [{lang}]", field, kind, lang) for lang in sorted(others)]
    return headers


def _cell(value, kind: str, lang, language: str):
    """A field's value as the cell of column language `lang` (None: the scenario's language) shows it."""
    if value is None:
        return None
    if kind == "ids":
        return "; ".join(value)
    if kind == "texts":
        items = [_in(item, lang, language) for item in value]
        return "\n".join(item or "" for item in items) if any(items) else None
    if kind == "text":
        return _in(value, lang, language)
    if kind == "bool":
        return "yes" if value else "no"
    return None if lang else value


def _in(text, lang, language):
    if isinstance(text, dict):
        return text.get(lang or language)
    return None if lang else text


def write_template(path) -> None:
    """Write a blank scenario workbook: every sheet with its columns, each column explained (a note on
    its header, in English and Russian) and an `about` sheet that says it all once more."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font

    both = lambda text: f"{Message(text).in_language('en')}\n{Message(text).in_language('ru')}"  # noqa: E731
    book = Workbook()
    about = book.active
    about.title = ABOUT
    about.append(["sheet", "column", "English", "Русский"])
    for sheet_name, (_key, columns) in SHEETS.items():
        sheet = book.create_sheet(sheet_name)
        sheet.append([field for field, _kind in columns])
        about.append([sheet_name, "", Message(SHEET_HELP[sheet_name]).in_language("en"),
                      Message(SHEET_HELP[sheet_name]).in_language("ru")])
        for cell, (field, _kind) in zip(sheet[1], columns, strict=True):
            cell.font = Font(bold=True)
            cell.comment = Comment(both(COLUMN_HELP[field]), "ExCon", width=300, height=110)
            about.append([sheet_name, field, Message(COLUMN_HELP[field]).in_language("en"),
                          Message(COLUMN_HELP[field]).in_language("ru")])
        sheet.freeze_panes = "A2"
    for cell in about[1]:
        cell.font = Font(bold=True)
    for width, letter in ((14, "A"), (18, "B"), (60, "C"), (60, "D")):
        about.column_dimensions[letter].width = width
    for row in about.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.save(path)


_NAMED = {"inject": "injects", "site": "sites", "team": "teams", "objective": "objectives", "person": "people"}


def located(message, where: dict):
    """Return a scenario check's refusal with the sheet and row of the entry it names (when it names one):
    the entry it begins with ("inject 'I-05': …"), else the longest id it quotes."""
    text = str(message)
    first = re.match(r"(\w+) '([^']+)'", text)
    if first and (_NAMED.get(first[1]), first[2]) in where:
        sheet, row = where[_NAMED[first[1]], first[2]]
        return _("%(error)s — sheet '%(sheet)s', row %(row)s", error=message, sheet=sheet, row=row)
    # "day 2 schedule #3: …", "day 2: …", "assignments entry #4: …": the entry by its place
    for pattern, key in ((r"day (\d+) schedule #(\d+)\b", "days.schedule"), (r"day (\d+)\b", "days"),
                         (r"(\w+) entry #(\d+)\b", None)):
        found = re.match(pattern, text)
        if found:
            place = (key, f"{found[1]}#{found[2]}") if key == "days.schedule" else (key, found[1]) if key else \
                (found[1], f"#{found[2]}")
            if place in where:
                sheet, row = where[place]
                return _("%(error)s — sheet '%(sheet)s', row %(row)s", error=message, sheet=sheet, row=row)
    section = re.match(r"(\w+): ", text)  # "teams: two teams have the colour …": the sheet at least
    if section and any(key == section[1] for key, _columns in SHEETS.values()):
        return _("%(error)s — sheet '%(sheet)s'", error=message,
                 sheet=next(name for name, (key, _columns) in SHEETS.items() if key == section[1]))
    for (_key, ident), (sheet, row) in sorted(where.items(), key=lambda item: -len(item[0][1])):
        if f"'{ident}'" in text:
            return _("%(error)s — sheet '%(sheet)s', row %(row)s", error=message, sheet=sheet, row=row)
    return message


# --- reading -----------------------------------------------------------------------------------

def read_workbook(path) -> tuple[dict, dict]:
    """Read a workbook written by write_workbook (or by a planner from the template) into a scenario
    object, as a file holds it, and where each entry came from: {(key, id): (sheet, row)}."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, data_only=True)  # not read_only: that trusts the file's own idea of its size
    except FileNotFoundError:
        raise WorkbookError(_("%(path)s does not exist", path=str(path))) from None
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
        raise WorkbookError(_("%(path)s is not an .xlsx workbook: %(error)s", path=str(path), error=str(e))) from None
    for name in book.sheetnames:
        if name not in SHEETS and name != ABOUT:
            raise WorkbookError(_("sheet '%(sheet)s' is not one ExCon reads (%(sheets)s)", sheet=name,
                                  sheets=", ".join(SHEETS)))
    tables, where, language = {}, {}, "en"
    for name in SHEETS:  # the exercise first: its language names the first column of a text
        if name in book.sheetnames:
            tables[name] = _read_sheet(name, list(book[name].iter_rows(values_only=True)), where, language)
            if name == "exercise" and tables[name]:
                language = tables[name][0].get("language") or "en"
    return _assemble(tables), where


def read_msel_csv(path, raw: dict) -> tuple[dict, dict]:
    """Read an MSEL as CSV (UTF-8, with or without a byte-order mark; the MSEL sheet's columns) into a
    copy of scenario `raw` whose injects it replaces."""
    data = _read_bytes(path)
    try:
        text = decoded(data, path)
    except ScenarioError as e:  # the same sentence as for a scenario file: UTF-16, Windows-1251, or where it breaks
        raise WorkbookError(e.args[0]) from None
    first, _newline, rest = text.partition("\n")
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:  # Excel's own line naming the separator
        delimiter, text = first.strip()[4], rest
    else:  # the separator is the one the header row is written with: the texts below may hold any of them
        delimiter = max("\t;,", key=first.count)
    rows = [tuple(cell if cell != "" else None for cell in row)
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    where = {}
    injects = _read_sheet("msel", rows, where, raw["exercise"].get("language") or "en")
    return {**raw, "injects": injects}, where


def _read_bytes(path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise WorkbookError(_("%(path)s does not exist", path=str(path))) from None


def _read_sheet(name: str, rows: list, where: dict, language: str) -> list:
    """Read one sheet's rows (the first: headers) into entries; record each entry's row in `where`."""
    key, columns = SHEETS[name]
    kinds = dict(columns)
    if not rows or not any(rows[0]):
        raise WorkbookError(_("sheet '%(sheet)s': its first row must name the columns (%(columns)s)", sheet=name,
                              columns=", ".join(kinds)))
    if name == "exercise" and "language" in rows[0] and len(rows) > 1:  # the exercise names its own language
        given = dict(zip(rows[0], rows[1], strict=False)).get("language")
        language = str(given).strip() if given else language
    headers = []
    for number, header in enumerate(rows[0], 1):
        if header is None:
            headers.append(None)
            continue
        m = _HEADER.match(str(header).strip())
        if m and m["name"] in kinds and m["lang"] and kinds[m["name"]] in ("text", "texts"):
            _check_column_language(name, number, str(header), m["lang"], language)
        if not m or m["name"] not in kinds or (m["lang"] and (kinds[m["name"]] not in ("text", "texts")
                                                             or not LANGUAGE_CODE.match(m["lang"]))):
            close = difflib.get_close_matches(str(header).strip(), list(kinds), n=1)
            raise WorkbookError(_("sheet '%(sheet)s', column %(column)s '%(header)s': not a column ExCon reads%(hint)s",
                                  sheet=name, column=_letter(number), header=str(header)[:50],
                                  hint=_(" (did you mean '%(close)s'?)", close=close[0]) if close else ""))
        if (m["name"], m["lang"]) in headers:
            raise WorkbookError(_("sheet '%(sheet)s', column %(column)s '%(header)s': the column is there twice",
                                  sheet=name, column=_letter(number), header=str(header)[:50]))
        headers.append((m["name"], m["lang"]))
    entries = []
    for row_number, row in enumerate(rows[1:], 2):
        if not any(value not in (None, "") for value in row):
            continue  # a blank row between blocks
        cells = {}
        for number, (header, value) in enumerate(zip(headers, row, strict=False), 1):
            if header is not None and value not in (None, ""):
                place = {"sheet": name, "row": row_number, "column": f"{_letter(number)} '{header[0]}'"}
                cells[header] = _value(value, kinds[header[0]], place)
        for (field, lang), value in cells.items():
            main = cells.get((field, None)) or []
            if lang and isinstance(value, list) and len(value) > len(main):
                raise WorkbookError(_("sheet '%(sheet)s', row %(row)s, column '%(field)s [%(language)s]': %(count)s lines, "
                                      "but '%(field)s' has %(main)s; give every line in the first language too",
                                      sheet=name, row=row_number, field=field, language=lang, count=len(value),
                                      main=len(main)))
        entry = _entry(cells, cells.get(("language", None)) or language)  # the exercise names its own language
        if name in ("tasks", "schedule", "questions"):
            entry[_ROW] = row_number  # to say which row names no known objective or day
        entries.append(entry)
        ident = entry.get("id") or entry.get("person") or entry.get("day")
        where.setdefault((key, str(ident)), (name, row_number))
        where.setdefault((key, f"#{len(entries)}"), (name, row_number))  # "sites entry #3", as the check counts
        if name == "schedule":  # "day 2 schedule #3": the third block of day 2
            blocks = sum(1 for e in entries if e.get("day") == entry.get("day"))
            where.setdefault((key, f"{entry.get('day')}#{blocks}"), (name, row_number))
    return entries


def _entry(cells: dict, language: str) -> dict:
    """An entry from its cells {(field, language or None): value}: a text given in other languages too
    becomes {language: text, "en": …}; "map.width" goes into the entry's map (an object of its own)."""
    entry = {}
    for field in dict.fromkeys(field for field, _lang in cells):
        main = cells.get((field, None))
        others = {lang: value for (name, lang), value in cells.items() if name == field and lang}
        if not others:
            value = main
        elif isinstance(main, list) or any(isinstance(v, list) for v in others.values()):
            items = main or []
            value = []
            for i in range(max([len(items), *map(len, others.values())])):
                item = items[i] if i < len(items) else ""
                given = {lang: texts[i] for lang, texts in others.items() if i < len(texts) and texts[i]}
                value.append({language: item, **given} if given else item)
        else:
            value = {language: main, **others} if main is not None else others
        outer, dot, inner = field.partition(".")
        if dot:
            entry.setdefault(outer, {})[inner] = value
        else:
            entry[field] = value
    return entry


def _value(value, kind: str, place: dict):
    """A cell's value as the scenario holds it, or a WorkbookError naming the cell."""
    if kind == "bool":  # yes or no, as people write it; TRUE or FALSE, as a spreadsheet may make it
        answer = {"yes": True, "no": False, "true": True, "false": False, "да": True, "нет": False}.get(
            str(value).strip().lower())
        if answer is None:
            raise WorkbookError(_("sheet '%(sheet)s', row %(row)s, column %(column)s: must be yes or no, not %(value)s",
                                  value=_shown(value), **place))
        return answer
    if isinstance(value, bool) or (isinstance(value, datetime.datetime) and (value.year, value.month) > (1900, 1)):
        # TRUE, or a date a spreadsheet made of "1/2": never what a planner meant in a scenario
        raise WorkbookError(_("sheet '%(sheet)s', row %(row)s, column %(column)s: %(value)s is not a value a scenario "
                              "holds here; write it as text", value=str(value)[:40], **place))
    if kind == "int":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool):
            raise WorkbookError(_("sheet '%(sheet)s', row %(row)s, column %(column)s: must be a whole number, not "
                                  "%(value)s", value=_shown(value), **place))
        return value
    if kind == "number":
        if isinstance(value, str):
            try:
                value = float(value.replace(",", "."))
            except ValueError:
                pass
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise WorkbookError(_("sheet '%(sheet)s', row %(row)s, column %(column)s: must be a number, not %(value)s",
                                  value=_shown(value), **place))
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if isinstance(value, datetime.time):  # a spreadsheet made "09:10" a time of day
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, datetime.datetime):  # a time of day on the spreadsheet's first day (1899-12-30)
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, (int, float)):  # a number where a text or an id belongs: "123" as a spreadsheet typed it
        value = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if not isinstance(value, str):
        raise WorkbookError(_("sheet '%(sheet)s', row %(row)s, column %(column)s: must be a text, not %(value)s",
                              value=_shown(value), **place))
    value = value.replace("\r\n", "\n").replace("\r", "\n")  # a line break as Windows writes it
    if kind == "ids":
        return [item.strip() for item in re.split(r"[;\n]", value) if item.strip()]
    if kind == "texts":  # one per line; a line break left at the end is no empty item
        return value.strip("\n").split("\n")
    if kind == "id":
        value = value.strip()
        return f"0{value}" if place["column"].endswith(("'time'", "'start'", "'end'")) and re.match(r"^\d:\d\d$", value) \
            else value  # 9:05 as people write it: 09:05
    return value


def _shown(value) -> str:
    """A cell's value as a message quotes it: a text in quotes, cut at 40 characters."""
    if isinstance(value, str):
        return f"'{value[:37]}…'" if len(value) > 40 else f"'{value}'"
    return str(value)[:40]


def _check_column_language(sheet: str, number: int, header: str, lang: str, language: str) -> None:
    """Refuse a text column in the scenario's own language (its texts go in the first column), in a
    language ExCon does not speak, or with its code in capitals."""
    where = {"sheet": sheet, "column": _letter(number), "header": header[:50]}
    if lang != lang.lower() and LANGUAGE_CODE.match(lang.lower()):
        raise WorkbookError(_("sheet '%(sheet)s', column %(column)s '%(header)s': write the language code in small "
                              "letters: [%(code)s]", code=lang.lower(), **where))
    if lang == language:
        raise WorkbookError(_("sheet '%(sheet)s', column %(column)s '%(header)s': %(code)s is the scenario's own language: "
                              "its texts go in the first column, without [%(code)s]", code=lang, **where))
    if LANGUAGE_CODE.match(lang) and lang not in languages():
        raise WorkbookError(_("sheet '%(sheet)s', column %(column)s '%(header)s': ExCon's pages speak %(languages)s, "
                              "not %(code)s", code=lang, languages=", ".join(languages()), **where))


def _letter(number: int) -> str:
    """The spreadsheet's name of column `number` (1: A, 27: AA)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _assemble(tables: dict) -> dict:
    """Put the sheets' entries back into the scenario's shape."""
    if len(tables.get("exercise", [])) > 1:
        raise WorkbookError(_("sheet 'exercise' holds one row, the exercise itself; it has %(count)s",
                              count=len(tables["exercise"])))
    raw = {"exercise": (tables.get("exercise") or [{}])[0]}
    days = tables.get("days", [])
    raw["days"] = days
    _owned(tables.get("schedule", []), days, "day", "schedule", "days")
    for sheet in ("sites", "teams"):
        raw[sheet] = tables.get(sheet, [])
    objectives = tables.get("objectives", [])
    _owned(tables.get("tasks", []), objectives, "objective", "tasks", "objectives", key="id")
    raw["objectives"] = objectives
    raw["action_types"] = tables.get("action_types", [])
    raw["injects"] = tables.get("msel", [])
    _owned(tables.get("questions", []), tables.get("feedback", []), "questionnaire", "questions", "feedback", key="id")
    for sheet in OPTIONAL_SHEETS:
        if tables.get(sheet):  # a sheet left with its header only: none
            raw[sheet] = tables[sheet]
    return raw


def _owned(rows: list, owners: list, field: str, sheet: str, owner_sheet: str, key: str = "day") -> None:
    """Give each owner (a day, an objective) its rows (schedule blocks, tasks); refuse a row whose owner is
    empty (a merged cell keeps its value in the first row only) or not on the owners' sheet."""
    by_key = {owner.get(key): owner for owner in owners}
    for owner in owners:
        owner[sheet] = []
    for row in rows:
        number = row.pop(_ROW)
        owner = by_key.get(row.get(field))
        if owner is None:
            if row.get(field) is None:
                raise WorkbookError(_("sheet '%(sheet)s', row %(row)s, column A '%(field)s': empty; write it in every row "
                                      "(a merged cell keeps its value in the first row only)", sheet=sheet, row=number,
                                      field=field))
            raise WorkbookError(_("sheet '%(sheet)s', row %(row)s, column A '%(field)s': '%(value)s' is not on sheet "
                                  "'%(owners)s'", sheet=sheet, row=number, field=field, value=str(row[field])[:50],
                                  owners=owner_sheet))
        owner[sheet].append({k: v for k, v in row.items() if k != field})
