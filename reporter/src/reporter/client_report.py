"""Client reports: per client measured in the week, the course of every instrument up to
the week's end, the trend chart of the R13 pair and the week's item-9 entries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reporter.charts import trend_chart_svg
from reporter.clients import Clients, client_name
from reporter.instruments import instrument_order, paired_order, raises_safety_flags
from reporter.invalid_items import InvalidItem, invalid_items
from reporter.rows import Row
from reporter.rows import measured_at as _at
from reporter.rows import sorted_rows as _sorted_rows
from reporter.safety import carried_flags, flags_from_timeseries, item9_answer
from reporter.safety_list import Item9Entry, safety_list
from reporter.weeks import week_bounds, week_end, week_start


@dataclass(frozen=True)
class ScoreRow:
    measured_at: str
    instrument: str
    total: int | None
    severity: str | None
    valid: bool
    prorated: bool
    n_missing: int | None
    invalid_items: tuple[InvalidItem, ...]
    is_baseline: bool
    change: int | None  # against the first valid score
    reliable_change: str | None
    item9: str | None  # ITEM9_* for PHQ-9 rows, None otherwise
    in_week: bool


@dataclass(frozen=True)
class InstrumentCourse:
    """Change of one instrument: first valid score against the latest valid one (as of the week's end)."""

    instrument: str
    n_scores: int
    n_valid: int
    baseline_at: str | None
    baseline_total: int | None
    latest_at: str | None
    latest_total: int | None
    change: int | None
    reliable_change: str | None  # None while there is only the baseline
    baseline_caseness: bool | None
    followup_caseness: bool | None
    recovery_eligible: bool | None
    recovery: bool | None
    reliable_recovery: bool | None
    reliable_change_threshold: int | None
    caseness_threshold: int | None
    threshold_source: str | None


@dataclass(frozen=True)
class ClientReport:
    week: str
    week_start: date
    week_end: date
    client_id: str
    name: str
    chart_svg: str
    item9: tuple[Item9Entry, ...]  # of the week
    scores: tuple[ScoreRow, ...]  # all scores up to the week's end, oldest first
    courses: tuple[InstrumentCourse, ...]  # phq9, gad7 (those the client has)


def assemble_client_reports(week: str, timeseries_rows: Iterable[Row], clients: Clients) -> list[ClientReport]:
    """One report per client with a score in the week, ordered by name."""
    start, end = week_bounds(week)
    by_client: dict[str, list[Row]] = {}
    for r in _sorted_rows(timeseries_rows):
        if _at(r) < end:
            by_client.setdefault(str(r["client_id"]), []).append(r)
    measured = {client for client, own in by_client.items() if any(start <= _at(r) for r in own)}
    reports = []
    for client in measured:
        own = by_client[client]
        name = client_name(clients, client)
        points = {
            inst: [
                (str(r["measured_at"]), r.get("total") if r["valid"] else None) for r in own if r["instrument"] == inst
            ]
            for inst in paired_order()
        }
        reports.append(
            ClientReport(
                week=week,
                week_start=week_start(week),
                week_end=week_end(week),
                client_id=client,
                name=name,
                chart_svg=trend_chart_svg(points, width=640, height=400, title=f"Verlauf: {name}"),
                item9=safety_list(
                    carried_flags(week, flags_from_timeseries(r for r in own if start <= _at(r)), ()), clients
                ),
                scores=tuple(_score_row(r, start) for r in own),
                courses=tuple(
                    _course(inst, [r for r in own if r["instrument"] == inst])
                    for inst in instrument_order()
                    if any(r["instrument"] == inst for r in own)
                ),
            )
        )
    return sorted(reports, key=lambda c: (c.name.casefold(), c.client_id))


def _score_row(r: Row, start: datetime) -> ScoreRow:
    return ScoreRow(
        measured_at=str(r["measured_at"]),
        instrument=str(r["instrument"]),
        total=r.get("total"),
        severity=r.get("severity"),
        valid=bool(r["valid"]),
        prorated=bool(r.get("prorated")),
        n_missing=r.get("n_missing"),
        invalid_items=invalid_items(r),
        is_baseline=bool(r.get("is_baseline")),
        change=r.get("change"),
        reliable_change=None if r.get("is_baseline") else r.get("reliable_change"),
        item9=item9_answer(r) if raises_safety_flags(str(r["instrument"])) else None,
        in_week=_at(r) >= start,
    )


def _course(instrument: str, rows: list[Row]) -> InstrumentCourse:
    valid = [r for r in rows if r["valid"]]
    base = next((r for r in valid if r.get("is_baseline")), valid[0] if valid else None)
    latest = valid[-1] if valid else None
    only_baseline = latest is None or latest is base

    def field(name: str) -> Any:
        return None if latest is None or only_baseline else latest.get(name)

    return InstrumentCourse(
        instrument=instrument,
        n_scores=len(rows),
        n_valid=len(valid),
        baseline_at=base["measured_at"] if base else None,
        baseline_total=base.get("total") if base else None,
        latest_at=latest["measured_at"] if latest else None,
        latest_total=latest.get("total") if latest else None,
        change=field("change"),
        reliable_change=field("reliable_change"),
        baseline_caseness=(latest.get("baseline_caseness") if latest else None),
        followup_caseness=field("followup_caseness"),
        recovery_eligible=field("recovery_eligible"),
        recovery=field("recovery"),
        reliable_recovery=field("reliable_recovery"),
        reliable_change_threshold=latest.get("reliable_change_threshold") if latest else None,
        caseness_threshold=latest.get("caseness_threshold") if latest else None,
        threshold_source=latest.get("threshold_source") if latest else None,
    )
