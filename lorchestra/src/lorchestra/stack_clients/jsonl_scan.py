"""The careful reader for JSONL input: every line is either kept or named as a fault.

The stores first let the warehouse read a file natively (fast); when that read fails
on a malformed line, or finds a line the suite's definition of a record refuses
(:mod:`json_rules`), they fall back to this scan, which says which line is wrong and
why without ever echoing the line, and hands the good lines on unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lorchestra.stack_clients.json_rules import MAX_DEPTH, JsonFault, parse_record
from lorchestra.stack_clients.model import payload_hash


@dataclass(frozen=True)
class GoodLine:
    ordinal: int  # 1-based among non-blank lines, as the warehouse's own JSONL reader counts
    text: bytes  # the line without surrounding whitespace
    record: dict[str, Any]


@dataclass(frozen=True)
class BadLine:
    ordinal: int
    rule: str
    field: str
    digest: str


def scan_jsonl(path: Path, *, max_depth: int = MAX_DEPTH) -> Iterator[GoodLine | BadLine]:
    """Yield each non-blank line of ``path`` as a GoodLine or a BadLine, in file order
    (what is good is decided by :func:`json_rules.parse_record`)."""
    number = 0
    with path.open("rb") as handle:
        for raw in handle:
            text = raw.strip()
            if not text:
                continue
            number += 1
            record = parse_record(text, max_depth=max_depth)
            if isinstance(record, JsonFault):
                yield BadLine(number, record.rule, record.field, payload_hash(text))
            else:
                yield GoodLine(number, text, record)
