"""The CSV export opens in a spreadsheet as it is: UTF-8 with a byte-order mark, one column per
field, names next to ids, Cyrillic intact."""

import copy
import csv
import io

from control.exports import csv_header, events_csv

from .conftest import new_id


def test_cyrillic_names_and_notes_round_trip_with_utf_8_sig(scenario, exercise):
    scenario = copy.deepcopy(scenario)
    scenario.teams["alpha"]["name"] = "Команда 1 «Арал»"
    scenario.objectives["obj-identify"]["title"] = "Выявление предполагаемых жертв"
    exercise.submit({"id": new_id(), "kind": "clock", "op": "start", "day": 2, "time": "09:00"}, "director")
    rating = exercise.submit({"id": new_id(), "kind": "evaluation", "team": "alpha", "objective": "obj-identify",
                              "rating": "S", "note": "Спросили про паспорта; переводчик опоздал", "tag": "improvement"},
                             "observer").event
    exercise.submit({"id": new_id(), "kind": "amend", "target": rating["id"], "rating": "M"}, "observer")
    data = "".join(events_csv(exercise.pages_for("director"), scenario, "en")).encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")  # Excel then reads UTF-8, not the Windows code page
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == csv_header()
    evaluation, amend = rows[1], rows[2]
    assert (evaluation["team"], evaluation["team_name"]) == ("alpha", "Команда 1 «Арал»")
    assert evaluation["objective_title"] == "Выявление предполагаемых жертв"
    assert evaluation["note"] == "Спросили про паспорта; переводчик опоздал"
    assert (evaluation["rating"], evaluation["tag"]) == ("S", "improvement")
    assert (evaluation["exercise_day"], evaluation["exercise_clock"]) == ("2", "09:00:00")
    assert (amend["kind"], amend["target"], amend["rating"]) == ("amend", rating["id"], "M")
    assert "entry" not in amend  # what the screens get with an amend is not a column of its own


def test_a_text_a_spreadsheet_would_run_stays_text(scenario, exercise):
    exercise.submit({"id": new_id(), "kind": "clock", "op": "start"}, "director")
    exercise.submit({"id": new_id(), "kind": "note", "text": '=HYPERLINK("http://example.org","click")'}, "observer")
    exercise.submit({"id": new_id(), "kind": "action", "team": "alpha", "action_type": "plan", "site": "club",
                     "text": "@SUM(A1)"}, "team:alpha")
    exercise.submit({"id": new_id(), "kind": "schedule_shift", "day": 1, "time": "12:00", "minutes": -15,
                     "reason": "-lunch moved"}, "director")
    data = "".join(events_csv(exercise.pages_for("director"), scenario, "en"))
    rows = list(csv.DictReader(io.StringIO(data.lstrip("\ufeff"))))
    note, action, shift = rows[1], rows[2], rows[3]
    assert note["text"] == '\'=HYPERLINK("http://example.org","click")'
    assert action["text"] == "'@SUM(A1)" and action["team_name"] == "Team Alpha"
    assert shift["reason"] == "'-lunch moved" and shift["minutes"] == "-15"  # a number stays a number
