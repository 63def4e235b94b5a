"""Building a projection, the one way: what it was last built from decides whether a
build does nothing, only what changed, or everything.

Each projection's build state is a named job state (:mod:`lorchestra.jobkit.state`,
consumer ``projection:<name>``, state key ``build``):

- ``basis``: a fingerprint of everything whose change means a full rebuild: the build's
  version, config it uses, and the content (keys and payload hashes) of the small object
  types it reads besides its main input;
- ``watermark``: the latest ``updated_at`` among its main inputs when it was built
  (``outcome`` ``empty`` when there were none).

A run whose basis matches reads only the inputs updated after the watermark: none
means nothing to do (one aggregate query, however long the history); a few mean an
update of only the rows they touch. Canonical writes are serialized by the run lock and
stamped with the wall clock, so everything written after a build is stamped later than
its watermark, unless the clock was set back: a clock behind the watermark makes the
next build a full one. Nothing in the state depends on when it was written, so two runs
over the same data leave the same rows (but for the timestamps).

Earlier versions kept this state in the map ledger (``processed_inputs``, same consumer);
such a row is not read but dropped at the next build, which is then a full one, once.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from lorchestra.jobkit.context import JobContext
from lorchestra.jobkit.result import JobResult
from lorchestra.jobkit.state import JobState, JobStates
from lorchestra.stack_clients.clock import utcnow
from lorchestra.stack_clients.projection import check_table_name
from lorchestra.stack_clients.spill import spill_file
from lorchestra.stack_clients.store import Store

BUILD = "build"
EARLIER_LEDGER_KEY = "inputs"  # where earlier versions kept a build state in processed_inputs


def basis_fingerprint(store: Store, object_types: Sequence[str], *depends_on: object) -> str:
    """The content of ``object_types`` (keys and payload hashes: meant for small types
    such as contacts) and ``depends_on``: any change is a full rebuild."""
    digest = hashlib.sha256(json.dumps(list(depends_on), sort_keys=True, default=str).encode())
    for object_type in sorted(object_types):
        digest.update(object_type.encode())
        for key, digest_of_payload in store.payload_hashes(object_type):
            digest.update(f"\n{key} {digest_of_payload}".encode())
    return digest.hexdigest()[:32]


def load_state(states: JobStates, projections: Sequence[str]) -> JobState | None:
    """The state of the last build; None when any of the tables is missing or it was never built."""
    if not all(states.store.has_table(check_table_name(name)) for name in projections):
        return None
    return states.get(_consumer(projections), BUILD)


def save_state(
    states: JobStates, projections: Sequence[str], basis: str, watermark: datetime | None, *, first: bool
) -> None:
    """Record a build. The ``first`` (no state found) first drops a state an earlier version
    kept in the map ledger, so a run killed in between drops it again the next time."""
    consumer = _consumer(projections)
    if first:
        states.forget_processed(consumer, [EARLIER_LEDGER_KEY])
    states.put(consumer, {BUILD: JobState(basis, watermark, "ok" if watermark is not None else "empty")})


def _consumer(projections: Sequence[str]) -> str:
    return "projection:" + "+".join(check_table_name(name) for name in projections)


def can_update(state: JobState | None, basis: str) -> bool:
    """Whether a build may start from ``state`` rather than from scratch."""
    if state is None or state.basis != basis:
        return False
    return state.watermark is None or utcnow() >= state.watermark


def build_projection(
    ctx: JobContext,
    projections: Sequence[str],
    *,
    views: Sequence[str],
    basis: str,
    object_type: str | Callable[[], datetime | None],
    rebuild: Callable[[], dict[str, int]],
    update: Callable[[datetime | None], dict[str, int]],
    idle_counts: dict[str, int],
) -> JobResult:
    """The one way a projection job runs: nothing when no ``object_type`` input changed,
    ``update(watermark)`` when the basis holds, else ``rebuild()``; then the ``views``
    (those of ``projections`` meant for readers) are published and the new state saved.
    Publishing before saving means a run killed in between builds and publishes again.
    A projection of other projections passes, instead of an object type, the function
    that gives its watermark (e.g. the latest of theirs)."""
    state = load_state(ctx.state, projections)
    watermark = object_type() if callable(object_type) else ctx.store.latest_update(object_type)
    if state is not None and can_update(state, basis):
        if state.watermark == watermark:
            ctx.logger.info("%s is current: nothing it is built from changed", projections[0])
            ctx.store.publish_views(views, if_missing=True)
            return JobResult(counts=idle_counts)
        with collector_paused():
            counts = update(state.watermark)
    else:
        with collector_paused():
            counts = rebuild()
    ctx.store.publish_views(views)
    save_state(ctx.state, projections, basis, watermark, first=state is None)
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


class SpilledRows:
    """Rows of a second table that a build produces in the same pass as the first:
    written to a private scratch file while the first table is written, read back after."""

    def __init__(self, path: Path, handle: BinaryIO) -> None:
        self._path, self._handle = path, handle

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self._handle.write(orjson.dumps(row) + b"\n")

    def read(self) -> Iterator[dict[str, Any]]:
        self._handle.flush()
        with self._path.open("rb") as handle:
            for line in handle:
                yield orjson.loads(line)


@contextmanager
def spilled_rows(tmp_dir: Path) -> Iterator[SpilledRows]:
    """A :class:`SpilledRows` in ``tmp_dir`` (the PHI home's), removed on every way out."""
    with spill_file(tmp_dir) as (path, handle):
        yield SpilledRows(path, handle)
