"""Job adapters for the measurement lane: contacts and sessions, and the mapping every
measurement-lane canonicalizer shares (questionnaire responses: ``jobs_questionnaires``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lorchestra.jobs import JobResult
from lorchestra.stack_clients import CanonicalRow, InputRow, JobContext, Rejected

from canonizer.engine import apply_transform
from canonizer.exceptions import TransformError
from canonizer.registry import Transform, get_transform

CRM_OBJECTS = {"contact": ("contact/dataverse", "contact"), "session": ("clinical_session/dataverse", "clinical_session")}


def canonicalize_contacts(ctx: JobContext) -> JobResult:
    """Dataverse contacts and sessions -> canonical contact and clinical_session."""
    counts: dict[str, int] = {}
    for raw_type, (transform_id, canonical_type) in CRM_OBJECTS.items():
        transform = get_transform(transform_id)
        result = ctx.map_inputs(
            consumer=f"canonicalize_contacts:{transform.ref}", table="raw_objects", object_type=raw_type,
            fn=canonical_mapper(transform, canonical_type, lambda item: {}), event_type="canonicalize.completed",
        )
        add_counts(counts, result.as_dict())
    return JobResult(counts=counts)


def canonical_mapper(
    transform: Transform, canonical_type: str, bindings_for: Callable[[InputRow], Mapping[str, Any] | Rejected]
) -> Callable[[InputRow], list[CanonicalRow] | Rejected]:
    def mapping(item: InputRow) -> list[CanonicalRow] | Rejected:
        bindings = bindings_for(item)
        if isinstance(bindings, Rejected):
            return bindings
        try:
            output = apply_transform(transform, item.payload, bindings, checked_against=item.schema_ref)
        except TransformError as exc:
            return Rejected(rule=exc.rule, field=exc.field)
        return [CanonicalRow(
            idem_key=f"{item.idem_key}#{canonical_type}", object_type=canonical_type,
            schema_ref=transform.output_schema, source_idem_key=item.idem_key,
            source_payload_hash=item.payload_hash, transform_ref=transform.ref, payload=output,
        )]

    return mapping


def add_counts(totals: dict[str, int], counts: Mapping[str, int]) -> None:
    for key, value in counts.items():
        totals[key] = totals.get(key, 0) + value
