"""Job ``warehouse_stats``: object counts per table, source and type, into event_log."""

from __future__ import annotations

from lorchestra.jobkit import JobContext, JobResult


def warehouse_stats(ctx: JobContext) -> JobResult:
    """Count raw, canonical and rejected objects per source and type (a daily health figure)."""
    store = ctx.store
    raw = store.query(
        f"""SELECT source_system, connection_name, object_type, count(*) AS n
            FROM {store.table('raw_objects')} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"""
    )
    canonical = store.query(
        f"""SELECT object_type, count(*) AS n FROM {store.table('canonical_objects')}
            GROUP BY 1 ORDER BY 1"""
    )
    rejects = store.query(
        f"""SELECT job_name, rule, count(*) AS n FROM {store.table('rejects')}
            GROUP BY 1, 2 ORDER BY 1, 2"""
    )
    figures = {
        "raw": {f"{r['source_system']}:{r['connection_name']}:{r['object_type']}": int(r["n"]) for r in raw},
        "canonical": {str(r["object_type"]): int(r["n"]) for r in canonical},
        "rejects": {f"{r['job_name']}:{r['rule']}": int(r["n"]) for r in rejects},
    }
    ctx.events.audit("warehouse.stats", payload=figures)
    counts = {
        "raw_objects": sum(figures["raw"].values()),
        "canonical_objects": sum(figures["canonical"].values()),
        "rejects": sum(figures["rejects"].values()),
    }
    ctx.logger.info("warehouse holds %s", counts)
    return JobResult(counts=counts)
