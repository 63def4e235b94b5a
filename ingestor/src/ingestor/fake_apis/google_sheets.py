"""The fake Google Sheets API: ``spreadsheets.get`` and ``spreadsheets.values.get`` of the
follow-up form's linked spreadsheet (``sample_taps`` ``sheets.json``).

Values come as Google sends them with ``FORMATTED_VALUE``: strings, rows in the sheet's
order, trailing empty cells and trailing empty rows left out, a range of whole rows
(``'<tab>'!<first>:<last>``, or the tab alone). Knobs: ``sheet_order`` (None, "reversed",
or a key function over a data row's cells: re-sorts the rows below the header, as a user
sorting the sheet does), ``deleted_rows`` (the story's sheet row numbers, header = 1,
removed before any re-sorting, as a user deleting the rows does), ``blank_rows`` (sheet row numbers whose cells are cleared:
the rows stay, empty), ``renamed_questions`` (shared with the Forms API: the
header cell of a renamed question says the new title).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from ingestor.fake_apis.google_forms import FormsApi
from ingestor.fake_apis.google_oauth import PRACTICE_ACCOUNT, SHEETS_SCOPE, api_error
from ingestor.fake_apis.server import FakeRequest, FakeResponse
from sample_taps import practice

SERVICE = "sheets.googleapis.com"
TAB_SHEET_ID = 1743251817
LOCALE, TIME_ZONE = "de_DE", "Europe/Berlin"
# A sheet linked to a form starts with 1000 rows; the grid only grows.
MIN_GRID_ROWS = 1000
_RANGE = re.compile(r"(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[^'!]+))(?:!(?P<first>\d+):(?P<last>\d+))?")

SheetOrder = None | str | Callable[[list[str]], Any]


def _mangled(title: str) -> str:
    """How the fixture (Matatika's tap) keys a column: whitespace runs as ``_``."""
    return re.sub(r"\s+", "_", title.strip())


def _header_cells(renamed: dict[str, str]) -> list[str]:
    """The header row; a renamed question's column titled as Google Forms would title it."""
    sheet = practice.sheet_properties()
    header = list(sheet["header"])
    form = next(f for f in practice.forms() if f.get("linkedSheetId") == sheet["spreadsheetId"])
    for item in form.get("items", []):
        question = item.get("questionItem", {}).get("question", {})
        if question.get("questionId") in renamed and item["title"] in header:
            header[header.index(item["title"])] = renamed[question["questionId"]]
        for row in item.get("questionGroupItem", {}).get("questions", []):
            cell = f"{item['title']} [{row['rowQuestion']['title']}]"
            if row.get("questionId") in renamed and cell in header:
                header[header.index(cell)] = f"{item['title']} [{renamed[row['questionId']]}]"
    return header


def _trimmed(cells: list[str]) -> list[str]:
    while cells and cells[-1] == "":
        cells = cells[:-1]
    return cells


class SheetsApi(FormsApi):
    """Sheets' routes; ``revision`` and ``renamed_questions`` come from the composed server."""

    def _init_sheets(self) -> None:
        self.sheet_order: SheetOrder = None
        self.deleted_rows: set[int] = set()
        self.blank_rows: set[int] = set()
        self.route("GET", r"/v4/spreadsheets/[^/]+", self._spreadsheet)
        self.route("GET", r"/v4/spreadsheets/[^/]+/values/[^/]+", self._values)

    def grid(self) -> list[list[str]]:
        """The tab's rows as the API shows them (header first), after the knobs."""
        original = practice.sheet_properties()["header"]
        rows = [
            [record.get(_mangled(title), "") for title in original]
            for number, record in enumerate(practice.sheet_rows(self.revision), start=2)
            if number not in self.deleted_rows
        ]
        if self.sheet_order == "reversed":
            rows.reverse()
        elif callable(self.sheet_order):
            rows.sort(key=self.sheet_order)
        grid = [_header_cells(self.renamed_questions), *rows]
        return [[] if number in self.blank_rows else _trimmed(row) for number, row in enumerate(grid, start=1)]

    def _grid_rows(self) -> int:
        return max(MIN_GRID_ROWS, len(self.grid()) + 1)

    def _known_spreadsheet(self, request: FakeRequest) -> FakeResponse | None:
        account = self.authorize(request, SERVICE, SHEETS_SCOPE)
        if isinstance(account, FakeResponse):
            return account
        if request.path.split("/")[3] != practice.sheet_properties()["spreadsheetId"]:
            return api_error(404, "NOT_FOUND", "Requested entity was not found.", "notFound")
        if account != PRACTICE_ACCOUNT:
            return api_error(403, "PERMISSION_DENIED", "The caller does not have permission", "forbidden")
        return None

    def _spreadsheet(self, request: FakeRequest) -> FakeResponse:
        if refused := self._known_spreadsheet(request):
            return refused
        sheet = practice.sheet_properties()
        return FakeResponse(
            200,
            {
                "spreadsheetId": sheet["spreadsheetId"],
                "properties": {"title": sheet["title"], "locale": LOCALE, "timeZone": TIME_ZONE},
                "sheets": [
                    {
                        "properties": {
                            "sheetId": TAB_SHEET_ID,
                            "title": sheet["tab"],
                            "index": 0,
                            "sheetType": "GRID",
                            "gridProperties": {"rowCount": self._grid_rows(), "columnCount": len(sheet["header"])},
                        }
                    }
                ],
            },
        )

    def _values(self, request: FakeRequest) -> FakeResponse:
        if refused := self._known_spreadsheet(request):
            return refused
        text = unquote(request.path.split("/")[5])
        match = _RANGE.fullmatch(text)
        tab = (
            (match.group("quoted").replace("''", "'") if match.group("quoted") else match.group("plain"))
            if match
            else None
        )
        if match is None or tab != practice.sheet_properties()["tab"]:
            return api_error(400, "INVALID_ARGUMENT", f"Unable to parse range: {text}", "badRequest")
        grid_rows = self._grid_rows()
        first, last = (int(match.group("first")), int(match.group("last"))) if match.group("first") else (1, grid_rows)
        if first < 1 or last < first:
            return api_error(400, "INVALID_ARGUMENT", f"Unable to parse range: {text}", "badRequest")
        last = min(last, grid_rows)
        rows = self.grid()[first - 1 : last]
        while rows and not rows[-1]:
            rows.pop()
        quoted = "'" + tab.replace("'", "''") + "'"
        body: dict[str, Any] = {"range": f"{quoted}!A{first}:Z{last}", "majorDimension": "ROWS"}
        if rows:
            body["values"] = rows
        return FakeResponse(200, body)
