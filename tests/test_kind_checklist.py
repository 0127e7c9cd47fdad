"""One checklist per kind of event: every kind the server knows is documented, has its permission
rows, a drawing style and a description on the pages.  A new kind that misses one fails here."""

import re
from dataclasses import fields

import pytest

from control import permissions
from control.events import KINDS
from control.exports import csv_header
from control.rules import page_rules, rules_module

from .conftest import ROOT

PROTOCOL = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
VIEWS = (ROOT / "static" / "js" / "views.js").read_text(encoding="utf-8")


def kind_styles() -> set:
    block = re.search(r"export const KIND_STYLE = \{(.*?)\n\};", VIEWS, re.S)[1]
    return set(re.findall(r"^\s+(\w+): \{ name:", block, re.M))


def described() -> set:
    block = VIEWS[VIEWS.index("function describe(event)"):]
    return set(re.findall(r'case "(\w+)":', block[:block.index("default:")]))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_is_documented_permitted_styled_and_described(kind):
    assert re.search(rf"^\| `{kind}`", PROTOCOL, re.M), f"docs/protocol.md has no row for {kind}"
    if kind in permissions.CORRECTIONS:  # allowed and seen as their targets are
        assert kind in permissions.TARGETED
    else:
        assert permissions.SUBMIT.get(kind), f"nobody may submit {kind}: no row in permissions.SUBMIT"
        assert kind in permissions.SEE or kind in permissions.TARGETED, f"no row for {kind} in permissions.SEE"
    assert kind in kind_styles(), f"static/js/views.js KIND_STYLE has no style for {kind}"
    assert kind in described(), f"static/js/views.js describe() does not describe {kind}"


def test_every_field_of_every_kind_has_its_column_in_the_csv():
    columns = set(csv_header())
    missing = {(kind, f.name) for kind, cls in KINDS.items() for f in fields(cls) if f.name not in columns}
    assert missing == set()


def test_the_pages_get_the_rules_from_the_one_generated_module(client):
    response = client.get("/rules.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.get_data(as_text=True) == rules_module()
    assert set(page_rules()["clock"]) == {"start", "pause", "resume", "end"}


def test_no_page_script_keeps_its_own_copy_of_a_rule():
    scripts = {path.name: path.read_text(encoding="utf-8") for path in (ROOT / "static" / "js").rglob("*.js")}
    copies = ["performed without challenges", "Performed without challenges", "NEXT_STATE", "ALLOWED_FROM",
              "INJECT_STATUS", "CORRECTABLE", "OVERDUE_AFTER", '"phone call"', "applyToState"]
    found = {(name, copy) for name, text in scripts.items() for copy in copies if copy in text}
    assert found == set()
