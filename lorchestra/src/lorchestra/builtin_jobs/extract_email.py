"""Job ``extract_email``: every configured Gmail and Exchange mailbox into ``raw_objects``.

The record itself does not say which mailbox it came from, so the connection's name
from config becomes ``connection_name``.
"""

from __future__ import annotations

from lorchestra.extraction import Extraction, StreamSpec, run_extractions, sample_settings
from lorchestra.jobs import JobResult
from lorchestra.stack_clients import JobContext

RAW_SCHEMAS = {
    "gmail": "iglu:com.google/gmail_message/jsonschema/1-0-0",
    "exchange": "iglu:com.microsoft/graph_message/jsonschema/1-0-0",
}
SAMPLE_TAPS = {"gmail": "tap-sample-gmail", "exchange": "tap-sample-graph"}
PRODUCTION_TAPS = {"gmail": "tap-gmail", "exchange": "tap-microsoft-graph"}


def extract_email(ctx: JobContext) -> JobResult:
    """Extract every configured Gmail and Exchange mailbox into raw_objects."""
    return run_extractions(ctx, email_extractions(ctx))


def email_extractions(ctx: JobContext) -> list[Extraction]:
    """One extraction per configured mailbox."""
    extractions = []
    for connection in ctx.config.connections("email"):
        name, system = str(connection["name"]), str(connection["system"])
        if ctx.config.profile == "sample":
            tap = SAMPLE_TAPS[system]
            settings = sample_settings(ctx, {"mailbox": connection["mailbox"]})
        else:
            tap, settings = str(connection.get("tap") or f"{PRODUCTION_TAPS[system]}--{name}"), {}
        stream = StreamSpec("messages", "email", "id", RAW_SCHEMAS[system])
        extractions.append(Extraction(name, system, tap, settings, (stream,)))
    return extractions
