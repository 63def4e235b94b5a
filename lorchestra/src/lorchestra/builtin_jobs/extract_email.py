"""Job ``extract_email``: every configured Gmail and Exchange mailbox into ``raw_objects``.

The production taps (``tap-lorc-gmail``, ``tap-lorc-graph``) read the real APIs on the
production profile and fake ones on loopback on the sample profile, so both run the same
code. Synthetic mail for benchmarks (``--param count=N``) comes from the sample taps.
The record itself does not say which mailbox it came from, so the connection's name
from config becomes ``connection_name``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping

from lorchestra.connections import MailConnection, mail_connections, withheld_variables
from lorchestra.extraction import (
    Extraction,
    StreamSpec,
    run_extractions,
    sample_settings,
)
from lorchestra.jobs import JobResult
from lorchestra.stack_clients import JobContext

RAW_SCHEMAS = {
    "gmail": "iglu:com.google/gmail_message/jsonschema/1-0-0",
    "exchange": "iglu:com.microsoft/graph_message/jsonschema/1-0-0",
}
SYNTHETIC_TAPS = {"gmail": "tap-sample-gmail", "exchange": "tap-sample-graph"}
FakeSettings = Callable[[str, str], dict[str, str]]  # (system, mailbox) -> the fake API's tap settings


def extract_email(ctx: JobContext) -> JobResult:
    """Extract every configured Gmail and Exchange mailbox into raw_objects."""
    if ctx.config.profile != "sample" or _synthetic_mail(ctx):
        return run_extractions(ctx, email_extractions(ctx))
    from ingestor.fake_apis.sample import sample_mail_apis

    with sample_mail_apis(revision=int(ctx.params.get("revision", 1)),
                          log_path=ctx.home.logs_dir / f"fake-apis-{ctx.run_id}.jsonl") as fake_settings:
        return run_extractions(ctx, email_extractions(ctx, fake_settings))


def email_extractions(ctx: JobContext, fake_settings: FakeSettings | None = None) -> list[Extraction]:
    """One extraction per configured mailbox: the production taps with the connection's
    secrets, or (sample profile) against the fake APIs, or the synthetic-mail taps."""
    connections = mail_connections(ctx.config)
    if ctx.config.profile != "sample":
        extractions = [_production(c, ctx) for c in connections]
    elif _synthetic_mail(ctx):
        extractions = [_synthetic(c, ctx) for c in connections]
    elif fake_settings is None:
        raise ValueError("the sample profile's mail taps need the fake APIs running (sample_mail_apis)")
    else:
        extractions = [_against_fakes(c, fake_settings) for c in connections]
    withhold = withheld_variables(connections, os.environ)
    return [dataclasses.replace(e, withhold=withhold) for e in extractions]


def _synthetic_mail(ctx: JobContext) -> bool:
    return "count" in ctx.params or "first" in ctx.params


def _production(connection: MailConnection, ctx: JobContext) -> Extraction:
    secrets, missing = connection.secrets(ctx.config.secrets)
    problem = None
    if missing:
        problem = (f"secrets missing: {', '.join(missing)}; run `{connection.connect_command}` "
                   f"(or set them in the environment or {ctx.home.dotenv_path})")
    return _extraction(connection, {**connection.tap_settings(), **secrets}, problem=problem)


def _against_fakes(connection: MailConnection, fake_settings: FakeSettings) -> Extraction:
    return _extraction(connection, {**connection.tap_settings(), **fake_settings(connection.system,
                                                                                  connection.mailbox)})


def _synthetic(connection: MailConnection, ctx: JobContext) -> Extraction:
    settings = sample_settings(ctx, {"mailbox": connection.mailbox})
    return Extraction(connection.name, connection.system, SYNTHETIC_TAPS[connection.system], settings,
                      (_messages(connection.system),), timeout_seconds=connection.timeout_seconds)


def _extraction(connection: MailConnection, settings: Mapping[str, object], *, problem: str | None = None
                ) -> Extraction:
    return Extraction(connection.name, connection.system, connection.tap, settings, (_messages(connection.system),),
                      timeout_seconds=connection.timeout_seconds, chunk_records=connection.max_messages_per_run,
                      sign_in=connection.connect_command, unusable=problem)


def _messages(system: str) -> StreamSpec:
    return StreamSpec("messages", "email", "id", RAW_SCHEMAS[system])
