"""Schema checks for the records of a batch that are new or changed.

Shared by both stores: unchanged records were checked when they were first stored,
so only candidates are parsed and validated here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import orjson
from shared_schemas import compile_validator

from lorchestra.stack_clients.model import RULE_SCHEMA, ObjectSpec, RejectRow, payload_hash, reject_for


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
