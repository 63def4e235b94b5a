"""Jobs ``extract_forms`` and ``extract_contacts``: the measurement lane's sources into
``raw_objects``, on the same pattern as ``extract_email``.

``extract_forms`` reads every ``connections.forms`` entry: a Google Form through the Forms API
(``tap-lorc-forms``, incremental on ``lastSubmittedTime``) or a linked response Sheet
(``tap-lorc-sheets``, the whole tab each run: the Sheets API has no change query).
``extract_contacts`` reads Dataverse contacts and the session table named by the connection
(``tap-lorc-dataverse``, incremental on ``modifiedon``). Synthetic data for benchmarks
(``--param count=N``) comes from the sample taps.
"""

from __future__ import annotations

import dataclasses

from lorchestra.builtin_jobs.extractions import (
    FakeSettings,
    connection_extractions,
    fake_apis_of,
    synthetic_data,
    with_secrets_withheld,
)
from lorchestra.connections import Connection, connections
from lorchestra.extraction import (
    Extraction,
    StreamSpec,
    run_extractions,
    sample_settings,
)
from lorchestra.jobkit import JobContext, JobResult

FORM = StreamSpec("forms", "form", "formId", "iglu:com.google/forms_form/jsonschema/1-0-0")
FORM_RESPONSES = StreamSpec(
    "form_responses", "form_response", "responseId", "iglu:com.google/forms_response/jsonschema/1-0-0"
)
SHEET_RESPONSES = StreamSpec(
    "sheet_responses", "sheet_response", "rowId", "iglu:com.google/sheets_response/jsonschema/1-0-0"
)
CONTACT = StreamSpec("contact", "contact", "contactid", "iglu:com.microsoft/dataverse_contact/jsonschema/1-0-0")
SESSION_SCHEMA = "iglu:com.microsoft/dataverse_session/jsonschema/1-0-1"


def extract_forms(ctx: JobContext) -> JobResult:
    """Extract Google Forms definitions and responses, and linked response Sheets, into raw_objects."""
    with fake_apis_of(ctx) as fake_settings:
        return run_extractions(ctx, forms_extractions(ctx, fake_settings))


def extract_contacts(ctx: JobContext) -> JobResult:
    """Extract Dataverse contacts and sessions into raw_objects."""
    with fake_apis_of(ctx) as fake_settings:
        return run_extractions(ctx, contacts_extractions(ctx, fake_settings))


def forms_extractions(ctx: JobContext, fake_settings: FakeSettings | None = None) -> list[Extraction]:
    if synthetic_data(ctx):
        # The sample tap's count mode spreads its responses over every fixture form: one
        # extraction, under the first Forms connection, stands for all of them.
        first = next((c for c in connections(ctx.config, "forms") if c.system == "google_forms"), None)
        return _synthetic(ctx, [first] if first else [], "tap-sample-forms", {}, (FORM, FORM_RESPONSES))
    # Response sheets before forms (a later phase: they start once every sheet is read): a
    # response submitted during the run then reaches the Forms read even if it missed the
    # sheet's, so its sheet row (read next run) meets the Forms response it repeats and is
    # not written as a second response.
    extractions = connection_extractions(ctx, "forms", forms_streams, fake_settings)
    return [dataclasses.replace(e, phase=int(e.system != "google_sheets")) for e in extractions]


def contacts_extractions(ctx: JobContext, fake_settings: FakeSettings | None = None) -> list[Extraction]:
    if synthetic_data(ctx):
        return _synthetic(ctx, connections(ctx.config, "crm"), "tap-sample-dataverse", {}, (CONTACT,))
    return connection_extractions(ctx, "crm", crm_streams, fake_settings)


def forms_streams(connection: Connection) -> tuple[StreamSpec, ...]:
    return (SHEET_RESPONSES,) if connection.system == "google_sheets" else (FORM, FORM_RESPONSES)


def crm_streams(connection: Connection) -> tuple[StreamSpec, ...]:
    return CONTACT, StreamSpec("session", "session", f"{connection.session_table}id", SESSION_SCHEMA)


def _synthetic(
    ctx: JobContext, chosen: list[Connection], tap: str, defaults: dict[str, object], streams: tuple[StreamSpec, ...]
) -> list[Extraction]:
    settings = sample_settings(ctx, defaults)
    return with_secrets_withheld(
        ctx, [Extraction(c.name, c.system, tap, settings, streams, timeout_seconds=c.timeout_seconds) for c in chosen]
    )
