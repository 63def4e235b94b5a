"""What a projection was last built from, so the next build does only what changed.

Each projection keeps a state in ``processed_inputs`` (consumer ``projection:<name>``):

- ``basis``: a fingerprint of everything whose change means a full rebuild (the
  build's version, config it uses, per other object type the count and latest
  ``updated_at``);
- ``watermark``: the latest ``updated_at`` among its main inputs when it was built.

A run whose basis matches reads only the inputs updated after the watermark: none
means nothing to do (one aggregate query, however long the history); a few mean an
update of only the rows they touch. Canonical writes are serialized by the run lock and
stamped with the wall clock, so everything written after a build is stamped later than
its watermark, unless the clock was set back: a clock behind the watermark makes the
next build a full one.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from lorchestra.jobs import JobResult
from lorchestra.stack_clients import JobContext, Store
from lorchestra.stack_clients.clock import utcnow
from lorchestra.stack_clients.projection import check_table_name

LEDGER_KEY = "inputs"


@dataclass(frozen=True)
class BuildState:
    basis: str
    watermark: datetime | None


def basis_fingerprint(store: Store, object_types: Sequence[str], *depends_on: object) -> str:
    """Count and latest update per object type, plus ``depends_on``: any change is a full rebuild."""
    for object_type in object_types:
        check_table_name(object_type)  # suite constants, written into the SQL below
    summary: list[object] = []
    if object_types:
        listed = ", ".join(f"'{t}'" for t in sorted(object_types))
        rows = store.query(
            f"SELECT object_type, count(*) AS n, CAST(max(updated_at) AS STRING) AS latest "
            f"FROM {store.table('canonical_objects')} WHERE object_type IN ({listed}) "
            "GROUP BY object_type ORDER BY object_type"
        )
        summary = [[r["object_type"], int(r["n"]), str(r["latest"])] for r in rows]
    text = json.dumps([summary, list(depends_on)], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def latest_update(store: Store, object_type: str) -> datetime | None:
    rows = store.query(f"SELECT max(updated_at) AS latest FROM {store.table('canonical_objects')} "
                       f"WHERE object_type = '{check_table_name(object_type)}'")
    return rows[0]["latest"] if rows else None


def load_state(store: Store, projections: Sequence[str]) -> BuildState | None:
    """The state of the last build; None when any of the tables is missing or it was never built."""
    if not all(store.has_table(check_table_name(name)) for name in projections):
        return None
    rows = store.query(
        f"SELECT input_payload_hash FROM {store.table('processed_inputs')} "
        f"WHERE consumer = '{_consumer(projections)}' AND input_idem_key = '{LEDGER_KEY}'"
    )
    if not rows:
        return None
    basis, _, watermark = str(rows[0]["input_payload_hash"]).partition("|")
    return BuildState(basis, datetime.fromisoformat(watermark) if watermark else None)


def save_state(store: Store, projections: Sequence[str], state: BuildState, *, run_id: str) -> None:
    value = f"{state.basis}|{state.watermark.isoformat() if state.watermark else ''}"
    store.mark_processed(_consumer(projections), [(LEDGER_KEY, value, "ok")], run_id=run_id, now=utcnow())


def _consumer(projections: Sequence[str]) -> str:
    return "projection:" + "+".join(check_table_name(name) for name in projections)


def can_update(state: BuildState | None, basis: str) -> bool:
    """Whether a build may start from ``state`` rather than from scratch."""
    if state is None or state.basis != basis:
        return False
    return state.watermark is None or utcnow() >= state.watermark


def build_projection(
    ctx: JobContext, projections: Sequence[str], *, basis: str, object_type: str,
    rebuild: Callable[[], dict[str, int]], update: Callable[[datetime | None], dict[str, int]],
    idle_counts: dict[str, int],
) -> JobResult:
    """The one way a projection job runs: nothing when no ``object_type`` input changed,
    ``update(watermark)`` when the basis holds, else ``rebuild()``; then the new state."""
    state = load_state(ctx.store, projections)
    watermark = latest_update(ctx.store, object_type)
    if state is not None and can_update(state, basis):
        if state.watermark == watermark:
            ctx.logger.info("%s is current: nothing it is built from changed", projections[0])
            return JobResult(counts=idle_counts)
        with collector_paused():
            counts = update(state.watermark)
    else:
        with collector_paused():
            counts = rebuild()
    save_state(ctx.store, projections, BuildState(basis, watermark), run_id=ctx.run_id)
    ctx.events.audit("projection.rebuilt", payload={"table": projections[0], **counts})
    return JobResult(counts=counts)


@contextmanager
def collector_paused() -> Iterator[None]:
    """A build allocates millions of small objects without cycles; the cyclic collector
    would walk all of them again and again (it halves the inbox build at 100k e-mails)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
