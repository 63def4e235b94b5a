"""Job adapters for the measurement lane: contacts, sessions and questionnaire responses."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from lorchestra.jobs import JobResult
from lorchestra.stack_clients import CanonicalRow, InputRow, JobContext, Rejected

from canonizer.engine import apply_transform
from canonizer.exceptions import TransformError
from canonizer.registry import Transform, get_transform

CRM_OBJECTS = {"contact": ("contact/dataverse", "contact"), "session": ("clinical_session/dataverse", "clinical_session")}
SCORED_INSTRUMENTS = ("phq9", "gad7")


def canonicalize_contacts(ctx: JobContext) -> JobResult:
    """Dataverse contacts and sessions -> canonical contact and clinical_session."""
    counts: dict[str, int] = {}
    for raw_type, (transform_id, canonical_type) in CRM_OBJECTS.items():
        transform = get_transform(transform_id)
        result = ctx.map_inputs(
            consumer=f"canonicalize_contacts:{transform.ref}", table="raw_objects", object_type=raw_type,
            fn=_mapper(transform, canonical_type, lambda item: {}), event_type="canonicalize.completed",
        )
        _add(counts, result.as_dict())
    return JobResult(counts=counts)


def canonicalize_questionnaires(ctx: JobContext) -> JobResult:
    """Google Forms responses -> questionnaire_response, bound to instrument items, linked to contacts."""
    from final_form import load_instrument

    transform = get_transform("questionnaire_response/google_forms")
    forms = {str(form.get("formId")): form for _, form in ctx.read_objects("raw_objects", "form")}
    clients = {c["email"]: c["contact_id"] for _, c in ctx.read_objects("canonical_objects", "contact")
               if c.get("email")}
    instruments = {}
    for instrument_id in SCORED_INSTRUMENTS:
        definition = load_instrument(instrument_id)
        extra = (definition.raw.get("extra_items") or [{}])[0]
        instruments[instrument_id] = {"items": list(definition.item_texts), "difficulty": extra.get("text")}
    id_bindings: dict[str, str] = {}
    for connection in ctx.config.connections("forms"):
        id_bindings.update({str(k): str(v) for k, v in (connection.get("question_bindings") or {}).items()})
    # The responses are re-read when what they are linked or bound with changes.
    context_digest = hashlib.sha256(json.dumps(
        [sorted(clients.items()), forms, sorted(id_bindings.items()), instruments], sort_keys=True,
        default=str).encode()).hexdigest()[:12]

    def bindings(item: InputRow) -> dict[str, Any] | Rejected:
        form = forms.get(str(item.payload.get("formId")))
        if form is None:
            return Rejected(rule="unknown_form", field="formId")
        email = str(item.payload.get("respondentEmail") or "").strip().lower()
        return {"form": form, "instruments": instruments, "id_bindings": id_bindings,
                "client_id": clients.get(email)}

    result = ctx.map_inputs(
        consumer=f"canonicalize_questionnaires:{transform.ref}:{context_digest}", table="raw_objects",
        object_type="form_response", fn=_mapper(transform, "questionnaire_response", bindings),
        event_type="canonicalize.completed",
    )
    return JobResult(counts=result.as_dict())


def _mapper(
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


def _add(totals: dict[str, int], counts: Mapping[str, int]) -> None:
    for key, value in counts.items():
        totals[key] = totals.get(key, 0) + value
