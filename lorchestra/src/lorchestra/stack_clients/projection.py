"""Projections (inbox_view, measurement_timeseries ...): derived tables.

A projection is declared as ordered columns with portable types; each backend maps
them to its own types. It is either swapped whole in one step, or, when only part of
it depends on new data, changed by :class:`RowsChange`: the rows under some keys
replaced, in one transaction across tables, so readers never see half of an update.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lorchestra.stack_clients.tables import Column, check_field_name, check_table_name

__all__ = ["Column", "RowsChange", "check_field_name", "check_table_name"]


@dataclass(frozen=True)
class RowsChange:
    """Delete the rows of ``table`` whose ``key_column`` is in ``keys``; insert ``rows``."""

    table: str
    columns: Sequence[Column]
    key_column: str
    keys: Sequence[str]
    rows: Sequence[Mapping[str, Any]]

    def __post_init__(self) -> None:
        check_table_name(self.table)
        if self.key_column not in {c.name for c in self.columns}:
            raise ValueError(f"{self.key_column!r} is not a column of {self.table}")
