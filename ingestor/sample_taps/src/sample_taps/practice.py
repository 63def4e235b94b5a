"""The practice fixtures (standard library only, so tests can read them without the SDK).

``fixtures/practice/`` holds one JSON file per source, written by
``tools/make_practice_fixtures.py`` (the story: ``CLIENTS.md``)::

    forms.json      {"forms": [forms.get resources],
                     "responses": [forms.responses.list records, revision 1],
                     "revision_2": [{"replaces": "<responseId>", "record": {...}}]}
    sheets.json     {"tab": "Formularantworten 1", "stream": "Formularantworten_1",
                     "header": [raw header row], "records": [rows as the tap emits them],
                     "revision_2": [{"row": <sheet row number, header = 1>, "record": {...}}]}
    dataverse.json  {"streams": {"contact": [...], "cr7a2_session": [...]},
                     "revision_2": {"contact": [{"replaces": "<contactid>", "record": {...}}], ...}}

At revision 2 each replaced record is swapped, in place, for its new version (an edited
Forms response keeps its ``responseId``; a changed contact keeps its ``contactid``).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

PRACTICE_DIR = Path(__file__).resolve().parent / "fixtures" / "practice"
REVISIONS = (1, 2)


class UnknownFormError(ValueError):
    """The requested form id is not one of the fixture forms."""


def check_revision(revision: int) -> int:
    if revision not in REVISIONS:
        raise ValueError(f"revision must be one of {REVISIONS}, got {revision!r}")
    return revision


@cache
def _document(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((PRACTICE_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return document


def _replace(records: list[dict[str, Any]], key: str, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    position = {record[key]: index for index, record in enumerate(records)}
    for change in changes:
        records[position[change["replaces"]]] = copy.deepcopy(change["record"])
    return records


def form_ids() -> list[str]:
    return [form["formId"] for form in _document("forms")["forms"]]


def _check_form(form_id: str | None) -> None:
    if form_id is not None and form_id not in form_ids():
        raise UnknownFormError(f"no fixture form {form_id!r}; known: {', '.join(form_ids())}")


def forms(form_id: str | None = None) -> list[dict[str, Any]]:
    """``forms.get`` resources (the same at every revision)."""
    _check_form(form_id)
    return [copy.deepcopy(f) for f in _document("forms")["forms"] if form_id in (None, f["formId"])]


def form_responses(revision: int = 1, form_id: str | None = None) -> list[dict[str, Any]]:
    check_revision(revision)
    _check_form(form_id)
    document = _document("forms")
    records = copy.deepcopy(document["responses"])
    if revision == 2:
        records = _replace(records, "responseId", document["revision_2"])
    return [r for r in records if form_id in (None, r["formId"])]


def sheet_properties() -> dict[str, Any]:
    """The linked spreadsheet as the Sheets API shows it: ``spreadsheetId``, ``title``, ``tab``
    and the raw ``header`` row (question titles as Google Forms writes them)."""
    document = _document("sheets")
    return {
        "spreadsheetId": document["spreadsheetId"],
        "title": document["spreadsheetTitle"],
        "tab": document["tab"],
        "header": list(document["header"]),
    }


def sheet_rows(revision: int = 1) -> list[dict[str, str]]:
    check_revision(revision)
    document = _document("sheets")
    records: list[dict[str, str]] = copy.deepcopy(document["records"])
    if revision == 2:
        for change in document["revision_2"]:
            records[change["row"] - 2] = copy.deepcopy(change["record"])
    return records


DATAVERSE_KEYS = {"contact": "contactid", "cr7a2_session": "cr7a2_sessionid"}


def dataverse_records(stream: str, revision: int = 1) -> list[dict[str, Any]]:
    check_revision(revision)
    document = _document("dataverse")
    records: list[dict[str, Any]] = copy.deepcopy(document["streams"][stream])
    if revision == 2:
        records = _replace(records, DATAVERSE_KEYS[stream], document["revision_2"][stream])
    return records
