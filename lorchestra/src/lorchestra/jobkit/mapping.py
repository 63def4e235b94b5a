"""What a map job's function answers for one input, and how the answers are counted and
carried back from a worker process."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

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


# A result on its way back from a worker: plain tuples of text pickle several times faster
# than dataclasses, and the payload is JSON already (the job's process never re-serialises it).
_PackedRow = tuple[str, str, str, str, str, str, bytes]
Packed = Rejected | tuple[list[_PackedRow], tuple[str, ...]]


def pack(result: MapResult) -> Packed:
    """``result`` as it crosses from a worker: rows as tuples with their payload as JSON bytes."""
    if isinstance(result, Rejected):
        return result
    rows, notes = (result.rows, result.notes) if isinstance(result, Noted) else (result, ())
    return (
        [
            (
                row.idem_key,
                row.object_type,
                row.schema_ref,
                row.source_idem_key,
                row.source_payload_hash,
                row.transform_ref,
                dumps(row.payload),
            )
            for row in rows
        ],
        notes,
    )


def unpack(packed: Packed) -> MapResult:
    """What :func:`pack` carried, as the mapping answered it (a Noted without notes is its rows)."""
    if isinstance(packed, Rejected):
        return packed
    packed_rows, notes = packed
    rows = [CanonicalRow(k, t, s, sk, sh, ref, orjson.Fragment(text)) for k, t, s, sk, sh, ref, text in packed_rows]
    return Noted(rows, notes) if notes else rows


def reading_first(fn: Callable[[InputRow], MapResult]) -> Callable[[InputRow], MapResult]:
    """``fn``, but an input whose stored payload cannot be parsed (older versions stored
    some) is rejected, naming the rule and field, before ``fn`` sees it; once mapped, the
    input lets go of its parsed payload (it waits to be written, with only its keys needed)."""

    def mapping(item: InputRow) -> MapResult:
        try:
            _ = item.payload  # parsed here (cached for fn), so a failure is this input's alone
        except orjson.JSONDecodeError:
            fault = json_fault(item.payload_text)
            return Rejected(rule=fault.rule, field=fault.field)
        try:
            return fn(item)
        finally:
            item.release_payload()

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
