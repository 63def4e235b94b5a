"""Schema checks for the records of a batch that are new or changed.

Shared by both stores: unchanged records were checked when they were first stored, so
only candidates are validated (:func:`check_candidates`), or, when nearly every record
is new, the whole file while the warehouse stages it (:func:`check_file`). Both raise
:class:`UnreadableLine` for a line the warehouse read but the suite's definition of a
record refuses: the store then takes its careful path, which rejects that line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lorchestra.stack_clients.json_rules import JsonFault, parse_record
from lorchestra.stack_clients.jsonl_scan import BadLine, scan_jsonl
from lorchestra.stack_clients.model import (
    RULE_SCHEMA,
    ObjectSpec,
    RejectRow,
    extract_id,
    payload_hash,
    reject_for,
)
from shared_schemas import compile_validator


class UnreadableLine(Exception):
    """A line that only the warehouse's own JSON reader accepts (the value is never named)."""


@dataclass
class CandidateCheck:
    rejected_ords: set[int] = field(default_factory=set)
    rejects: list[RejectRow] = field(default_factory=list)


def check_candidates(
    candidates: Iterable[tuple[int, str | None, str]],
    spec: ObjectSpec,
    *,
    job_name: str,
    record_number: Callable[[int], int],
) -> CandidateCheck:
    """Validate ``(ord, external_id, payload_text)`` against ``spec.schema_ref``."""
    result = CandidateCheck()
    check = compile_validator(spec.schema_ref) if spec.schema_ref else None
    for ord_, external_id, text in candidates:
        record = parse_record(text.encode("utf-8"))
        if isinstance(record, JsonFault):
            raise UnreadableLine(f"record {record_number(ord_)} breaks rule {record.rule!r}")
        violation = check(record) if check else None
        if violation is None:
            continue
        result.rejected_ords.add(ord_)
        result.rejects.append(
            reject_for(
                spec,
                job_name=job_name,
                rule=f"{RULE_SCHEMA}.{violation.rule}",
                field=violation.field,
                digest=payload_hash(text.encode("utf-8")),
                external_id=external_id,
                line=record_number(ord_),
            )
        )
    return result


def check_file(path: Path, spec: ObjectSpec, *, job_name: str) -> dict[int, RejectRow]:
    """Schema rejects of every record in a JSONL file, by record number (1-based, non-blank
    lines)."""
    check = compile_validator(spec.schema_ref) if spec.schema_ref else None
    found: dict[int, RejectRow] = {}
    for item in scan_jsonl(path):
        if isinstance(item, BadLine):
            raise UnreadableLine(f"record {item.ordinal} breaks rule {item.rule!r}")
        violation = check(item.record) if check else None
        if violation is not None:
            found[item.ordinal] = reject_for(
                spec,
                job_name=job_name,
                rule=f"{RULE_SCHEMA}.{violation.rule}",
                field=violation.field,
                digest=payload_hash(item.text),
                external_id=extract_id(item.record, spec.id_field),
                line=item.ordinal,
            )
    return found
