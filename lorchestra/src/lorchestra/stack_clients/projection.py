"""Projections (inbox_view, measurement_timeseries ...): derived tables.

A projection is declared as ordered columns with portable types; each backend maps
them to its own types. It is either swapped whole in one step, or, when only part of
it depends on new data, changed by :class:`RowsChange`: the rows under some keys
replaced, in one transaction across tables, so readers never see half of an update.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

COLUMN_TYPES = ("string", "int", "float", "bool", "timestamp", "string[]")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str = ""

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES or not _NAME.match(self.name):
            raise ValueError(f"bad projection column {self.name!r} of type {self.type!r}")


def check_table_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"{name!r} is not a valid projection table name")
    return name


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


def check_field_name(name: str) -> str:
    """A top-level payload field used in a filter (written into SQL, so checked)."""
    if not _NAME.match(name):
        raise ValueError(f"{name!r} is not a valid payload field name for a filter")
    return name
