"""Job adapters for the measurement lane: contacts and sessions, and the mapping every
measurement-lane canonicalizer shares (questionnaire responses: ``jobs_questionnaires``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from canonizer.engine import apply_transform
from canonizer.exceptions import TransformError
from canonizer.registry import Transform, get_transform
from lorchestra.jobkit import (
    CanonicalRow,
    InputRow,
    JobContext,
    JobResult,
    Rejected,
    connections,
)


def canonicalize_contacts(ctx: JobContext) -> JobResult:
    """Dataverse contacts and sessions -> canonical contact and clinical_session; each session
    is read with the session table of its CRM connection (its ``publisher_prefix`` and ``session_table``)."""
    counts: dict[str, int] = {}
    contacts = get_transform("contact/dataverse")
    add_counts(
        counts,
        ctx.map_inputs(
            consumer=f"canonicalize_contacts:{contacts.ref}",
            table="raw_objects",
            object_type="contact",
            fn=canonical_mapper(contacts, "contact", lambda item: {}),
            event_type="canonicalize.completed",
        ).as_dict(),
    )
    sessions = get_transform("clinical_session/dataverse")
    tables = {c.name: {"prefix": c.publisher_prefix, "table": c.session_table} for c in connections(ctx.config, "crm")}

    def table_of(item: InputRow) -> Mapping[str, Any] | Rejected:
        found = tables.get(str(item.connection_name))
        return found if found is not None else Rejected(rule="connection_not_configured", field="connection_name")

    # Sessions are read again when a connection's table settings change.
    digest = hashlib.sha256(json.dumps(sorted(tables.items())).encode()).hexdigest()[:12]
    add_counts(
        counts,
        ctx.map_inputs(
            consumer=f"canonicalize_contacts:{sessions.ref}:{digest}",
            table="raw_objects",
            object_type="session",
            fn=canonical_mapper(sessions, "clinical_session", table_of),
            event_type="canonicalize.completed",
        ).as_dict(),
    )
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
        return [
            CanonicalRow(
                idem_key=canonical_key(item.idem_key, canonical_type),
                object_type=canonical_type,
                schema_ref=transform.output_schema,
                source_idem_key=item.idem_key,
                source_payload_hash=item.payload_hash,
                transform_ref=transform.ref,
                payload=output,
            )
        ]

    return mapping


def canonical_key(input_key: str, canonical_type: str) -> str:
    """The key of the ``canonical_type`` object canonicalized from the input ``input_key``."""
    return f"{input_key}#{canonical_type}"


def add_counts(totals: dict[str, int], counts: Mapping[str, int]) -> None:
    for key, value in counts.items():
        totals[key] = totals.get(key, 0) + value
