"""The scenario as a spreadsheet: export, import, the template, and errors that name the cell."""

import csv
import json

import pytest
from openpyxl import load_workbook

from control.scenario import check_scenario
from control.workbook import WorkbookError, read_msel_csv, read_workbook, write_template, write_workbook

from .conftest import ROOT
from .test_run import run


@pytest.mark.parametrize("name", ["scenarios.json", "scenarios.ru.json"])
def test_export_then_import_gives_the_same_scenario(tmp_path, name):
    raw = json.loads((ROOT / name).read_text(encoding="utf-8"))
    write_workbook(raw, tmp_path / "s.xlsx")
    back, _where = read_workbook(tmp_path / "s.xlsx")
    assert back == raw
    sheets = load_workbook(tmp_path / "s.xlsx").sheetnames
    assert sheets == ["exercise", "days", "schedule", "sites", "teams", "objectives", "tasks", "action_types",
                      "request_kinds", "actors", "people", "assignments", "msel", "feedback", "questions"]


def test_a_text_in_two_languages_has_a_column_per_language(tmp_path):
    raw = json.loads((ROOT / "scenarios.ru.json").read_text(encoding="utf-8"))
    write_workbook(raw, tmp_path / "s.xlsx")
    msel = load_workbook(tmp_path / "s.xlsx")["msel"]
    headers = [c.value for c in msel[1]]
    assert "title" in headers and "title [en]" in headers and "expected_actions [en]" in headers
    row = [c.value for c in msel[2]]
    assert row[headers.index("title")] == raw["injects"][0]["title"]["ru"]
    assert row[headers.index("title [en]")] == raw["injects"][0]["title"]["en"]


def cell(path, sheet, header, row, value):
    """Write `value` into the column named `header` of `row` of `sheet`."""
    book = load_workbook(path)
    headers = [c.value for c in book[sheet][1]]
    book[sheet].cell(row=row, column=headers.index(header) + 1, value=value)
    book.save(path)


def test_a_wrong_cell_is_named_by_sheet_row_and_column(tmp_path):
    raw = json.loads((ROOT / "scenarios.json").read_text(encoding="utf-8"))
    path = tmp_path / "s.xlsx"
    write_workbook(raw, path)
    cell(path, "msel", "day", 6, "three")
    with pytest.raises(WorkbookError) as refused:
        read_workbook(path)
    assert str(refused.value) == "sheet 'msel', row 6, column B 'day': must be a whole number, not 'three'"
    write_workbook(raw, path)
    book = load_workbook(path)
    book["sites"].cell(row=1, column=2, value="nmae")
    book.save(path)
    with pytest.raises(WorkbookError, match="sheet 'sites', column B 'nmae': not a column ExCon reads \\(did you mean 'name'"):
        read_workbook(path)


def test_times_and_numbers_as_a_spreadsheet_types_them_are_read(tmp_path):
    import datetime

    raw = json.loads((ROOT / "scenarios.json").read_text(encoding="utf-8"))
    path = tmp_path / "s.xlsx"
    write_workbook(raw, path)
    cell(path, "msel", "time", 2, datetime.time(13, 15))  # Excel turns "13:15" into a time of day
    cell(path, "msel", "day", 2, 1.0)
    back, _where = read_workbook(path)
    assert (back["injects"][0]["time"], back["injects"][0]["day"]) == ("13:15", 1)


def test_import_names_the_sheet_and_row_of_an_entry_the_check_refuses(tmp_path):
    raw = json.loads((ROOT / "scenarios.json").read_text(encoding="utf-8"))
    path = tmp_path / "s.xlsx"
    write_workbook(raw, path)
    cell(path, "msel", "site", 6, "casino")
    result = run("scenario", "import", str(path), "-o", str(tmp_path / "out.json"))
    assert result.returncode == 1
    assert "inject 'I-05': unknown site 'casino' — sheet 'msel', row 6" in result.stderr
    assert not (tmp_path / "out.json").exists()


