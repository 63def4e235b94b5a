"""DuckDB values as the store hands them out: JSON parsed, arrays as lists, timestamps aware UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson

# Types DuckDB hands to Python as the store's contract returns them.
_AS_IS = frozenset(
    ("VARCHAR", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "DOUBLE", "FLOAT")
    + ("BOOLEAN", "DATE")
)


def converter(type_name: str) -> Callable[[Any], Any] | None:
    """How a non-NULL value of a column of DuckDB type ``type_name`` becomes what the store's
    contract returns; None: as it comes. Chosen once per column, not per value: a read of
    100,000 rows calls it a few times, not a million."""
    if type_name in _AS_IS:
        return None
    if type_name == "JSON":
        return _json
    if type_name.startswith("TIMESTAMP"):
        return utc
    return _nested


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str) else value


def _nested(value: Any) -> Any:
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
