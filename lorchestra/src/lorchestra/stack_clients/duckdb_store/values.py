"""DuckDB values as the store hands them out: JSON parsed, arrays as lists, timestamps aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson


def python_value(value: Any, type_name: str) -> Any:
    """``value`` of a column of DuckDB type ``type_name`` as the store's contract returns it."""
    if value is None:
        return None
    if type_name == "JSON" and isinstance(value, str):
        return orjson.loads(value)
    if isinstance(value, datetime):
        return utc(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def utc(value: datetime) -> datetime:
    """An aware UTC datetime (a naive one is taken to be UTC, the session's time zone)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def sql_string(text: str) -> str:
    """``text`` as a DuckDB string literal (paths in ATTACH and COPY, which take no parameters)."""
    return "'" + text.replace("'", "''") + "'"
