"""An example job package outside lorchestra, installed by the test set-up."""

from __future__ import annotations

from lorchestra.jobkit import JobContext, JobResult, ObjectSpec, Source


class ExampleFailure(RuntimeError):
    """Raised on request, to show how the runner reports a failing job."""


def synthetic_ingest(ctx: JobContext) -> JobResult:
    """Write synthetic raw objects through the batch emit (params: count, fail)."""
    if ctx.params.get("fail") == "true":
        # The message mimics a careless library quoting a record; the runner must not show it.
        raise ExampleFailure("could not parse record for patient Erika Mustermann")
    count = int(ctx.params.get("count", 5))
    spec = ObjectSpec(Source("example", "synthetic"), "note")
    records = ({"id": f"note-{i}", "text": f"synthetic note {i}"} for i in range(count))
    counts = ctx.events.emit_batch("ingest.completed", records, spec=spec)
    return JobResult(counts=counts.as_dict())
