"""From the rows of a form's response sheet to records that do not depend on row positions.

A row has no id of its own, and its position moves when the sheet is sorted or a row above
it is deleted. ``rowId`` is therefore derived from what a submission fixes: the spreadsheet,
the tab, the timestamp cell Google Forms writes and the respondent's e-mail (stripped,
lower-cased). It survives sorting, deleting other rows and correcting an answer cell by
hand; an edit through the form rewrites the row's timestamp, so the edited response gets a
new ``rowId``. A row without a timestamp cell (typed in by hand) is identified by its whole
content. Rows that share timestamp and e-mail but differ in content (only possible by hand)
are each identified by their content too, so none of them overwrites another.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

# The e-mail column Google Forms writes, in the sheet's language.
EMAIL_HEADERS = (
    "Email Address",
    "E-Mail-Adresse",
    "Adresse e-mail",
    "Dirección de correo electrónico",
    "Indirizzo email",
    "E-mailadres",
)
SEPARATOR = "\x1f"


@dataclass
class RowCounts:
    rows: int = 0
    empty: int = 0
    duplicates: int = 0  # rows identical to another row of the same rowId, emitted once
    by_content: int = 0  # rows identified by their content (no timestamp, or a shared key)
    reasons: Counter[str] = field(default_factory=Counter)


def column_titles(header: list[Any]) -> list[str]:
    """The header cells as record keys: exact text; a repeated title gets `` (2)``, `` (3)``...;
    an empty cell stays ``""`` (its column is left out of the records)."""
    seen: Counter[str] = Counter()
    titles = []
    for cell in header:
        title = "" if cell is None else str(cell)
        if title.strip():
            seen[title] += 1
            if seen[title] > 1:
                title = f"{title} ({seen[title]})"
        titles.append(title)
    return titles


def default_email_column(titles: list[str]) -> str | None:
    return next((title for title in titles if title in EMAIL_HEADERS), None)


def row_values(titles: list[str], row: list[Any]) -> dict[str, str]:
    """The row's non-empty cells keyed by their column's title (untitled columns left out)."""
    values = {}
    for title, cell in zip(titles, row, strict=False):
        text = "" if cell is None else str(cell)
        if title.strip() and text != "":
            values[title] = text
    return values


def _digest(*parts: str) -> str:
    return hashlib.sha256(SEPARATOR.join(parts).encode("utf-8")).hexdigest()[:32]


def _content(values: dict[str, str]) -> str:
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def row_key(
    spreadsheet_id: str, sheet: str, values: dict[str, str], timestamp_column: str, email_column: str | None
) -> str | None:
    """The rowId from timestamp and e-mail; None for a row without a timestamp cell."""
    timestamp = values.get(timestamp_column, "").strip()
    if not timestamp:
        return None
    email = values.get(email_column, "").strip().lower() if email_column else ""
    return _digest(spreadsheet_id, sheet, timestamp, email)


def identified(
    rows: Iterable[dict[str, str]],
    *,
    spreadsheet_id: str,
    sheet: str,
    timestamp_column: str,
    email_column: str | None,
    counts: RowCounts,
) -> Iterator[tuple[str, dict[str, str]]]:
    """``(rowId, values)`` for each distinct row, in the sheet's order."""
    keyed: dict[str | None, list[dict[str, str]]] = {}
    for values in rows:
        keyed.setdefault(row_key(spreadsheet_id, sheet, values, timestamp_column, email_column), []).append(values)
    emitted: set[str] = set()
    for key, group in keyed.items():
        distinct = {_content(values): values for values in group}
        counts.duplicates += len(group) - len(distinct)
        if key is not None and len(distinct) == 1:
            yield key, group[0]
            continue
        for content, values in distinct.items():
            row_id = _digest(content) if key is None else _digest(key, content)
            if row_id not in emitted:
                emitted.add(row_id)
                counts.by_content += 1
                yield row_id, values
