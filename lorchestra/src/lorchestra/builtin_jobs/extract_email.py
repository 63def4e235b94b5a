"""Job ``extract_email``: every configured Gmail and Exchange mailbox into ``raw_objects``.

The production taps (``tap-lorc-gmail``, ``tap-lorc-graph``) read the real APIs on the
production profile and fake ones on loopback on the sample profile, so both run the same
code. Synthetic mail for benchmarks (``--param count=N``) comes from the sample taps.
The record itself does not say which mailbox it came from, so the connection's name
from config becomes ``connection_name``.
"""

from __future__ import annotations

from lorchestra.builtin_jobs.extractions import (
    FakeSettings,
    connection_extractions,
    fake_apis_of,
    synthetic_data,
    with_secrets_withheld,
)
from lorchestra.connections import Connection, mail_connections
from lorchestra.extraction import (
    Extraction,
    StreamSpec,
    run_extractions,
    sample_settings,
)
from lorchestra.jobkit import JobContext, JobResult

RAW_SCHEMAS = {
    "gmail": "iglu:com.google/gmail_message/jsonschema/1-0-0",
    "exchange": "iglu:com.microsoft/graph_message/jsonschema/1-0-0",
}
SYNTHETIC_TAPS = {"gmail": "tap-sample-gmail", "exchange": "tap-sample-graph"}


def extract_email(ctx: JobContext) -> JobResult:
    """Extract every configured Gmail and Exchange mailbox into raw_objects."""
    with fake_apis_of(ctx) as fake_settings:
        return run_extractions(ctx, email_extractions(ctx, fake_settings))


def email_extractions(ctx: JobContext, fake_settings: FakeSettings | None = None) -> list[Extraction]:
    """One extraction per configured mailbox: the production taps with the connection's
    secrets, or (sample profile) against the fake APIs, or the synthetic-mail taps."""
    if synthetic_data(ctx):
        return with_secrets_withheld(ctx, [_synthetic(c, ctx) for c in mail_connections(ctx.config)])
    return connection_extractions(ctx, "email", _messages, fake_settings)


def _synthetic(connection: Connection, ctx: JobContext) -> Extraction:
    settings = sample_settings(ctx, {"mailbox": connection.mailbox})
    return Extraction(
        connection.name,
        connection.system,
        SYNTHETIC_TAPS[connection.system],
        settings,
        _messages(connection),
        timeout_seconds=connection.timeout_seconds,
    )


def _messages(connection: Connection) -> tuple[StreamSpec, ...]:
    return (StreamSpec("messages", "email", "id", RAW_SCHEMAS[connection.system]),)
