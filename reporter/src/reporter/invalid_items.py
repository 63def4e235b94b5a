"""The invalid items of a measurement row: which items were answered with something that
is not a valid answer, and by which rule (never the value)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class InvalidItem:
    """An item answered with something that is not a valid answer: its number and the rule."""

    item: int
    rule: str  # e.g. "R9.out_of_range", "R10.unrecognised_text", "R9.wrong_type"


def invalid_items(row: Mapping[str, Any]) -> tuple[InvalidItem, ...]:
    """The row's ``invalid_items`` (``"<item>:<rule>"`` each); none on rows built before it existed."""
    found = []
    for entry in row.get("invalid_items") or ():
        item, _, rule = str(entry).partition(":")
        if not item.isdecimal() or not rule:
            raise ValueError("invalid_items entry is not '<item>:<rule>'")
        found.append(InvalidItem(int(item), rule))
    return tuple(found)
