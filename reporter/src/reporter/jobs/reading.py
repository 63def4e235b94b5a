"""What the report jobs read from the warehouse, as the plain rows the pure core takes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from lorchestra.jobkit import JobContext, JobState, recorded_followups
from reporter.clients import clients_from_contacts
from reporter.jobs.ledger import DELIVERIES, Ledger
from reporter.jobs.legacy import LEGACY, import_legacy_deliveries
from reporter.safety import SafetyFlag, flag_from_object
from reporter.safety_list import FollowUp


def projection_rows(
    ctx: JobContext, table: str, *, iso: bool = True, columns: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """A projection's rows (``columns`` of them, or all) with timestamps as ISO strings (as
    the reports print them; else as the store gives them, which is quicker to compare); an
    unbuilt projection is empty."""
    if not ctx.store.has_table(table):
        ctx.logger.warning("projection %s is not built yet; the report shows it empty", table)
        return []
    rows = ctx.store.read_table(table, columns)
    for row in rows if iso else ():
        for key, value in row.items():
            if isinstance(value, datetime):
                row[key] = _iso(value)
    return rows


def followups_of(ctx: JobContext) -> dict[str, FollowUp]:
    """``{flag_key: FollowUp}`` of the flags a clinician marked followed up."""
    return {
        key: FollowUp(by=done.by, at=_iso(done.at), recorded_at=_iso(done.recorded_at))
        for key, done in recorded_followups(ctx.store).items()
    }


def _iso(value: datetime | str) -> str:
    return value.isoformat().replace("+00:00", "Z") if isinstance(value, datetime) else str(value)


def clients_of(ctx: JobContext) -> dict[str, dict[str, str]]:
    """``{contact_id: {"name", "email"}}`` of the canonical contacts."""
    return clients_from_contacts(c for _, c in ctx.read_objects("canonical_objects", "contact"))


def safety_flags(ctx: JobContext) -> list[SafetyFlag]:
    """Every safety flag the scorers have recorded (``safety_flag`` objects)."""
    return [flag_from_object(key, payload) for key, payload in ctx.read_objects("canonical_objects", "safety_flag")]


def open_ledger(ctx: JobContext) -> tuple[Ledger, list[SafetyFlag]]:
    """The delivery ledger and every recorded flag; until it is recorded in job state that
    the weeks earlier versions delivered are in the ledger, they are entered first (again
    after a run stopped midway: entering them twice gives the same rows)."""
    ledger = Ledger(ctx.store)
    flags = safety_flags(ctx)
    if ctx.state.get(DELIVERIES, LEGACY) is None:
        weeks = import_legacy_deliveries(ctx.store, ledger, flags)
        ctx.state.put(DELIVERIES, {LEGACY: JobState(outcome="entered")})
        if weeks:
            ctx.logger.info("entered %d week(s) delivered by an earlier version into the ledger", weeks)
    return ledger, flags
