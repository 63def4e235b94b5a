"""Job ``warehouse_stats``: object counts per table, source and type, into event_log."""

from __future__ import annotations

from lorchestra.jobkit import JobContext, JobResult


def warehouse_stats(ctx: JobContext) -> JobResult:
    """Count raw, canonical and rejected objects per source and type (a daily health figure)."""
    found = ctx.store.object_counts()
    figures = {
        "raw": {f"{system}:{connection}:{kind}": n for system, connection, kind, n in found.raw},
        "canonical": dict(found.canonical),
        "rejects": {f"{job}:{rule}": n for job, rule, n in found.rejects},
    }
    ctx.events.audit("warehouse.stats", payload=figures)
    counts = {
        "raw_objects": sum(figures["raw"].values()),
        "canonical_objects": sum(figures["canonical"].values()),
        "rejects": sum(figures["rejects"].values()),
    }
    ctx.logger.info("warehouse holds %s", counts)
    return JobResult(counts=counts)
