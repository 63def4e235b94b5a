"""Report contents from warehouse rows: plain dicts in, frozen dataclasses out.

Inputs are the rows of ``inbox_view``, ``measurement_timeseries`` and
``measurement_paired`` as the warehouse holds them, plus ``clients``
(``{client_id: {"name": ..., "email": ...}}``). A week is ``[Monday 00:00 UTC, next
Monday 00:00 UTC)`` (see ``weeks``). The projections are current snapshots, so:

* measurement figures are computed **as of the week's end** (rows measured later are
  ignored), which is exact because every timeseries row carries its own change fields;
* the combined PHQ-9 + GAD-7 line comes from ``measurement_paired`` as it stands (its
  last pair may be later than the week when an old week is reported);
* "awaiting reply" lists conversations that are awaiting a reply now and whose last
  inbound message is before the week's end; their age is measured at the week's end;
* the item-9 safety list holds the flags the report carries (``safety.carried_flags``):
  those of the week and, marked late, earlier ones no delivered report carried yet, each
  with its follow-up when a clinician recorded one (``followups``); flags earlier reports
  carried whose follow-up was recorded since the last report (``safety_list.followed_up_since``)
  are listed after it;
* the key figures are the week's ``reporting_snapshots`` rows when the caller has them
  (the weekly job), else computed here from the same rows by the same code
  (:mod:`reporter.figures`); the lists always come from the rows.

Nothing here logs or raises with record contents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from reporter.client_report import (
    ClientReport,
    InstrumentCourse,
    ScoreRow,
    assemble_client_reports,
)
from reporter.clients import Clients
from reporter.figures import WeekFigures, flags_in, week_figures
from reporter.invalid_items import InvalidItem
from reporter.measurement_overview import (
    COMBINED,
    ChangeCounts,
    ClientRef,
    IrregularResponse,
    MeasurementOverview,
    measurement_overview,
)
from reporter.rows import Row
from reporter.rows import measured_at as _at
from reporter.rows import sorted_rows as _sorted_rows
from reporter.safety import CarriedFlag, SafetyFlag, carried_flags, flags_from_timeseries
from reporter.safety_list import FollowUp, Item9Entry, safety_list
from reporter.sales_pipeline import (
    AwaitingReply,
    Conversation,
    SalesPipeline,
    sales_pipeline,
)
from reporter.weeks import week_bounds, week_end, week_start

__all__ = [
    "COMBINED",
    "AwaitingReply",
    "ChangeCounts",
    "ClientRef",
    "ClientReport",
    "Conversation",
    "InstrumentCourse",
    "InvalidItem",
    "IrregularResponse",
    "MeasurementOverview",
    "PracticeReport",
    "SalesPipeline",
    "ScoreRow",
    "assemble_client_reports",
    "assemble_practice_report",
    "measurement_overview",
    "sales_pipeline",
]


@dataclass(frozen=True)
class PracticeReport:
    week: str
    week_start: date  # Monday
    week_end: date  # Sunday
    item9: tuple[Item9Entry, ...]  # positive first, then unanswered; each oldest first
    pipeline: SalesPipeline
    measurements: MeasurementOverview
    figures: WeekFigures  # by name (reporter.figures), as reporting_snapshots holds them
    followed_up: tuple[Item9Entry, ...] = ()  # flags of earlier reports, followed up since the last one
    preview: bool = False  # the week has not ended: shown, never delivered

    @property
    def late_item9_count(self) -> int:
        return sum(1 for e in self.item9 if e.late)


def assemble_practice_report(
    week: str,
    inbox_rows: Iterable[Row],
    timeseries_rows: Iterable[Row],
    paired_rows: Iterable[Row],
    clients: Clients,
    *,
    safety: Iterable[CarriedFlag] | None = None,
    figures: WeekFigures | None = None,
    week_flags: Iterable[SafetyFlag] | None = None,
    followups: Mapping[str, FollowUp] | None = None,
    followed_up: Iterable[SafetyFlag] = (),
    preview: bool = False,
) -> PracticeReport:
    """``safety``: the flags the report carries (``safety.carried_flags``); without it, the
    flags of the week's timeseries rows (a report assembled outside the warehouse).
    ``figures``: the week's snapshot; without it, computed from the rows and ``week_flags``
    (every recorded flag; default: those of the timeseries rows). ``followups``: by flag key.
    ``followed_up``: flags earlier reports carried, followed up since the last report
    (``safety_list.followed_up_since``)."""
    start, end = week_bounds(week)
    rows = _sorted_rows(timeseries_rows)
    in_week = [r for r in rows if start <= _at(r) < end]
    own_flags = flags_from_timeseries(in_week)
    if safety is None:
        safety = carried_flags(week, own_flags, reported=())
    pipeline = sales_pipeline(inbox_rows, start, end)
    measurements = measurement_overview(rows, in_week, list(paired_rows), clients, end)
    if figures is None:
        flags = own_flags if week_flags is None else flags_in(week_flags, start, end)
        figures = week_figures(pipeline.figures, measurements, flags)
    return PracticeReport(
        week=week,
        week_start=week_start(week),
        week_end=week_end(week),
        item9=safety_list(safety, clients, followups or {}),
        followed_up=safety_list((CarriedFlag(f, late=False) for f in followed_up), clients, followups or {}),
        pipeline=pipeline,
        measurements=measurements,
        figures=figures,
        preview=preview,
    )
