"""SQL values for BigQuery: query parameters, and literals for server-side scripts."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from google.cloud import bigquery


def inline_params(sql: str, params: dict[str, Any]) -> str:
    """Write ``@name`` parameters into a script as literals.

    Used for multi-statement transactions only, whose values are the suite's own
    identifiers (names, record numbers, a timestamp), never record contents: the
    emulator does not pass query parameters into scripts.
    """
    return re.sub(r"@(\w+)", lambda m: literal(params[m.group(1)]), sql)


def literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (list, tuple, set)):
        items = list(value)
        if not items:
            return "ARRAY<INT64>[]"
        return "[" + ", ".join(literal(v) for v in items) + "]"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value.isoformat()}'"
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def query_param(name: str, value: Any) -> bigquery.ScalarQueryParameter | bigquery.ArrayQueryParameter:
    if isinstance(value, (list, tuple, set)):
        items = list(value)
        # An empty list is an INT64 array: the only empty arrays passed are record numbers.
        kind = "INT64" if all(isinstance(v, int) for v in items) else "STRING"
        return bigquery.ArrayQueryParameter(name, kind, items)
    if isinstance(value, bool):
        return bigquery.ScalarQueryParameter(name, "BOOL", value)
    if isinstance(value, int):
        return bigquery.ScalarQueryParameter(name, "INT64", value)
    if isinstance(value, datetime):
        return bigquery.ScalarQueryParameter(name, "TIMESTAMP", value)
    return bigquery.ScalarQueryParameter(name, "STRING", None if value is None else str(value))
