"""The job kit: everything a job adapter imports, and nothing of storage beyond it.

A job is ``job(ctx: JobContext) -> JobResult | None``. The context gives the store and
event client of the run, :meth:`JobContext.map_inputs` (the one incremental map job),
:attr:`JobContext.state` (what a consumer has already done), and a projection is built
by :func:`build_projection`. The backends stay behind :class:`Store`.
"""

from lorchestra.connections import connections
from lorchestra.faults import checkpoint
from lorchestra.followups import RecordedFollowUp, recorded_followups
from lorchestra.jobkit.context import JobContext
from lorchestra.jobkit.mapping import MapCounts, Noted, Rejected
from lorchestra.jobkit.pool import MapPool
from lorchestra.jobkit.projection import basis_fingerprint, build_projection, load_state, spilled_rows
from lorchestra.jobkit.result import JobResult
from lorchestra.jobkit.state import JobState, JobStates
from lorchestra.stack_clients.clock import utcnow
from lorchestra.stack_clients.model import CanonicalRow, InputRow, ObjectSpec, Source
from lorchestra.stack_clients.projection import Column, RowsChange
from lorchestra.stack_clients.store import Store

__all__ = [
    "CanonicalRow",
    "Column",
    "InputRow",
    "JobContext",
    "JobResult",
    "JobState",
    "JobStates",
    "MapCounts",
    "MapPool",
    "Noted",
    "ObjectSpec",
    "RecordedFollowUp",
    "Rejected",
    "RowsChange",
    "Source",
    "Store",
    "basis_fingerprint",
    "build_projection",
    "checkpoint",
    "connections",
    "load_state",
    "recorded_followups",
    "spilled_rows",
    "utcnow",
]
