"""Sheet rows as tap-lorc-sheets emits them (issue 13 contract §2), built from the practice
fixtures: ``sheets.json`` ``header`` and each row's cells in column order."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sample_taps import practice
from sample_taps.practice import PRACTICE_DIR

SHEETS = json.loads((PRACTICE_DIR / "sheets.json").read_text(encoding="utf-8"))
HEADER: list[str] = SHEETS["header"]
SPREADSHEET_ID: str = SHEETS["spreadsheetId"]
TAB: str = SHEETS["tab"]


def row_id(spreadsheet_id: str, sheet: str, timestamp: str, email: str) -> str:
    text = "\x1f".join((spreadsheet_id, sheet, timestamp, email.strip().lower()))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def sheet_record(
    cells: dict[str, Any], *, locale: str = "de_DE", time_zone: str = "Europe/Berlin", header: list[str] | None = None
) -> dict[str, Any]:
    """A record from ``{header cell: value}``; empty cells are left out, as the tap does."""
    header = header or HEADER
    values = {h: cells[h] for h in header if h in cells and cells[h] != ""}
    values.update({k: v for k, v in cells.items() if k not in header and v != ""})
    return {
        "rowId": row_id(SPREADSHEET_ID, TAB, str(cells.get(header[0], "")), str(cells.get(header[1], ""))),
        "spreadsheetId": SPREADSHEET_ID,
        "sheet": TAB,
        "timeZone": time_zone,
        "locale": locale,
        "timestampColumn": header[0],
        "emailColumn": header[1],
        "values": values,
    }


def practice_sheet_records(revision: int = 1) -> list[dict[str, Any]]:
    """The follow-up form's Sheet, every row (the fixture's record values are in header order)."""
    return [sheet_record(dict(zip(HEADER, row.values(), strict=True))) for row in practice.sheet_rows(revision)]
