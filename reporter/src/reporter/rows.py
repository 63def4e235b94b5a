"""Reading warehouse rows: their timestamps and their order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from reporter.instruments import instrument_order
from reporter.weeks import parse_timestamp

Row = Mapping[str, Any]


def sorted_rows(rows: Iterable[Row]) -> list[Row]:
    """Timeseries rows by time, client, then instrument in report order."""
    order = {inst: i for i, inst in enumerate(instrument_order())}
    return sorted(
        rows,
        key=lambda r: (
            measured_at(r),
            str(r["client_id"]),
            order.get(str(r["instrument"]), 99),
            str(r["instrument"]),
            str(r["response_id"]),
        ),
    )


def measured_at(row: Row) -> datetime:
    return timestamp(row, "measured_at")


def timestamp(row: Row, field: str) -> datetime:
    return parse_timestamp(row[field], field)
