"""Job ``build_reporting_snapshots``: the report's figures per ISO week (the rows:
:mod:`reporter.snapshots`), published as a view for the console, read by the weekly report.

It is built from the other projections (``inbox_view``, ``measurement_timeseries``,
``measurement_paired``) and the ``safety_flag`` objects. Their build states say when to
work: the basis holds theirs (an upstream full rebuild is one here too), the watermark is
the latest of their watermarks, of the flags' ``updated_at`` and of the current week's
start (a new week adds its rows). A build reads the inputs (a few rows per conversation
and response), compares each item's digest with the one it was last built from
(``reporting_snapshots_inputs``) and recomputes only the weeks a changed item counts in,
before or after the change; both tables change in one transaction.
"""

from __future__ import annotations

from typing import Any

from lorchestra.jobkit import (
    Column,
    JobContext,
    JobResult,
    RowsChange,
    basis_fingerprint,
    build_projection,
    load_state,
    utcnow,
)
from reporter.figures import Figure, empty_figures
from reporter.jobs.reading import projection_rows, safety_flags
from reporter.snapshots import (
    COLUMNS as SNAPSHOT_COLUMNS,
)
from reporter.snapshots import (
    INBOX_FIELDS,
    INPUT_COLUMNS,
    SPAN,
    SnapshotInputs,
    affected_weeks,
    figures_of,
    snapshot_rows,
    weeks_between,
)
from reporter.weeks import week_bounds, week_of

SNAPSHOTS, INPUTS = "reporting_snapshots", "reporting_snapshots_inputs"
BUILD_VERSION = 1  # raise when the figures or their rules change: the next build is a full one
UPSTREAM = (("inbox_view", "inbox_view_members"), ("measurement_timeseries", "measurement_paired"))  # their builds
READS = ("inbox_view", "measurement_timeseries", "measurement_paired")
COLUMNS = [Column(*c) for c in SNAPSHOT_COLUMNS]
ITEM_COLUMNS = [Column(*c) for c in INPUT_COLUMNS]


def build_reporting_snapshots(ctx: JobContext) -> JobResult:
    """Build reporting_snapshots: the weekly report's figures per week (only the weeks changes touch)."""
    upstream = [load_state(ctx.state, names) for names in UPSTREAM]
    return build_projection(
        ctx,
        (SNAPSHOTS, INPUTS),
        views=(SNAPSHOTS,),
        basis=basis_fingerprint(ctx.store, (), BUILD_VERSION, [s.basis if s else None for s in upstream]),
        object_type=lambda: max(
            [s.watermark for s in upstream if s and s.watermark]
            + [w for w in [ctx.store.latest_update("safety_flag")] if w]
            + [week_bounds(week_of(utcnow().date()))[0]]
        ),
        rebuild=lambda: _rebuild(ctx),
        update=lambda _since: _update(ctx),
        idle_counts={"weeks": 0, "rows": 0, "full_rebuild": 0},
    )


def week_figures_of(ctx: JobContext, week: str) -> dict[str, Figure]:
    """The figures of ``week`` from ``reporting_snapshots``, built first when anything it is
    built from changed (an idle check otherwise), so a report never reads a stale snapshot.
    A week before the first input has no rows: its figures are those of an empty week."""
    build_reporting_snapshots(ctx)
    rows = ctx.store.lookup_rows(SNAPSHOTS, "week", [week], ["figure", "value", "n"])
    return figures_of(rows) if rows else empty_figures(week)


def _read(ctx: JobContext) -> SnapshotInputs:
    inbox = projection_rows(ctx, "inbox_view", iso=False, columns=("conversation_key", *INBOX_FIELDS))
    series, paired = (projection_rows(ctx, name, iso=False) for name in READS[1:])
    return SnapshotInputs(inbox, series, paired, safety_flags(ctx))


def _rebuild(ctx: JobContext) -> dict[str, int]:
    inputs, now = _read(ctx), utcnow()
    span = inputs.span(now.date())
    weeks = weeks_between(*span) if span else []
    written = ctx.store.replace_table(SNAPSHOTS, COLUMNS, snapshot_rows(inputs, weeks, now), cluster_by=("week",))
    ctx.store.replace_table(INPUTS, ITEM_COLUMNS, _items(inputs.footprints(), span), cluster_by=("item",))
    return {"weeks": len(weeks), "rows": written, "full_rebuild": 1}


def _update(ctx: JobContext) -> dict[str, int]:
    """Recompute the weeks that changed items count in, and those the span gained or lost."""
    inputs, now = _read(ctx), utcnow()
    before = {str(r["item"]): (str(r["digest"]), str(r["weeks"])) for r in ctx.store.read_table(INPUTS)}
    old = before.pop(SPAN, ("", ""))[0].split()
    span = inputs.span(now.date())
    old_weeks = weeks_between(old[0], old[1]) if len(old) == 2 else []
    new_weeks = weeks_between(*span) if span else []
    after = inputs.footprints()
    changed, weeks = affected_weeks(before, after, sorted({*old_weeks, *new_weeks}))
    weeks |= set(old_weeks) ^ set(new_weeks)
    recomputed = sorted(weeks & set(new_weeks))
    rows = snapshot_rows(inputs, recomputed, now)
    items = _items({k: after[k] for k in changed if k in after}, span)
    ctx.store.replace_rows(
        [
            RowsChange(SNAPSHOTS, COLUMNS, "week", sorted(weeks), rows),
            RowsChange(INPUTS, ITEM_COLUMNS, "item", [*changed, SPAN], items),
        ]
    )
    return {"weeks": len(recomputed), "rows": len(rows), "full_rebuild": 0, "items_changed": len(changed)}


def _items(footprints: dict[str, tuple[str, str]], span: tuple[str, str] | None) -> list[dict[str, Any]]:
    rows = [{"item": item, "digest": digest, "weeks": weeks} for item, (digest, weeks) in footprints.items()]
    return [*rows, {"item": SPAN, "digest": " ".join(span) if span else "", "weeks": ""}]
