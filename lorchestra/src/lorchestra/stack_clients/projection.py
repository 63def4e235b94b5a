"""Projections (inbox_view, measurement_timeseries ...): derived tables, replaced whole.

A projection is declared as ordered columns with portable types; each backend maps
them to its own types and swaps the table in one step, so readers never see half of
a rebuild.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
