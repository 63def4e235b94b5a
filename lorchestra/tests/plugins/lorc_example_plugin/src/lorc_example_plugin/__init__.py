"""An example job package outside lorchestra, installed by the test set-up."""

from __future__ import annotations

from lorchestra.jobs import JobResult
from lorchestra.stack_clients import JobContext, ObjectSpec, Source


def synthetic_ingest(ctx: JobContext) -> JobResult:
    """Write 5 synthetic raw objects through the batch emit (shows a plugin's use of the API)."""
    count = int(ctx.params.get("count", 5))
    spec = ObjectSpec(Source("example", "synthetic"), "note")
    records = ({"id": f"note-{i}", "text": f"synthetic note {i}"} for i in range(count))
    counts = ctx.events.emit_batch("ingest.completed", records, spec=spec)
    return JobResult(counts=counts.as_dict())
