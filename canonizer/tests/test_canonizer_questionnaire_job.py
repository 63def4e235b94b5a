"""canonicalize_questionnaires with Forms responses and Sheet rows (issue 13, items 3 and 4)
on a real DuckDB warehouse: one response per submission, whichever way it came in, and
counts that name duplicates, unlinked responses and unbound items."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner

from canonizer.jobs_clinical import canonicalize_contacts
from canonizer.jobs_questionnaires import canonicalize_questionnaires
from canonizer.registry import get_transform
from lorchestra.cli import main
from lorchestra.home import PhiHome
from sample_taps import practice
from sheet_records import HEADER, practice_sheet_records
from warehouse_support import Warehouse, home  # noqa: F401  (home: the fixture)

FOLLOW_UP = "1gKgJF8UxBJUC4S1qcBjDHMwV9bQfk642hzMMwOzU956"
SHEET = {
    "name": "sheet-followup",
    "system": "google_sheets",
    "spreadsheet_id": "14YotILuQRbJXJpFDQdN6qyIAEXyJGZCy4DfANUnaqiR",
    "sheet": "Formularantworten 1",
    "form_id": FOLLOW_UP,
}
FORMS = {"name": "google-forms-followup", "system": "google_forms", "form_id": FOLLOW_UP}
LENA = "ACYDBN0ia-oa0fYHc5Qmos23mscI0flDLMhqb0zdn0mKHSGBC3wn7DSW"  # the story's unlinked response


@pytest.fixture
def warehouse(home: PhiHome, request: pytest.FixtureRequest) -> Iterator[Warehouse]:  # noqa: F811
    found = Warehouse(home, getattr(request, "param", [FORMS, SHEET]))
    found.emit("dataverse", "dataverse", "contact", "contactid", practice.dataverse_records("contact"))
    try:
        yield found
    finally:
        found.store.close()


def emit_forms(warehouse: Warehouse, form_ids: tuple[str, ...] = tuple(practice.form_ids())) -> None:
    for form_id in form_ids:
        warehouse.emit("google_forms", "google-forms", "form", "formId", practice.forms(form_id))
        warehouse.emit(
            "google_forms", "google-forms", "form_response", "responseId", practice.form_responses(form_id=form_id)
        )


def emit_sheet(warehouse: Warehouse, rows: list[dict[str, Any]] | None = None) -> None:
    warehouse.emit(
        "google_sheets", "sheet-followup", "sheet_response", "rowId", practice_sheet_records() if rows is None else rows
    )


def test_a_response_from_the_forms_api_and_its_sheet_is_one_response(warehouse: Warehouse) -> None:
    emit_forms(warehouse)
    emit_sheet(warehouse)
    warehouse.run(canonicalize_contacts)
    counts = warehouse.run(canonicalize_questionnaires)
    # 88 Forms responses, then the 74 rows of the follow-up form's Sheet: each repeats one
    assert (counts["inputs"], counts["outputs_inserted"], counts["duplicates"], counts["rejected"]) == (162, 88, 74, 0)
    assert (counts["unlinked"], counts["responses_with_unbound_items"], counts["duplicates_written_before"]) == (
        1,
        0,
        0,
    )
    responses = warehouse.responses()
    assert len(responses) == 88 and not any(r.startswith("sheet:") for r in responses)
    assert [r for r, p in responses.items() if p["client_id"] is None] == [LENA]
    again = warehouse.run(canonicalize_questionnaires)
    assert (again["inputs"], again["duplicates"], again["unlinked"]) == (0, 0, 0)


def test_a_sheet_that_shows_the_second_rounded_up_still_repeats_its_forms_response(warehouse: Warehouse) -> None:
    # Whether the Sheet cuts or rounds the fraction of a second is not documented: a sheet
    # one second later than the Forms API is the same submission, two seconds is not.
    rows = practice_sheet_records()
    for shift, row in zip((1, 2), rows[:2], strict=True):
        at = datetime.strptime(row["values"]["Zeitstempel"], "%d.%m.%Y %H:%M:%S") + timedelta(seconds=shift)
        row["values"]["Zeitstempel"] = at.strftime("%d.%m.%Y %H:%M:%S")
    emit_forms(warehouse)
    emit_sheet(warehouse, rows)
    warehouse.run(canonicalize_contacts)
    counts = warehouse.run(canonicalize_questionnaires)
    assert (counts["outputs_inserted"], counts["duplicates"]) == (88 + 1, 73)


def test_an_edited_response_is_still_one_response_though_its_sheet_row_changes_its_id(warehouse: Warehouse) -> None:
    emit_forms(warehouse, (FOLLOW_UP,))
    emit_sheet(warehouse)
    warehouse.run(canonicalize_contacts)
    assert warehouse.run(canonicalize_questionnaires)["outputs_inserted"] == 74
    # Marie Engel edits her 4th response: the Forms API keeps its responseId, the sheet row
    # gets the edit's timestamp and so a new rowId; the old row stays in raw_objects
    warehouse.emit(
        "google_forms",
        "google-forms",
        "form_response",
        "responseId",
        practice.form_responses(revision=2, form_id=FOLLOW_UP),
    )
    emit_sheet(warehouse, practice_sheet_records(revision=2))
    later = warehouse.run(canonicalize_questionnaires)
    assert (later["outputs_updated"], later["outputs_inserted"], later["duplicates"]) == (1, 0, 75)
    assert len(warehouse.responses()) == 74


@pytest.mark.parametrize("warehouse", [[SHEET]], indirect=True)
def test_the_sheet_alone_gives_every_follow_up_response_and_resorting_it_changes_nothing(warehouse: Warehouse) -> None:
    emit_forms(warehouse, (practice.form_ids()[0],))  # the intake form through the API, the follow-up form's Sheet
    emit_sheet(warehouse)
    warehouse.run(canonicalize_contacts)
    counts = warehouse.run(canonicalize_questionnaires)
    assert (counts["outputs_inserted"], counts["duplicates"], counts["unlinked"]) == (14 + 74, 0, 1)
    before = warehouse.responses()
    assert sum(1 for r in before if r.startswith("sheet:")) == 74
    assert all(p["client_id"] for r, p in before.items() if r.startswith("sheet:"))
    emit_sheet(warehouse, list(reversed(practice_sheet_records())))  # the practice sorts its sheet
    resorted = warehouse.run(canonicalize_questionnaires)
    assert (resorted["inputs"], resorted["outputs_inserted"], resorted["outputs_updated"]) == (0, 0, 0)
    assert warehouse.responses() == before


@pytest.mark.parametrize("warehouse", [[SHEET]], indirect=True)
def test_a_forms_connection_added_later_counts_the_sheet_responses_written_before(warehouse: Warehouse) -> None:
    emit_sheet(warehouse)
    warehouse.run(canonicalize_contacts)
    assert warehouse.run(canonicalize_questionnaires)["outputs_inserted"] == 74
    emit_forms(warehouse, (FOLLOW_UP,))
    later = warehouse.run(canonicalize_questionnaires)
    # the Forms responses are written; the sheet rows are read again and now repeat them,
    # but their responses from the first run stay (nothing deletes): counted, to be seen
    assert (later["outputs_inserted"], later["duplicates"], later["duplicates_written_before"]) == (74, 74, 74)


@pytest.mark.parametrize("warehouse", [[SHEET]], indirect=True)
def test_a_renamed_column_is_counted_and_named_in_every_response_it_touches(warehouse: Warehouse) -> None:
    old = "PHQ-9 [Thoughts that you would be better off dead or of hurting yourself in some way]"
    new = "PHQ-9 [Thoughts of being better off dead]"
    rows = practice_sheet_records()
    renamed = []
    for row in rows[:10]:
        row = copy.deepcopy(row)
        row["values"] = {(new if k == old else k): v for k, v in row["values"].items()}
        renamed.append(row)
    header_without_old = [h for h in HEADER if h != old]
    assert old not in header_without_old
    emit_sheet(warehouse, renamed)  # the sheet as it is after the rename: the old title is gone
    warehouse.run(canonicalize_contacts)
    counts = warehouse.run(canonicalize_questionnaires)
    assert (counts["outputs_inserted"], counts["responses_with_unbound_items"]) == (10, 10)
    for response in warehouse.responses().values():
        assert response["instruments"]["phq9"]["unbound_items"] == [9]
        assert 9 in response["instruments"]["phq9"]["missing_items"]
        assert response["unmapped_question_ids"] == [new]


def test_unknown_connections_forms_and_unreadable_timestamps_are_rejects_and_the_rest_is_written(
    warehouse: Warehouse,
) -> None:
    rows = practice_sheet_records()[:3]
    rows[0] = {**rows[0], "locale": "xx_XX"}
    emit_sheet(warehouse, rows)
    warehouse.emit("google_sheets", "sheet-removed", "sheet_response", "rowId", practice_sheet_records()[3:4])
    warehouse.emit(
        "google_forms",
        "google-forms",
        "form_response",
        "responseId",
        [{**practice.form_responses(form_id=FOLLOW_UP)[0], "formId": "F-unknown"}],
    )
    counts = warehouse.run(canonicalize_questionnaires)
    assert (counts["inputs"], counts["rejected"], counts["outputs_inserted"]) == (5, 3, 2)
    rejects = warehouse.rows("SELECT rule, field FROM rejects ORDER BY rule")
    assert rejects == [
        {"rule": "connection_not_configured", "field": "connection_name"},
        {"rule": "sheet.unknown_locale", "field": "locale"},
        {"rule": "unknown_form", "field": "formId"},
    ]


def test_lorc_status_lists_the_unlinked_responses_by_id_only(warehouse: Warehouse, home: PhiHome) -> None:  # noqa: F811
    emit_forms(warehouse)
    warehouse.run(canonicalize_contacts)
    warehouse.run(canonicalize_questionnaires)
    warehouse.store.close()
    shown = CliRunner().invoke(main, ["status", "--json"], env={"LORC_HOME": str(home.root)}, catch_exceptions=False)
    assert shown.exit_code == 0, shown.stderr
    status = json.loads(shown.stdout)
    assert status["unlinked_responses"] == [LENA]
    assert "lena.schmidt" not in shown.stdout and "lena.schmidt" not in shown.stderr
    text = CliRunner().invoke(main, ["status"], env={"LORC_HOME": str(home.root)}, catch_exceptions=False)
    assert text.exit_code == 0, text.stderr
    assert "1 questionnaire response(s) match no contact" in text.stdout and "lena" not in text.stdout.lower()


def test_a_changed_contact_relinks_only_the_responses_it_touches(warehouse: Warehouse) -> None:
    emit_forms(warehouse)
    emit_sheet(warehouse)
    warehouse.run(canonicalize_contacts)
    warehouse.run(canonicalize_questionnaires)
    before = warehouse.responses()
    contacts = practice.dataverse_records("contact")
    moved = next(c for c in contacts if sum(1 for r in before.values() if r["client_id"] == c["contactid"]) >= 2)
    theirs = {r for r, p in before.items() if p["client_id"] == moved["contactid"]}
    # the contact takes the address of the story's unlinked response: theirs lose the link, it gains it
    moved["emailaddress1"] = before[LENA]["respondent_email"]
    warehouse.emit("dataverse", "dataverse", "contact", "contactid", contacts)
    warehouse.run(canonicalize_contacts)

    counts = warehouse.run(canonicalize_questionnaires)
    assert (counts["inputs"], counts["outputs_updated"]) == (len(theirs) + 1, len(theirs) + 1)
    after = warehouse.responses()
    assert after[LENA]["client_id"] == moved["contactid"]
    assert all(after[r]["client_id"] is None for r in theirs)
    assert {r: p for r, p in after.items() if r not in theirs | {LENA}} == {
        r: p for r, p in before.items() if r not in theirs | {LENA}
    }
    consumers = {r["consumer"] for r in warehouse.rows("SELECT DISTINCT consumer FROM processed_inputs")}
    assert {c for c in consumers if c.startswith("canonicalize_questionnaires")} == {
        f"canonicalize_questionnaires:{get_transform(f'questionnaire_response/{system}').ref}"
        for system in ("google_forms", "google_sheets")
    }
    assert warehouse.run(canonicalize_questionnaires)["inputs"] == 0


def test_changed_bindings_reprocess_every_response_under_the_same_consumer(warehouse: Warehouse) -> None:
    emit_forms(warehouse)
    warehouse.run(canonicalize_contacts)
    first = warehouse.run(canonicalize_questionnaires)
    warehouse.configure("forms", [{**FORMS, "question_bindings": {"0000abcd": "phq9.item1"}}, SHEET])
    again = warehouse.run(canonicalize_questionnaires)
    assert again["inputs"] == first["inputs"] == 88
    consumers = {r["consumer"] for r in warehouse.rows("SELECT DISTINCT consumer FROM processed_inputs")}
    assert len({c for c in consumers if c.startswith("canonicalize_questionnaires")}) == 1
