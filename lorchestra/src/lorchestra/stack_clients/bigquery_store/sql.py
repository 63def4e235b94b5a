"""SQL values for BigQuery: query parameters, literals for server-side scripts, and the
constant partition filters that let BigQuery prune a partitioned table."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from google.cloud import bigquery

# Characters a quoted literal may not hold as such: a newline would make it span lines.
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_CONTROL = re.compile(r"[\\'\x00-\x1f\x7f]")


@dataclass(frozen=True)
class TypedArray:
    """An array parameter with its element type named where it is built: an empty list
    carries no type of its own, and BigQuery refuses ``col IN UNNEST(@keys)`` when the
    type of ``@keys`` does not match ``col``."""

    element_type: str
    items: tuple[Any, ...]


def strings(values: Iterable[str]) -> TypedArray:
    return TypedArray("STRING", tuple(values))


def ints(values: Iterable[int]) -> TypedArray:
    return TypedArray("INT64", tuple(values))


def inline_params(sql: str, params: dict[str, Any]) -> str:
    """Write ``@name`` parameters into a script as literals.

    Used for multi-statement transactions only, whose values are a bounded number of the
    suite's own identifiers (names, a timestamp), never record contents nor one value per
    record: the emulator does not pass query parameters into scripts.
    """
    return re.sub(r"@(\w+)", lambda m: literal(params[m.group(1)]), sql)


def literal(value: Any) -> str:
    """One scalar as a GoogleSQL literal on one line (lists are refused: a script holds no
    list that grows with the records of a batch)."""
    if isinstance(value, (list, tuple, set, frozenset, TypedArray)):
        raise TypeError("a script holds scalars only: stage a list, or pass it as a query parameter")
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value.isoformat()}'"
    text = _CONTROL.sub(lambda m: _ESCAPES.get(m.group(0), f"\\x{ord(m.group(0)):02x}"), str(value))
    return f"'{text}'"


def query_param(name: str, value: Any) -> bigquery.ScalarQueryParameter | bigquery.ArrayQueryParameter:
    if isinstance(value, TypedArray):
        return bigquery.ArrayQueryParameter(name, value.element_type, list(value.items))
    if isinstance(value, (list, tuple, set, frozenset)):
        raise TypeError(f"parameter {name}: name the element type of an array (sql.strings, sql.ints)")
    if isinstance(value, bool):
        return bigquery.ScalarQueryParameter(name, "BOOL", value)
    if isinstance(value, int):
        return bigquery.ScalarQueryParameter(name, "INT64", value)
    if isinstance(value, datetime):
        return bigquery.ScalarQueryParameter(name, "TIMESTAMP", value)
    return bigquery.ScalarQueryParameter(name, "STRING", None if value is None else str(value))


@dataclass(frozen=True)
class Span:
    """The earliest and latest value of a partition column among some rows."""

    low: datetime
    high: datetime


def parse_json(column: str) -> str:
    """``column`` (JSON text) as JSON. ``wide_number_mode => 'round'``: a number with more
    digits than a double holds (``0.1000000000000000000001``) is stored as the double it
    rounds to, where the default (``exact``) would refuse the whole statement, one record
    blocking its batch on every run; numbers no double holds are rejected at ingest."""
    return f"PARSE_JSON({column}, wide_number_mode => 'round')"


def partition_filter(column: str, spans: Sequence[Span]) -> str:
    """A constant filter on a partition column that selects the rows of ``spans``
    (``col BETWEEN TIMESTAMP '…' AND TIMESTAMP '…'``, one per span, OR-ed): BigQuery
    prunes the partitions no span reaches. Never empty: no spans means no rows."""
    if not spans:
        return "FALSE"
    ranges = [f"{column} BETWEEN {literal(s.low)} AND {literal(s.high)}" for s in spans]
    return ranges[0] if len(ranges) == 1 else "(" + " OR ".join(ranges) + ")"


def merged_spans(spans: Iterable[Span], unit: str) -> list[Span]:
    """``spans`` widened to whole partitions (``unit``: DAY or MONTH), sorted, and those in
    the same or adjacent partitions joined: fewer literals, the same partitions. Whole
    partitions, because a filter on exact values would miss a row whose partition value
    changed within its partition between the lookup and the statement that uses it."""
    out: list[Span] = []
    for span in sorted((_whole(s, unit) for s in spans), key=lambda s: s.low):
        if out and _partition(span.low, unit) - _partition(out[-1].high, unit) <= 1:
            out[-1] = Span(out[-1].low, max(out[-1].high, span.high))
        else:
            out.append(span)
    return out


def _whole(span: Span, unit: str) -> Span:
    """From the first to the last microsecond of the partitions ``span`` reaches."""
    low = span.low.replace(hour=0, minute=0, second=0, microsecond=0)
    high = span.high.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "MONTH":
        low, high = low.replace(day=1), high.replace(day=1)
        following = (
            high.replace(year=high.year + 1, month=1) if high.month == 12 else high.replace(month=high.month + 1)
        )
    else:
        following = high + timedelta(days=1)
    return Span(low, following - timedelta(microseconds=1))


def _partition(value: datetime, unit: str) -> int:
    return value.year * 12 + value.month if unit == "MONTH" else value.toordinal()
