"""What a map job's function answers for one input, and how the answers are counted and
carried back from a worker process."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from lorchestra.stack_clients.json_rules import json_fault
from lorchestra.stack_clients.model import (
    CanonicalRow,
    InputRow,
    RejectRow,
    WriteCounts,
    dumps,
)


@dataclass(frozen=True)
class Rejected:
    """A mapping's answer for an input it cannot process: the rule and the field, no value."""

    rule: str
    field: str


@dataclass(frozen=True)
class Noted:
    """A mapping's outputs for one input with what it noticed about the input (``duplicate``,
    ``unlinked`` ...): each note is counted by name in the job's counts, so a job can say
    how many inputs were so without a second pass (mappings may run in worker processes)."""

    rows: Sequence[CanonicalRow]
    notes: tuple[str, ...] = ()


MapResult = Sequence[CanonicalRow] | Noted | Rejected


@dataclass
class MapCounts:
    inputs: int = 0
    rejected: int = 0
    outputs: WriteCounts = field(default_factory=WriteCounts)
    noted: dict[str, int] = field(default_factory=dict)  # inputs per note (see Noted)

    def as_dict(self) -> dict[str, int]:
        return {
            **self.noted,
            "inputs": self.inputs,
            "processed": self.inputs - self.rejected,
            "rejected": self.rejected,
            "outputs_inserted": self.outputs.inserted,
            "outputs_updated": self.outputs.updated,
            "outputs_unchanged": self.outputs.unchanged,
        }


@dataclass(frozen=True)
class _JsonText:
    data: bytes


def pack(result: MapResult) -> Any:
    """Outputs as JSON bytes for the trip from a worker: cheaper than pickled dicts."""
    if isinstance(result, Rejected):
        return result
    if isinstance(result, Noted):
        return Noted(pack(result.rows), result.notes)
    return [replace(row, payload=_JsonText(dumps(row.payload))) for row in result]


def unpack(result: Any) -> MapResult:
    if isinstance(result, Rejected):
        return result
    if isinstance(result, Noted):
        return Noted(_rows_from_worker(result.rows), result.notes)
    return _rows_from_worker(result)


def _rows_from_worker(rows: Sequence[CanonicalRow]) -> list[CanonicalRow]:
    return [replace(row, payload=orjson.Fragment(row.payload.data)) for row in rows]


def reading_first(fn: Callable[[InputRow], MapResult]) -> Callable[[InputRow], MapResult]:
    """``fn``, but an input whose stored payload cannot be parsed (older versions stored
    some) is rejected, naming the rule and field, before ``fn`` sees it."""

    def mapping(item: InputRow) -> MapResult:
        try:
            _ = item.payload  # parsed here (cached for fn), so a failure is this input's alone
        except orjson.JSONDecodeError:
            fault = json_fault(item.payload_text)
            return Rejected(rule=fault.rule, field=fault.field)
        return fn(item)

    return mapping


def reject_row(
    job_name: str, rejected: Rejected, key: str, object_type: str, item: InputRow | None = None
) -> RejectRow:
    return RejectRow(
        job_name=job_name,
        input_key=key,
        input_idem_key=key,
        rule=rejected.rule,
        field=rejected.field,
        message=f"{object_type} {key}: field {rejected.field!r} violates rule {rejected.rule!r}",
        payload_hash=item.payload_hash if item else None,
        source_system=item.source_system if item else None,
        connection_name=item.connection_name if item else None,
        object_type=object_type,
    )
