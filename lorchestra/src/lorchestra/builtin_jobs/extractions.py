"""One :class:`Extraction` per configured connection: its tap, settings, secrets and streams.

Every ``extract_*`` job builds its extractions here, so mail, forms, sheets and the CRM run
the same way: on the production profile the suite's own taps with the connection's secrets
from the environment or ``$LORC_HOME/.env``; on the sample profile the same taps against the
fake APIs on loopback (:func:`ingestor.fake_apis.sample.sample_apis`). A connection whose
secrets are missing still gets an extraction: it fails alone, naming the secrets and the
command that stores them, and the other connections run.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from lorchestra.connections import Connection, connections, withheld_variables
from lorchestra.extraction import Extraction, StreamSpec
from lorchestra.jobkit import JobContext

FakeSettings = Callable[[str, Mapping[str, str]], dict[str, str]]
"""``(system, source) -> settings``: where a tap finds the fake API and how it signs in."""
StreamsOf = Callable[[Connection], tuple[StreamSpec, ...]]


def connection_extractions(
    ctx: JobContext, kind: str, streams_of: StreamsOf, fake_settings: FakeSettings | None = None
) -> list[Extraction]:
    """The production taps for every connection of ``kind``: with its secrets, or (sample
    profile) with the settings of the fake API that stands in for its source."""
    found = []
    for connection in connections(ctx.config, kind):
        if ctx.config.profile != "sample":
            found.append(_production(ctx, connection, streams_of(connection)))
        elif fake_settings is None:
            raise ValueError("the sample profile's taps need the fake APIs running (sample_apis)")
        else:
            settings = {**connection.tap_settings(), **fake_settings(connection.system, connection.source)}
            found.append(extraction_of(connection, settings, streams_of(connection)))
    return with_secrets_withheld(ctx, found)


def with_secrets_withheld(ctx: JobContext, extractions: list[Extraction]) -> list[Extraction]:
    """No tap inherits another connection's secrets (or lorc's own settings) from lorc."""
    withhold = withheld_variables(ctx.config, os.environ)
    return [dataclasses.replace(e, withhold=withhold) for e in extractions]


def extraction_of(
    connection: Connection,
    settings: Mapping[str, object],
    streams: tuple[StreamSpec, ...],
    *,
    problem: str | None = None,
) -> Extraction:
    return Extraction(
        connection.name,
        connection.system,
        connection.tap,
        settings,
        streams,
        timeout_seconds=connection.timeout_seconds,
        chunk_records=connection.max_messages_per_run,
        sign_in=connection.connect_command,
        unusable=problem,
    )


def synthetic_data(ctx: JobContext) -> bool:
    """``--param count=N`` / ``first=N`` on the sample profile: the sample taps' synthetic
    data (benchmarks) instead of the practice story."""
    return ctx.config.profile == "sample" and ("count" in ctx.params or "first" in ctx.params)


@contextmanager
def fake_apis_of(ctx: JobContext) -> Iterator[FakeSettings | None]:
    """The fake APIs for the block on the sample profile (their request log in
    ``logs/fake-apis-<run>.jsonl``); nothing on the production profile or for synthetic data."""
    if ctx.config.profile != "sample" or synthetic_data(ctx):
        yield None
        return
    from ingestor.fake_apis.sample import sample_apis

    with sample_apis(
        revision=int(ctx.params.get("revision", 1)), log_path=ctx.home.logs_dir / f"fake-apis-{ctx.run_id}.jsonl"
    ) as fake_settings:
        yield fake_settings


def _production(ctx: JobContext, connection: Connection, streams: tuple[StreamSpec, ...]) -> Extraction:
    secrets, missing = connection.secrets(ctx.config.secrets)
    problem = None
    if missing:
        problem = (
            f"secrets missing: {', '.join(missing)}; run `{connection.connect_command}` "
            f"(or set them in the environment or {ctx.home.dotenv_path})"
        )
    return extraction_of(connection, {**connection.tap_settings(), **secrets}, streams, problem=problem)
