"""What the suite accepts as a JSON record: one definition for every ingest path and both backends.

DuckDB's JSON reader accepts more than the other readers of a stored payload do (NaN,
trailing commas, ``1e400``, any depth). A record is written only if every reader reads
it back, as the same values: orjson on the Python side, DuckDB, and BigQuery's JSON type.
So a record is a JSON object, in UTF-8, that orjson parses, nested at most
:data:`MAX_DEPTH` levels (BigQuery's limit; orjson's is 1,024), whose every number fits
a 64-bit integer or a finite double without turning into another number (orjson reads
``123456789012345678901234567890`` as a float and ``1e-400`` as ``0.0``; BigQuery
refuses both). Anything else is a :class:`JsonFault` naming the rule and the field.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from lorchestra.stack_clients.model import (
    RULE_INVALID_UTF8,
    RULE_JSON_TOO_DEEP,
    RULE_MALFORMED_JSON,
    RULE_NOT_AN_OBJECT,
    RULE_NUMBER_OUT_OF_RANGE,
    without_fields,
)

MAX_DEPTH = 500  # the record itself is level 1
_INT_RANGE = (-(2**63), 2**64 - 1)  # int64 and uint64
# The floats orjson makes of number literals that no 64-bit integer or double holds:
# an integer beyond int64/uint64 becomes a float at or beyond these bounds, a non-zero
# number below the smallest double becomes 0.0. Any such float sends its record to the
# token walk below, which looks at the literals themselves.
_INT_AS_FLOAT = (-(2.0**63), 2.0**64)
_TOKEN = re.compile(
    rb'\s*(?:(?P<string>"[^"\\]*(?:\\.[^"\\]*)*")|(?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)'
    rb"|(?P<punct>[{}\[\],:])|(?P<literal>true|false|null))",
    re.DOTALL,
)
_EXPONENT = re.compile(rb"[eE]")
_NONZERO_DIGIT = re.compile(rb"[1-9]")
_PATH_PARTS = 10  # a field path is cut after this many parts: it names where, not everything

log = logging.getLogger("lorchestra.store")


@dataclass(frozen=True)
class JsonFault:
    """Why a JSON text cannot be stored or read: a rule and a field path, never a value."""

    rule: str
    field: str


UnreadableHandler = Callable[[str, JsonFault], None]


def parse_record(text: bytes, *, max_depth: int = MAX_DEPTH) -> dict[str, Any] | JsonFault:
    """The record one JSONL line holds, or why it may not be stored."""
    try:
        record = orjson.loads(text)
    except orjson.JSONDecodeError:
        return json_fault(text, max_depth=max_depth)
    if not isinstance(record, dict):
        return JsonFault(RULE_NOT_AN_OBJECT, "$")
    if _may_break_limits(record, max_depth):
        fault = _limit_fault(text, max_depth)
        if fault is not None:
            return fault
    return record


def json_fault(text: bytes | str, *, max_depth: int = MAX_DEPTH) -> JsonFault:
    """Why orjson could not parse ``text`` (only called once it could not)."""
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogatepass")
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        return JsonFault(RULE_INVALID_UTF8, "$")
    return _limit_fault(text, max_depth) or JsonFault(RULE_MALFORMED_JSON, "$")


def read_stored(
    rows: Iterable[tuple[str, str]], drop_fields: Sequence[str], on_unreadable: UnreadableHandler | None
) -> Iterator[tuple[str, Any]]:
    """``(idem_key, payload)`` of stored ``(idem_key, payload text)`` rows. A payload no
    reader can parse (older versions stored some) is passed over and handed to
    ``on_unreadable``, or logged by key and rule: one such row never stops a reader."""
    for key, text in rows:
        try:
            payload = orjson.loads(text)
        except orjson.JSONDecodeError:
            fault = json_fault(text)
            if on_unreadable is None:
                log.warning(
                    "passed over the unreadable stored payload of %s (rule %s, field %s)", key, fault.rule, fault.field
                )
            else:
                on_unreadable(key, fault)
            continue
        yield key, without_fields(payload, drop_fields)


def _may_break_limits(record: dict[str, Any], max_depth: int) -> bool:
    """Whether a parsed record is nested deeper than ``max_depth`` or holds a float that
    an out-of-range literal may have become (one pass, level by level: cheap)."""
    level: list[Any] = [record]
    depth = 1
    while level:
        if depth > max_depth:
            return True
        below = []
        for node in level:
            for value in node.values() if type(node) is dict else node:
                kind = type(value)
                if kind is dict or kind is list:
                    below.append(value)
                elif kind is float and (value == 0.0 or not _INT_AS_FLOAT[0] < value < _INT_AS_FLOAT[1]):
                    return True
        level = below
        depth += 1
    return False


def _limit_fault(text: bytes, max_depth: int) -> JsonFault | None:
    """Walk the tokens of ``text`` for the first nesting or number beyond the limits.

    Stops quietly where the text stops being JSON: that is for the caller to name.
    """
    path: list[str | int] = []  # the key or index at each open level
    expects_key: list[bool] = []  # per open level: an object waiting for a key
    position, end = 0, len(text)
    while position < end:
        match = _TOKEN.match(text, position)
        if match is None:
            return None
        position = match.end()
        token = match.group(match.lastgroup or "")
        if match.lastgroup == "string":
            if expects_key and expects_key[-1]:
                path[-1] = _key(token)
                expects_key[-1] = False
        elif match.lastgroup == "number":
            if not _in_range(token):
                return JsonFault(RULE_NUMBER_OUT_OF_RANGE, _field(path))
        elif token in (b"{", b"["):
            if len(path) >= max_depth:
                return JsonFault(RULE_JSON_TOO_DEEP, _field(path[:1]))
            path.append("" if token == b"{" else 0)
            expects_key.append(token == b"{")
        elif token in (b"}", b"]"):
            if not path:
                return None
            path.pop()
            expects_key.pop()
        elif token == b"," and path:
            if isinstance(path[-1], int):
                path[-1] += 1
            else:
                expects_key[-1] = True
    return None


def _in_range(token: bytes) -> bool:
    mantissa = _EXPONENT.split(token, maxsplit=1)[0]
    if mantissa == token and b"." not in token:  # an integer literal
        return len(token.lstrip(b"-")) <= 20 and _INT_RANGE[0] <= int(token) <= _INT_RANGE[1]
    value = float(token)
    # a double that overflows to infinity, or a non-zero number that underflows to zero
    return not math.isinf(value) and (value != 0.0 or not _NONZERO_DIGIT.search(mantissa))


def _key(token: bytes) -> str:
    try:
        return str(orjson.loads(token))
    except orjson.JSONDecodeError:
        return "?"


def _field(path: Sequence[str | int]) -> str:
    """``payload.parts[0].body``, like the schema validator names fields; ``$`` for the record."""
    text = ""
    for part in path[:_PATH_PARTS]:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return (text + (".…" if len(path) > _PATH_PARTS else "")) or "$"
