"""Jobs ``extract_forms`` and ``extract_contacts``: the measurement lane's sources into
``raw_objects``, on the same pattern as ``extract_email``."""

from __future__ import annotations

from lorchestra.extraction import Extraction, StreamSpec, run_extractions, sample_env
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
    extractions = []
    for connection in ctx.config.connections("forms"):
        name = str(connection["name"])
        if ctx.config.profile == "sample":
            tap, env = "tap-sample-forms", sample_env(ctx, "tap-sample-forms", {})
        else:
            tap, env = str(connection.get("tap") or f"tap-google-forms--{name}"), {}
        extractions.append(Extraction(name, "google_forms", tap, env, FORMS_STREAMS))
    return run_extractions(ctx, extractions)


def extract_contacts(ctx: JobContext) -> JobResult:
    """Extract Dataverse contacts and sessions into raw_objects."""
    extractions = []
    for connection in ctx.config.connections("crm"):
        name = str(connection["name"])
        if ctx.config.profile == "sample":
            tap, env = "tap-sample-dataverse", sample_env(ctx, "tap-sample-dataverse", {})
        else:
            tap, env = str(connection.get("tap") or f"tap-dataverse--{name}"), {}
        extractions.append(Extraction(name, "dataverse", tap, env, CRM_STREAMS))
    return run_extractions(ctx, extractions)
