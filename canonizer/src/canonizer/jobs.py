"""Job adapters: run the transforms inside lorc. The only canonizer module that
imports lorchestra (through the job context it is handed)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from canonizer.engine import apply_transform
from canonizer.exceptions import TransformError
from canonizer.registry import Transform, get_transform
from lorchestra.jobkit import CanonicalRow, InputRow, JobContext, JobResult, Rejected

EMAIL_TRANSFORMS = {"gmail": "email/gmail", "exchange": "email/graph"}


def canonicalize_email(ctx: JobContext) -> JobResult:
    """Gmail and Graph messages -> canonical email (only raw e-mails new or changed since last run)."""
    mailboxes = {str(c["name"]): str(c["mailbox"]) for c in ctx.config.connections("email")}
    practice = ctx.config.practice_addresses
    counts: dict[str, int] = {}
    for system, transform_id in EMAIL_TRANSFORMS.items():
        transform = get_transform(transform_id)
        result = ctx.map_inputs(
            consumer=f"canonicalize_email:{transform.ref}",
            table="raw_objects",
            object_type="email",
            source_system=system,
            fn=_email_mapper(transform, mailboxes, practice),
            event_type="canonicalize.completed",
        )
        for key, value in result.as_dict().items():
            counts[key] = counts.get(key, 0) + value
    return JobResult(counts=counts)


def _email_mapper(
    transform: Transform, mailboxes: Mapping[str, str], practice: list[str]
) -> Callable[[InputRow], list[CanonicalRow] | Rejected]:
    def mapping(item: InputRow) -> list[CanonicalRow] | Rejected:
        mailbox = mailboxes.get(str(item.connection_name))
        if mailbox is None:
            return Rejected(rule="connection_not_configured", field="connection_name")
        bindings: dict[str, Any] = {"mailbox": mailbox, "practice_addresses": practice}
        try:
            output = apply_transform(transform, item.payload, bindings, checked_against=item.schema_ref)
        except TransformError as exc:
            return Rejected(rule=exc.rule, field=exc.field)
        return [
            CanonicalRow(
                idem_key=f"{item.idem_key}#email",
                object_type="email",
                schema_ref=transform.output_schema,
                source_idem_key=item.idem_key,
                source_payload_hash=item.payload_hash,
                transform_ref=transform.ref,
                payload=output,
            )
        ]

    return mapping
