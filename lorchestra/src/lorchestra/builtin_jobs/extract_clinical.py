"""Jobs ``extract_forms`` and ``extract_contacts``: the measurement lane's sources into
``raw_objects``, on the same pattern as ``extract_email``."""

from __future__ import annotations

from lorchestra.extraction import Extraction, StreamSpec, run_extractions, sample_settings
from lorchestra.jobs import JobResult
from lorchestra.stack_clients import JobContext

FORMS_STREAMS = (
    StreamSpec("forms", "form", "formId", "iglu:com.google/forms_form/jsonschema/1-0-0"),
    StreamSpec("form_responses", "form_response", "responseId", "iglu:com.google/forms_response/jsonschema/1-0-0"),
)
CRM_STREAMS = (
    StreamSpec("contact", "contact", "contactid", "iglu:com.microsoft/dataverse_contact/jsonschema/1-0-0"),
    StreamSpec("cr7a2_session", "session", "cr7a2_sessionid", "iglu:com.microsoft/dataverse_session/jsonschema/1-0-0"),
)


def extract_forms(ctx: JobContext) -> JobResult:
    """Extract Google Forms definitions and responses into raw_objects."""
    return run_extractions(ctx, forms_extractions(ctx))


def extract_contacts(ctx: JobContext) -> JobResult:
    """Extract Dataverse contacts and sessions into raw_objects."""
    return run_extractions(ctx, contacts_extractions(ctx))


def forms_extractions(ctx: JobContext) -> list[Extraction]:
    return _extractions(ctx, "forms", "google_forms", "tap-sample-forms", "tap-google-forms", FORMS_STREAMS)


def contacts_extractions(ctx: JobContext) -> list[Extraction]:
    return _extractions(ctx, "crm", "dataverse", "tap-sample-dataverse", "tap-dataverse", CRM_STREAMS)


def _extractions(ctx: JobContext, kind: str, system: str, sample_tap: str, production_tap: str,
                 streams: tuple[StreamSpec, ...]) -> list[Extraction]:
    """One extraction per configured connection: the sample tap on the sample profile,
    else the connection's tap (default ``<production tap>--<name>``)."""
    found = []
    for connection in ctx.config.connections(kind):
        name = str(connection["name"])
        if ctx.config.profile == "sample":
            tap, settings = sample_tap, sample_settings(ctx, {})
        else:
            tap, settings = str(connection.get("tap") or f"{production_tap}--{name}"), {}
        found.append(Extraction(name, system, tap, settings, streams))
    return found