def test_the_msel_alone_from_csv(tmp_path):
    raw = json.loads((ROOT / "scenarios.json").read_text(encoding="utf-8"))
    write_workbook(raw, tmp_path / "s.xlsx")
    msel = load_workbook(tmp_path / "s.xlsx")["msel"]
    with open(tmp_path / "msel.csv", "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=";")  # as Excel saves CSV where the decimal separator is a comma
        for row in msel.iter_rows(values_only=True):
            writer.writerow(["" if v is None else v for v in row])
    back, _where = read_msel_csv(tmp_path / "msel.csv", raw)
    assert back["injects"] == raw["injects"]
    result = run("scenario", "import", str(tmp_path / "msel.csv"), "-o", str(tmp_path / "out.json"))
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == raw


def test_the_template_explains_every_column_in_english_and_russian(tmp_path):
    write_template(tmp_path / "t.xlsx")
    book = load_workbook(tmp_path / "t.xlsx")
    msel = book["msel"]
    note = msel["B1"].comment.text
    assert msel["B1"].value == "day" and "the exercise day" in note and "день учения" in note
    about = [row for row in book["about"].iter_rows(values_only=True)]
    assert about[0] == ("sheet", "column", "English", "Русский")
    assert all(english and russian and english != russian for _s, _c, english, russian in about[1:])
    with pytest.raises(Exception, match="missing field 'id'"):  # blank: the exercise is still to be written
        check_scenario(read_workbook(tmp_path / "t.xlsx")[0])


def test_a_slip_on_the_command_line_never_costs_a_file(tmp_path):
    scenario = tmp_path / "my.json"
    scenario.write_text((ROOT / "scenarios.json").read_text(encoding="utf-8"), encoding="utf-8")
    result = run("scenario", "export", str(scenario))  # forgot --scenario and the .xlsx
    assert result.returncode == 1 and "name it FILE.xlsx" in result.stderr
    assert json.loads(scenario.read_text(encoding="utf-8"))["exercise"]["id"]  # untouched
    write_workbook(json.loads(scenario.read_text(encoding="utf-8")), tmp_path / "plan.xlsx")
    result = run("scenario", "import", str(tmp_path / "plan.xlsx"), "-o", str(tmp_path / "plan.xlsx"))
    assert result.returncode == 1 and "-o FILE.json" in result.stderr
    result = run("scenario", "template", str(tmp_path / "no-such-folder" / "t.xlsx"))
    assert result.returncode == 1 and "cannot write or read" in result.stderr and "Traceback" not in result.stderr


def test_rows_that_name_no_known_owner_or_a_merged_cell_are_refused(tmp_path):
    raw = json.loads((ROOT / "scenarios.json").read_text(encoding="utf-8"))
    path = tmp_path / "s.xlsx"
    write_workbook(raw, path)
    cell(path, "tasks", "objective", 3, "obj-3")
    with pytest.raises(WorkbookError, match="sheet 'tasks', row 3, column A 'objective': 'obj-3' is not on sheet 'objectives'"):
        read_workbook(path)
    write_workbook(raw, path)
    book = load_workbook(path)
    book["schedule"].merge_cells("A2:A5")  # one "1" for the whole of day 1, as planners lay it out
    book.save(path)
    with pytest.raises(WorkbookError, match="sheet 'schedule', row 3, column A 'day': empty; write it in every row"):
        read_workbook(path)


def test_texts_that_look_like_formulas_stay_texts_and_dates_are_refused(tmp_path):
    import datetime

    raw = json.loads((ROOT / "scenarios.json").read_text(encoding="utf-8"))
    raw["injects"][0]["title"] = "=== URGENT ==="
    path = tmp_path / "s.xlsx"
    write_workbook(raw, path)
    assert read_workbook(path)[0] == raw
    cell(path, "msel", "title", 3, datetime.datetime(2026, 2, 1))  # "1/2" typed into a title
    with pytest.raises(WorkbookError, match="sheet 'msel', row 3, column D 'title': 2026-02-01 00:00:00 is not a value"):
        read_workbook(path)
    raw["injects"][0]["title"] = "a\x0bb"  # Shift+Enter pasted from a word processor
    with pytest.raises(WorkbookError, match="control character U\\+000B"):
        write_workbook(raw, tmp_path / "t.xlsx")


def msel_rows(tmp_path):
    raw = json.loads((ROOT / "scenarios.json").read_text(encoding="utf-8"))
    write_workbook(raw, tmp_path / "s.xlsx")
    msel = load_workbook(tmp_path / "s.xlsx")["msel"]
    return raw, [["" if v is None else v for v in row] for row in msel.iter_rows(values_only=True)]


def test_a_csv_as_excel_and_notepad_write_it(tmp_path):
    raw, rows = msel_rows(tmp_path)
    rows[1][rows[0].index("description")] = "Two lines,\r\nwith a comma; and a semicolon"  # Windows line breaks in a cell
    rows[1][rows[0].index("time")] = "9:05"  # as people type it
    path = tmp_path / "msel.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("sep=,\r\n")  # Excel's line that names the separator
        csv.writer(f).writerows(rows)
    back, _where = read_msel_csv(path, raw)
    assert back["injects"][0]["description"] == "Two lines,\nwith a comma; and a semicolon"
    assert back["injects"][0]["time"] == "09:05"
    path.write_bytes("id;day;time;title\nI-01;1;13:15;Анонимное сообщение\n".encode("cp1251"))  # Russian Windows' own
    with pytest.raises(WorkbookError, match="It looks like Windows-1251"):
        read_msel_csv(path, raw)
    path.write_text("id;day\nI-01;1\n", encoding="utf-16")
    with pytest.raises(WorkbookError, match="is saved as UTF-16; save it as UTF-8"):
        read_msel_csv(path, raw)


def test_cells_as_spreadsheets_hold_them_numbers_line_breaks_and_languages(tmp_path):
    raw, _rows = msel_rows(tmp_path)
    path = tmp_path / "s.xlsx"
    cell(path, "msel", "expected_actions", 2, "Read the file\nPlan the visit\n")  # a line break left at the end
    back, _where = read_workbook(path)
    assert back["injects"][0]["expected_actions"] == ["Read the file", "Plan the visit"]
    write_workbook(raw, path)
    book = load_workbook(path)
    book["msel"].cell(row=1, column=book["msel"].max_column + 1, value="title [EN]")
    book.save(path)
    with pytest.raises(WorkbookError, match=r"'title \[EN\]': write the language code in small letters: \[en\]"):
        read_workbook(path)
    for header, message in (("title [en]", "en is the scenario's own language"), ("title [de]", "ExCon's pages speak en, ru")):
        write_workbook(raw, path)
        book = load_workbook(path)
        book["msel"].cell(row=1, column=book["msel"].max_column + 1, value=header)
        book.save(path)
        with pytest.raises(WorkbookError, match=message):
            read_workbook(path)


def test_a_language_column_with_more_lines_than_the_first_is_refused(tmp_path):
    raw = json.loads((ROOT / "scenarios.ru.json").read_text(encoding="utf-8"))
    path = tmp_path / "s.xlsx"
    write_workbook(raw, path)
    cell(path, "msel", "expected_actions [en]", 2, "One\nTwo\nThree\nFour\nFive\nSix")
    with pytest.raises(WorkbookError, match=r"sheet 'msel', row 2, column 'expected_actions \[en\]': 6 lines, but "
                                            r"'expected_actions' has \d"):
        read_workbook(path)


def test_check_reads_a_workbook_and_places_its_refusal(tmp_path):
    raw, _rows = msel_rows(tmp_path)
    path = tmp_path / "s.xlsx"
    good = run("scenario", "check", str(path))
    assert good.returncode == 0 and "46 injects (2 waiting for the teams' play)" in good.stdout
    cell(path, "msel", "site", 6, "casino")
    bad = run("scenario", "check", str(path))
    assert bad.returncode == 1 and "inject 'I-05': unknown site 'casino' — sheet 'msel', row 6" in bad.stderr


@pytest.mark.parametrize("sheet, header, row, value, said", [
    ("schedule", "end", 4, "11:00", "day 1 schedule #3: times out of order (13:00–11:00) — sheet 'schedule', row 4"),
    ("days", "title", 3, " ", "day 2: 'title' must be a non-empty text, not \" \" — sheet 'days', row 3"),
    ("assignments", "teams", 3, "zulu", "assignments entry #2: unknown team 'zulu' — sheet 'assignments', row 3"),
    ("teams", "color", 3, "#0072B2", "teams: two teams have the colour #0072b2: the map and the timeline tell teams apart "
                                     "by colour — sheet 'teams'"),
])
def test_import_places_what_the_check_refuses_by_its_entrys_place(tmp_path, sheet, header, row, value, said):
    raw = json.loads((ROOT / "scenarios.json").read_text(encoding="utf-8"))
    path = tmp_path / "s.xlsx"
    write_workbook(raw, path)
    cell(path, sheet, header, row, value)
    result = run("scenario", "import", str(path), "-o", str(tmp_path / "out.json"))
    assert result.returncode == 1 and said in result.stderr
