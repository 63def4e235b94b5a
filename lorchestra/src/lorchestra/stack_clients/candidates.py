"""Schema checks for the records of a batch that are new or changed.

Shared by both stores: unchanged records were checked when they were first stored, so
only candidates are validated (:func:`check_candidates`), or, when nearly every record
is new, the whole file while the warehouse stages it (:func:`check_file`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from shared_schemas import compile_validator

from lorchestra.stack_clients.jsonl_scan import BadLine, scan_jsonl
from lorchestra.stack_clients.model import (
    RULE_SCHEMA,
    ObjectSpec,
    RejectRow,
    extract_id,
    payload_hash,
    reject_for,
)


@dataclass
class CandidateCheck:
    rejected_ords: set[int] = field(default_factory=set)
    rejects: list[RejectRow] = field(default_factory=list)


def check_candidates(
    candidates: Iterable[tuple[int, str, str]],
    spec: ObjectSpec,
    *,
    job_name: str,
    record_number: Callable[[int], int],
) -> CandidateCheck:
    """Validate ``(ord, external_id, payload_text)`` against ``spec.schema_ref``."""
    result = CandidateCheck()
    if spec.schema_ref is None:
        return result
    check = compile_validator(spec.schema_ref)
    for ord_, external_id, text in candidates:
        violation = check(orjson.loads(text))
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
    lines). Lines that do not parse are left to the store's careful path."""
    if spec.schema_ref is None:
        return {}
    check = compile_validator(spec.schema_ref)
    found: dict[int, RejectRow] = {}
    for item in scan_jsonl(path):
        if isinstance(item, BadLine):
            continue
        violation = check(item.record)
        if violation is not None:
            found[item.ordinal] = reject_for(
                spec, job_name=job_name, rule=f"{RULE_SCHEMA}.{violation.rule}", field=violation.field,
                digest=payload_hash(item.text), external_id=extract_id(item.record, spec.id_field),
                line=item.ordinal,
            )
    return found
