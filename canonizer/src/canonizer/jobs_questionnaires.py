"""Job adapter: Google Forms responses and Sheet rows -> ``questionnaire_response``.

Both sources are equal: a Forms response (``google_forms``) and a row of a response
Sheet (``google_sheets``) bind their answers to instrument items the same way. A form
whose responses arrive through the Forms API *and* its linked Sheet gives one response:
Forms responses are processed first, and a sheet row whose connection names the form
(``form_id``) and that has a Forms response from the same respondent (e-mail, trimmed,
lower-cased) submitted — or first submitted, before an edit — in the same second (UTC,
give or take one) maps to nothing and is counted (``duplicates``). Counts also say how many responses match no contact (``unlinked``) and
how many have items no question binds to (``responses_with_unbound_items``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from canonizer.form_functions import clean_email
from canonizer.jobs_clinical import add_counts, canonical_key, canonical_mapper
from canonizer.mail_headers import graph_time_to_utc
from canonizer.registry import Transform, get_transform
from lorchestra.jobkit import InputRow, JobContext, JobResult, JobState, Noted, Rejected
from shared_schemas.instruments import all_instruments

JOB = "canonicalize_questionnaires"
LINKS = "contacts"  # job state of JOB: a fingerprint of the contacts the responses were last linked with
BASIS = "bindings"
CANONICAL_TYPE = "questionnaire_response"
SHEETS_SYSTEM = "google_sheets"
NOTES = ("duplicates", "unlinked", "responses_with_unbound_items")  # always in the counts, 0 or not

Submission = tuple[str, str, str]  # form id, e-mail, second of submission in UTC (YYYY-MM-DDTHH:MM:SS)
Bindings = Callable[[InputRow], Mapping[str, Any] | Rejected]


def canonicalize_questionnaires(ctx: JobContext) -> JobResult:
    """Forms responses, then Sheet rows -> questionnaire_response, bound to instrument items,
    linked to contacts; a sheet row that repeats a Forms response is counted, not written."""
    clients = {  # e-mail -> contact id
        str(c["email"]): str(c["contact_id"])
        for _, c in ctx.read_objects("canonical_objects", "contact")
        if c.get("contact_id") and c.get("email")
    }
    forms = {str(form.get("formId")): form for _, form in ctx.read_objects("raw_objects", "form")}
    instruments = _instruments()
    connections = ctx.config.connections("forms")
    sheets = {str(c.get("name")): c for c in connections if c.get("system") == SHEETS_SYSTEM}
    form_bindings: dict[str, str] = {}
    for connection in connections:
        if connection.get("system") != SHEETS_SYSTEM:  # a sheet's bindings are keyed by column title
            form_bindings.update({str(k): str(v) for k, v in (connection.get("question_bindings") or {}).items()})

    counts: dict[str, int] = dict.fromkeys(NOTES, 0)
    forms_transform = get_transform("questionnaire_response/google_forms")
    sheet_transform = get_transform("questionnaire_response/google_sheets")
    forms_consumer, sheets_consumer = (f"{JOB}:{t.ref}" for t in (forms_transform, sheet_transform))
    ctx.state.start_over_unless(forms_consumer, _digest(forms, sorted(form_bindings.items()), instruments), BASIS)
    relinked = _relink(ctx, clients, (forms_consumer, sheets_consumer))

    def form_response_bindings(item: InputRow) -> Mapping[str, Any] | Rejected:
        form = forms.get(str(item.payload.get("formId")))
        if form is None:
            return Rejected(rule="unknown_form", field="formId")
        return {
            "form": form,
            "instruments": instruments,
            "id_bindings": form_bindings,
            "client_id": clients.get(clean_email(item.payload.get("respondentEmail")) or ""),
        }

    add_counts(
        counts,
        ctx.map_inputs(
            consumer=forms_consumer,
            table="raw_objects",
            object_type="form_response",
            event_type="canonicalize.completed",
            fn=_mapper(forms_transform, form_response_bindings, frozenset()),
        ).as_dict(),
    )

    linked_forms = {str(c["form_id"]) for c in sheets.values() if c.get("form_id")}
    submitted = (
        _forms_submissions(ctx.read_objects("raw_objects", "form_response", drop_fields=("answers",)), linked_forms)
        if linked_forms
        else set()
    )
    sheet_keys: list[str] = []
    columns = _sheet_columns(ctx.read_objects("raw_objects", "sheet_response"), sheet_keys)

    def sheet_row_bindings(item: InputRow) -> Mapping[str, Any] | Rejected:
        connection = sheets.get(str(item.connection_name))
        if connection is None:
            return Rejected(rule="connection_not_configured", field="connection_name")
        form_id = connection.get("form_id")
        row = item.payload
        email_column = row.get("emailColumn")
        email = clean_email((row.get("values") or {}).get(email_column)) if email_column else None
        return {
            "form_id": form_id,
            "form_title": ((forms.get(str(form_id)) or {}).get("info") or {}).get("title"),
            "columns": columns.get((str(row.get("spreadsheetId")), str(row.get("sheet"))), []),
            "instruments": instruments,
            "client_id": clients.get(email or ""),
            "id_bindings": {str(k): str(v) for k, v in (connection.get("question_bindings") or {}).items()},
        }

    # Every sheet row is re-read when what it is bound or compared with changes.
    ctx.state.start_over_unless(
        sheets_consumer,
        _digest(sorted(sheets.items()), forms, sorted(columns.items()), instruments, sorted(submitted)),
        BASIS,
    )
    add_counts(
        counts,
        ctx.map_inputs(
            consumer=sheets_consumer,
            table="raw_objects",
            object_type="sheet_response",
            event_type="canonicalize.completed",
            fn=_mapper(sheet_transform, sheet_row_bindings, frozenset(submitted)),
        ).as_dict(),
    )
    counts["duplicates_written_before"] = (
        _duplicates_written_before(ctx, submitted, sheet_keys) if submitted and sheet_keys else 0
    )
    if relinked is not None:  # the responses are linked with these contacts by now
        ctx.state.put(JOB, {LINKS: relinked})
    return JobResult(counts=counts)


def _relink(ctx: JobContext, clients: Mapping[str, str], consumers: Iterable[str]) -> JobState | None:
    """When the contacts changed since the responses were last linked, make every stored
    response whose link differs from what the contacts say now (an address changed, a
    contact came or went) count as new for ``consumers``. Returns the state to record once
    the responses are mapped; None when the contacts did not change. The link is derived
    from the data, so nothing per contact is kept."""
    basis = _digest(sorted(clients.items()))
    if (ctx.state.get(JOB, LINKS) or JobState()).basis == basis:
        return None
    stale = [
        key
        for key, response in ctx.read_objects("canonical_objects", CANONICAL_TYPE, drop_fields=("instruments",))
        if response.get("client_id") != clients.get(clean_email(response.get("respondent_email")) or "")
    ]
    inputs = sorted(
        {
            str(r["source_idem_key"])
            for r in ctx.store.lookup_rows("canonical_objects", "idem_key", stale, ["source_idem_key"])
            if r["source_idem_key"]
        }
    )
    for consumer in consumers:
        ctx.state.forget_processed(consumer, inputs)
    return JobState(basis)


def _instruments() -> dict[str, dict[str, Any]]:
    """The item texts (and difficulty question) of every instrument defined in shared_schemas."""
    return {
        d.id: {"items": list(d.item_texts), "difficulty": d.extra_items[0].text if d.extra_items else None}
        for d in all_instruments()
    }


def _submission(output: Mapping[str, Any]) -> Submission | None:
    email, submitted_at = output.get("respondent_email"), output.get("submitted_at")
    if not email or not isinstance(submitted_at, str):
        return None  # without an e-mail, a respondent cannot be told from another one
    return (str(output.get("form_id")), str(email), submitted_at[:19])


def _forms_submissions(responses: Iterable[tuple[str, Any]], form_ids: set[str]) -> set[Submission]:
    """Who submitted which of ``form_ids`` in which second, by the Forms API: the last
    submission and the first (``createTime``). An edit rewrites the response's sheet row in
    place, but the row an earlier read stored (with the first submission's time) stays in
    the warehouse, and must count as the same response."""
    found = set()
    for _, response in responses:
        email = clean_email(response.get("respondentEmail"))
        if str(response.get("formId")) not in form_ids or not email:
            continue
        for field in ("lastSubmittedTime", "createTime"):
            submitted_at = graph_time_to_utc(response.get(field))
            if submitted_at:
                found.add((str(response.get("formId")), email, submitted_at[:19]))
    return found


def _sheet_columns(rows: Iterable[tuple[str, Any]], keys: list[str]) -> dict[tuple[str, str], list[str]]:
    """Each sheet's header cells, as far as its rows show them: a row leaves its empty cells
    out, so a column is known once any row has a value in it. The rows' keys are added to ``keys``."""
    found: dict[tuple[str, str], dict[str, None]] = {}
    for row_key, row in rows:
        keys.append(row_key)
        key = (str(row.get("spreadsheetId")), str(row.get("sheet")))
        found.setdefault(key, {}).update(dict.fromkeys(str(c) for c in (row.get("values") or {})))
    return {key: list(headers) for key, headers in found.items()}


def _duplicates_written_before(ctx: JobContext, submitted: set[Submission], sheet_rows: Sequence[str]) -> int:
    """Sheet-row responses already in the warehouse that repeat a Forms response: written
    before the Forms connection existed. Nothing removes them, so they are counted and named
    in the log by number, to be seen. Only the responses of ``sheet_rows`` (the stored sheet
    rows' keys) are read, by key: not every response of every form."""
    stale = sum(
        1
        for _, response in ctx.read_objects(
            "canonical_objects",
            CANONICAL_TYPE,
            drop_fields=("instruments",),
            keys=[canonical_key(key, CANONICAL_TYPE) for key in sheet_rows],
        )
        if str(response.get("response_id", "")).startswith("sheet:") and _repeats(_submission(response), submitted)
    )
    if stale:
        ctx.logger.warning(
            "%d questionnaire response(s) from a sheet repeat a Forms response and were written "
            "before the Forms connection existed; both are scored",
            stale,
        )
    return stale


def _mapper(
    transform: Transform, bindings_for: Bindings, from_forms: frozenset[Submission]
) -> Callable[[InputRow], Noted | Rejected]:
    """The canonical response of an input, noted as ``unlinked`` and
    ``responses_with_unbound_items`` where it is so; a duplicate of ``from_forms`` is
    noted and not written."""
    canonical = canonical_mapper(transform, CANONICAL_TYPE, bindings_for)

    def mapping(item: InputRow) -> Noted | Rejected:
        rows = canonical(item)
        if isinstance(rows, Rejected):
            return rows
        output = rows[0].payload
        if from_forms and _repeats(_submission(output), from_forms):
            return Noted([], ("duplicates",))
        notes = [] if output.get("client_id") else ["unlinked"]
        if any(entry.get("unbound_items") for entry in output["instruments"].values()):
            notes.append("responses_with_unbound_items")
        return Noted(rows, tuple(notes))

    return mapping


def _repeats(submission: Submission | None, from_forms: frozenset[Submission] | set[Submission]) -> bool:
    """Whether a sheet row's submission is one the Forms API gave: same form and e-mail, and
    the same second give or take one (the sheet shows whole seconds; whether Google cuts or
    rounds the fraction is not documented)."""
    if submission is None:
        return False
    form_id, email, second = submission
    at = datetime.fromisoformat(second)
    return any((form_id, email, (at + timedelta(seconds=shift)).isoformat()) in from_forms for shift in (0, -1, 1))


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:12]
