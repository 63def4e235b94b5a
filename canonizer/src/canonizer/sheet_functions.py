"""Extension functions for the Google Sheets transform: a response sheet's row read like a
Forms response.

A row's ``values`` are keyed by header cells. A form-linked sheet heads a grid row
``<grid title> [<row title>]`` and a plain question with its title, so a column's question
title is the row title or the header itself; the columns are then bound to instrument
items by :func:`canonizer.form_functions.bind_questions`, the code path Forms responses
take. A checkbox question's answers arrive in one cell joined with ``", "``: for an
instrument item that is several values (``multiple_values``), as in Forms.

The timestamp cell is wall-clock time in the spreadsheet's time zone, formatted for its
locale; it is read with the locale's day/month order into UTC. Errors name a rule and a
field, never a value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from canonizer.exceptions import TransformError
from canonizer.form_functions import UNANSWERED, AnswerText, bind_questions

_GRID_HEADER = re.compile(r"^.*? \[(?P<row>.+)\]$", re.DOTALL)
CHECKBOX_SEPARATOR = ", "

# Day/month order of the date in a locale's timestamp. Google writes a form's timestamp as
# the locale's short date and 24-hour time (de_DE 21.09.2026 18:27:31, en_US 9/21/2026
# 18:27:31, nl_NL 21-9-2026 18:27:31); ISO dates (2026-09-21 18:27:31) are read in any locale.
LOCALE_DATE_ORDER: Mapping[str, str] = {
    "de_DE": "DMY",
    "de_AT": "DMY",
    "de_CH": "DMY",
    "en_US": "MDY",
    "en_GB": "DMY",
    "en_IE": "DMY",
    "en_AU": "DMY",
    "fr_FR": "DMY",
    "fr_BE": "DMY",
    "fr_CH": "DMY",
    "es_ES": "DMY",
    "it_IT": "DMY",
    "it_CH": "DMY",
    "nl_NL": "DMY",
    "nl_BE": "DMY",
}
_ISO_TIMESTAMP = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?$"
)
_LOCAL_TIMESTAMP = re.compile(
    r"^(?P<a>\d{1,2})[./-](?P<b>\d{1,2})[./-](?P<y>\d{4}),? (?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?"
    r"(?: ?(?P<ampm>[AaPp]\.? ?[Mm]\.?))?$"
)


def column_title(header: str) -> str:
    """The question title a response sheet's column stands for: a grid row's title, else the header."""
    match = _GRID_HEADER.match(header)
    return match.group("row") if match else header


def cell_text(value: Any) -> AnswerText:
    """A cell as an answer: blank is unanswered, text one answer, ``a, b`` several values."""
    if not isinstance(value, str):
        return AnswerText(rule="wrong_type")
    parts = [part for part in value.split(CHECKBOX_SEPARATOR) if part.strip()]
    if len(parts) > 1:
        return AnswerText(rule="multiple_values")
    return AnswerText(text=value) if value.strip() else UNANSWERED


def bind_sheet_values(
    values: Any, columns: Any, skip_columns: Any, instruments: Any, id_bindings: Any
) -> dict[str, Any]:
    """A row's cells bound to instrument items as :func:`bind_questions` binds a form's answers.

    ``columns`` are the sheet's header cells (a row leaves out its empty cells, so its own
    keys do not say which questions the sheet has); ``skip_columns`` the ones that are no
    question (timestamp, e-mail). ``id_bindings`` are keyed by header cell.
    """
    skipped = {str(c) for c in (skip_columns or []) if c is not None}
    cells = (
        {str(k): v for k, v in (values or {}).items() if str(k) not in skipped} if isinstance(values, Mapping) else {}
    )
    headers = [h for h in dict.fromkeys([*(str(c) for c in columns or []), *cells]) if h not in skipped]
    questions = {header: column_title(header) for header in headers}
    texts = {header: cell_text(value) for header, value in cells.items()}
    return bind_questions(questions, texts, instruments, id_bindings)


def sheet_time_to_utc(text: Any, locale: Any, time_zone: Any, field: Any) -> str:
    """A timestamp cell (the locale's format, wall-clock time in ``time_zone``) in UTC, ``…Z``.

    A wall-clock time that occurs twice (the hour summer time ends) is read as its first
    occurrence; one that does not occur (the hour summer time begins) is refused, as is
    anything that is not a timestamp of the locale: ``TransformError`` naming ``field``.
    """
    field = str(field)
    if not isinstance(text, str) or not text.strip():
        raise TransformError("sheet.timestamp_missing", field)
    try:
        zone = ZoneInfo(str(time_zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise TransformError("sheet.unknown_time_zone", "timeZone") from None
    if locale not in LOCALE_DATE_ORDER:
        raise TransformError("sheet.unknown_locale", "locale")
    wall = _wall_clock(text.strip(), LOCALE_DATE_ORDER[str(locale)])
    if wall is None:
        raise TransformError("sheet.timestamp_format", field)
    local = wall.replace(tzinfo=zone)
    moment = local.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != wall:
        raise TransformError("sheet.timestamp_not_in_time_zone", field)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _wall_clock(text: str, order: str) -> datetime | None:
    iso = _ISO_TIMESTAMP.match(text)
    if iso:
        year, month, day, ampm = int(iso["y"]), int(iso["m"]), int(iso["d"]), None
        found = iso
    else:
        local = _LOCAL_TIMESTAMP.match(text)
        if local is None:
            return None
        first, second = int(local["a"]), int(local["b"])
        month, day = (first, second) if order == "MDY" else (second, first)
        year, ampm, found = int(local["y"]), local["ampm"], local
    hour, minute, seconds = int(found["H"]), int(found["M"]), int(found["S"] or 0)
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm[0] in "Pp" else 0)
    try:
        return datetime(year, month, day, hour, minute, seconds)
    except ValueError:
        return None


SHEET_EXTENSIONS: dict[str, Callable[..., Any]] = {
    "bind_sheet_values": bind_sheet_values,
    "sheet_time_to_utc": sheet_time_to_utc,
}
