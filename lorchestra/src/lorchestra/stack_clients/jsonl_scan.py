"""The careful reader for JSONL input: every line is either kept or named as a fault.

The stores first let the warehouse read a file natively (fast); when that read fails
on a malformed line they fall back to this scan, which says which line is wrong and
why without ever echoing the line, and hands the good lines on unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from lorchestra.stack_clients.model import (
    RULE_INVALID_UTF8,
    RULE_MALFORMED_JSON,
    RULE_NOT_AN_OBJECT,
    payload_hash,
)


@dataclass(frozen=True)
class GoodLine:
    ordinal: int  # 1-based among non-blank lines, as the warehouse's own JSONL reader counts
    text: bytes  # the line without surrounding whitespace
    record: dict


@dataclass(frozen=True)
class BadLine:
    ordinal: int
    rule: str
    digest: str


def scan_jsonl(path: Path) -> Iterator[GoodLine | BadLine]:
    """Yield each non-blank line of ``path`` as a GoodLine or a BadLine, in file order."""
    number = 0
    with path.open("rb") as handle:
        for raw in handle:
            text = raw.strip()
            if not text:
                continue
            number += 1
            try:
                text.decode("utf-8")
            except UnicodeDecodeError:
                yield BadLine(number, RULE_INVALID_UTF8, payload_hash(text))
                continue
            try:
                record = orjson.loads(text)
            except orjson.JSONDecodeError:
                yield BadLine(number, RULE_MALFORMED_JSON, payload_hash(text))
                continue
            if not isinstance(record, dict):
                yield BadLine(number, RULE_NOT_AN_OBJECT, payload_hash(text))
                continue
            yield GoodLine(number, text, record)
