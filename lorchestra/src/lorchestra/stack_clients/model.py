"""Value objects shared by the event client and both store backends.

``idem_key`` is ``{source_system}:{connection_name}:{object_type}:{external_id}``; it is
opaque: built here, compared for equality, never parsed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import orjson

RULE_MALFORMED_JSON = "malformed_json"
RULE_INVALID_UTF8 = "invalid_utf8"
RULE_NOT_AN_OBJECT = "not_an_object"
RULE_JSON_TOO_DEEP = "json_too_deep"
RULE_NUMBER_OUT_OF_RANGE = "number_out_of_range"
RULE_MISSING_ID = "missing_external_id"
RULE_SCHEMA = "schema"


@dataclass(frozen=True)
class Source:
    """Where raw objects come from: the system (gmail) and the configured connection."""

    system: str
    connection: str


@dataclass(frozen=True)
class ObjectSpec:
    """How to key and check one stream of raw objects.

    ``id_field`` is a dotted path to the native id inside each record (``id``,
    ``message_id``); the record itself never says which connection it came from.
    """

    source: Source
    object_type: str
    id_field: str = "id"
    schema_ref: str | None = None

    def idem_key(self, external_id: str) -> str:
        return idem_key(self.source.system, self.source.connection, self.object_type, external_id)

    @property
    def key_prefix(self) -> str:
        return f"{self.source.system}:{self.source.connection}:{self.object_type}:"

    @property
    def id_json_path(self) -> str:
        return "$." + ".".join(f'"{part}"' for part in self.id_field.split("."))


def idem_key(source_system: str, connection_name: str, object_type: str, external_id: str) -> str:
    return f"{source_system}:{connection_name}:{object_type}:{external_id}"


def payload_hash(text: bytes) -> str:
    """Hash of a payload's JSON text exactly as stored (md5: change detection, not security)."""
    return hashlib.md5(text, usedforsecurity=False).hexdigest()


def dumps(obj: Any) -> bytes:
    """Compact JSON, keys in the object's own order, UTF-8 (the suite's one serialisation)."""
    return orjson.dumps(obj)


def without_fields(payload: Any, fields: Sequence[str]) -> Any:
    """``payload`` without the top-level ``fields`` (in place; a non-object is returned as is)."""
    if fields and isinstance(payload, dict):
        for name in fields:
            payload.pop(name, None)
    return payload


def extract_id(record: Any, id_field: str) -> str | None:
    """The native id at ``id_field`` as text, or None when absent, empty or not scalar."""
    node = record
    for part in id_field.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    if isinstance(node, bool) or not isinstance(node, (str, int)):
        return None
    text = str(node)
    return text if text.strip() else None


@dataclass
class WriteCounts:
    """True counts of one write: each input line lands in exactly one of these."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    superseded: int = 0  # an earlier duplicate of a key inside the same batch
    rejected: int = 0

    @property
    def inputs(self) -> int:
        return self.inserted + self.updated + self.unchanged + self.superseded + self.rejected

    def add(self, other: WriteCounts) -> WriteCounts:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)
        return self

    def as_dict(self) -> dict[str, int]:
        return {**asdict(self), "inputs": self.inputs}


@dataclass(frozen=True)
class RejectRow:
    """An input a job could not process. ``message`` names rule and field, never a value."""

    job_name: str
    input_key: str  # the input's idem_key, or a content address when it has no id
    input_idem_key: str | None
    rule: str
    field: str
    message: str
    payload_hash: str | None
    source_system: str | None = None
    connection_name: str | None = None
    object_type: str | None = None

    @property
    def reject_key(self) -> str:
        return f"{self.job_name}|{self.input_key}|{self.rule}|{self.field}"


def reject_for(
    spec: ObjectSpec,
    *,
    job_name: str,
    rule: str,
    field: str,
    digest: str,
    external_id: str | None,
    line: int | None = None,
) -> RejectRow:
    key = spec.idem_key(external_id) if external_id else None
    where = f" (line {line})" if line is not None else ""
    return RejectRow(
        job_name=job_name,
        input_key=key or f"{spec.key_prefix}#md5:{digest}",
        input_idem_key=key,
        rule=rule,
        field=field,
        message=f"{spec.object_type} record{where}: field {field!r} violates rule {rule!r}",
        payload_hash=digest,
        source_system=spec.source.system,
        connection_name=spec.source.connection,
        object_type=spec.object_type,
    )


@dataclass(frozen=True)
class EventRow:
    """One ``event_log`` row: telemetry only (counts, durations, parameters)."""

    event_id: str
    event_type: str
    created_at: datetime
    status: str = "ok"
    correlation_id: str | None = None
    trace_id: str | None = None
    source_system: str | None = None
    connection_name: str | None = None
    target_object_type: str | None = None
    event_schema_ref: str | None = None
    error_message: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CanonicalRow:
    """A canonical object derived from one input (raw or canonical) object."""

    idem_key: str
    object_type: str
    schema_ref: str
    source_idem_key: str
    source_payload_hash: str
    transform_ref: str
    payload: Any


@dataclass(frozen=True)
class InputRow:
    """An input handed to a map-style job by incremental selection.

    The payload stays JSON text until a mapping reads it: a worker process then parses
    it itself, and only text crosses the process boundary.
    """

    idem_key: str
    object_type: str
    payload_hash: str
    payload_text: str
    source_system: str | None = None
    connection_name: str | None = None
    schema_ref: str | None = None  # the schema the payload was validated against when stored

    @cached_property
    def payload(self) -> Any:
        return orjson.loads(self.payload_text)

    def release_payload(self) -> None:
        """Drop the parsed payload (read again, it is parsed again): a mapped input waits to
        be written with only its keys and hash needed."""
        self.__dict__.pop("payload", None)


@dataclass(frozen=True)
class ProcessedEntry:
    """What ``processed_inputs`` records of one input for one consumer."""

    input_payload_hash: str
    outcome: str
    processed_at: datetime


@dataclass(frozen=True)
class ObjectCounts:
    """How many objects the warehouse holds: raw per (system, connection, type),
    canonical per type, rejects per (job, rule); each list in key order."""

    raw: list[tuple[str, str, str, int]]
    canonical: list[tuple[str, int]]
    rejects: list[tuple[str, str, int]]
