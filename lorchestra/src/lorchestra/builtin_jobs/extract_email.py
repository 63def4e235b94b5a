"""Job ``extract_email``: every configured mailbox through Meltano into ``raw_objects``.

One connection failing does not stop the others; the job fails if any failed. The
record itself does not say which mailbox it came from, so the connection name from
config becomes ``connection_name``. A successful extraction's JSONL directory is
removed once its records are in the warehouse; a failed one is kept for inspection.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from typing import Any

from lorchestra.errors_safe import safe_error
from lorchestra.jobs import JobResult
from lorchestra.stack_clients import JobContext, ObjectSpec, Source, WriteCounts

RAW_SCHEMAS = {
    "gmail": "iglu:com.google/gmail_message/jsonschema/1-0-0",
    "exchange": "iglu:com.microsoft/graph_message/jsonschema/1-0-0",
}
SAMPLE_TAPS = {"gmail": "tap-sample-gmail", "exchange": "tap-sample-graph"}
PRODUCTION_TAPS = {"gmail": "tap-gmail", "exchange": "tap-microsoft-graph"}
STREAM = "messages"


def extract_email(ctx: JobContext) -> JobResult:
    """Extract every configured Gmail and Exchange mailbox into raw_objects."""
    from ingestor import extract_to_jsonl

    totals = WriteCounts()
    connections = ctx.config.connections("email")
    failed = 0
    for connection in connections:
        name, system = str(connection["name"]), str(connection["system"])
        source = Source(system, name)
        tap, env = _tap_for(ctx, connection)
        try:
            paths = extract_to_jsonl(tap, ctx.run_id, work_dir=ctx.home.root, env=env, state_id_suffix=name)
            spec = ObjectSpec(source, "email", id_field="id", schema_ref=RAW_SCHEMAS[system])
            counts = WriteCounts()
            if STREAM in paths:
                counts = ctx.events.emit_jsonl("ingest.completed", paths[STREAM], spec=spec)
            else:
                ctx.events.audit("ingest.completed", payload=counts.as_dict(), source=source, object_type="email")
            totals.add(counts)
            for path in {p.parent for p in paths.values()}:
                shutil.rmtree(path, ignore_errors=True)
            ctx.logger.info("connection %s: %s", name, counts.as_dict())
        except Exception as exc:
            failed += 1
            error = safe_error(exc)
            ctx.events.audit("ingest.failed", status="failed", error_message=error, source=source,
                             object_type="email", payload={"tap": tap})
            ctx.logger.error("connection %s failed: %s", name, error)
    run_dir = ctx.home.root / "extract" / ctx.run_id
    if run_dir.is_dir() and not any(run_dir.iterdir()):
        run_dir.rmdir()
    note = f"{failed} of {len(connections)} connections failed" if failed else None
    return JobResult(counts={**totals.as_dict(), "connections": len(connections), "connections_failed": failed},
                     ok=not failed, note=note)


def _tap_for(ctx: JobContext, connection: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    system, name = str(connection["system"]), str(connection["name"])
    if ctx.config.profile == "sample":
        tap = SAMPLE_TAPS[system]
        prefix = tap.upper().replace("-", "_")
        env = {f"{prefix}_MAILBOX": str(connection["mailbox"])}
        for key in ("count", "revision"):
            if key in ctx.params:
                env[f"{prefix}_{key.upper()}"] = str(ctx.params[key])
        return tap, env
    return str(connection.get("tap") or f"{PRODUCTION_TAPS[system]}--{name}"), {}
