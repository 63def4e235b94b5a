"""Stream the records back out of a JSONL file (one JSON object per line)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from ingestor.exceptions import JsonlFormatError

_FAULT = object()


def iter_jsonl_records(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Yield each line of ``path`` as a dict, streaming (one line in memory at a time).

    Blank lines (only whitespace) are skipped. A bad line raises ``JsonlFormatError``
    naming the file, the 1-based line number and the kind of fault (``invalid UTF-8``,
    ``malformed JSON``, ``not a JSON object``), never the line's content; the parser's
    own exception, which holds the line, is not chained.
    """
    path = Path(path)
    with path.open("rb") as stream:
        for line_number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                record = _FAULT
            if record is _FAULT:
                raise JsonlFormatError(path, line_number, _classify(line))
            if not isinstance(record, dict):
                raise JsonlFormatError(path, line_number, JsonlFormatError.NOT_AN_OBJECT)
            yield record


def _classify(line: bytes) -> str:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return JsonlFormatError.INVALID_UTF8
    return JsonlFormatError.MALFORMED_JSON
