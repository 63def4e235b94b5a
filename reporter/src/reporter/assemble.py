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
  those of the week and, marked late, earlier ones no delivered report carried yet.

Nothing here logs or raises with record contents.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from statistics import median
from typing import Any

from shared_schemas.types import MIXED
from shared_schemas.types import NO_RELIABLE_CHANGE as NO_CHANGE
from shared_schemas.types import RELIABLE_DETERIORATION as DETERIORATION
from shared_schemas.types import RELIABLE_IMPROVEMENT as IMPROVEMENT

from reporter.charts import trend_chart_svg
from reporter.clients import Clients, client_name
from reporter.formatting import human_duration
from reporter.instruments import instrument_order, paired_order, raises_safety_flags
from reporter.invalid_items import InvalidItem, invalid_items
from reporter.safety import (
    CarriedFlag,
    carried_flags,
    flags_from_timeseries,
    item9_answer,
)
from reporter.safety_list import Item9Entry, safety_list
from reporter.weeks import parse_timestamp, week_bounds, week_end, week_start

Row = Mapping[str, Any]

STATUS_ORDER = ("new inquiry", "awaiting reply", "in conversation", "client")  # "internal" has no inbound
COMBINED = "combined"


# --- data classes ----------------------------------------------------------------------

@dataclass(frozen=True)
class Conversation:
    conversation_key: str
    counterpart_name: str | None
    counterpart_email: str | None
    subject: str | None
    status: str
    first_inbound_at: str
    is_known_client: bool
    awaiting_reply: bool
    first_response_minutes: int | None
    first_response_text: str


@dataclass(frozen=True)
class AwaitingReply:
    conversation_key: str
    counterpart_name: str | None
    counterpart_email: str | None
    subject: str | None
    status: str
    last_inbound_at: str | None
    age_minutes: int | None  # at the week's end
    age_text: str


@dataclass(frozen=True)
class SalesPipeline:
    new_inquiries: tuple[Conversation, ...]  # first inbound message in the week, oldest first
    awaiting_reply: tuple[AwaitingReply, ...]  # longest waiting first
    median_first_response_minutes: float | None  # over new inquiries with a first response
    median_first_response_text: str
    responded: int  # new inquiries with a first response (the median's n)
    became_clients: int  # new inquiries whose counterpart is a known client
    status_counts: tuple[tuple[str, int], ...]  # of the new inquiries, STATUS_ORDER first


@dataclass(frozen=True)
class ChangeCounts:
    """Clients measured in the week, by their latest change category (as of the week's end)."""
    instrument: str  # "phq9" | "gad7" | COMBINED (measurement_paired, R13)
    clients: int
    improvement: int
    no_change: int
    deterioration: int
    mixed: int  # COMBINED only
    baseline_only: int  # no follow-up score yet
    no_valid_score: int
    recovery_eligible: int  # at caseness at baseline
    recovery: int
    reliable_recovery: int


@dataclass(frozen=True)
class ClientRef:
    client_id: str
    name: str


@dataclass(frozen=True)
class IrregularResponse:
    """An invalid or prorated score of the week."""
    client_id: str
    client_name: str
    instrument: str
    measured_at: str
    response_id: str
    valid: bool
    prorated: bool
    n_missing: int | None  # unanswered items
    invalid_items: tuple[InvalidItem, ...]


@dataclass(frozen=True)
class MeasurementOverview:
    clients_measured: tuple[ClientRef, ...]  # by name
    responses: int  # distinct (client, response) pairs in the week
    scores: int  # timeseries rows in the week (one per instrument and response)
    change: tuple[ChangeCounts, ...]  # phq9, gad7, combined
    irregular: tuple[IrregularResponse, ...]

    @property
    def invalid_count(self) -> int:
        return sum(1 for r in self.irregular if not r.valid)

    @property
    def prorated_count(self) -> int:
        return sum(1 for r in self.irregular if r.prorated)


@dataclass(frozen=True)
class PracticeReport:
    week: str
    week_start: date  # Monday
    week_end: date  # Sunday
    item9: tuple[Item9Entry, ...]  # positive first, then unanswered; each oldest first
    pipeline: SalesPipeline
    measurements: MeasurementOverview
    preview: bool = False  # the week has not ended: shown, never delivered

    @property
    def late_item9_count(self) -> int:
        return sum(1 for e in self.item9 if e.late)


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


# --- practice report -------------------------------------------------------------------

def assemble_practice_report(week: str, inbox_rows: Iterable[Row], timeseries_rows: Iterable[Row],
                             paired_rows: Iterable[Row], clients: Clients, *,
                             safety: Iterable[CarriedFlag] | None = None, preview: bool = False) -> PracticeReport:
    """``safety``: the flags the report carries (``safety.carried_flags``); without it, the
    flags of the week's timeseries rows (a report assembled outside the warehouse)."""
    start, end = week_bounds(week)
    rows = _sorted_rows(timeseries_rows)
    in_week = [r for r in rows if start <= _at(r) < end]
    if safety is None:
        safety = carried_flags(week, flags_from_timeseries(in_week), reported=())
    return PracticeReport(
        week=week, week_start=week_start(week), week_end=week_end(week),
        item9=safety_list(safety, clients),
        pipeline=sales_pipeline(inbox_rows, start, end),
        measurements=measurement_overview(rows, in_week, list(paired_rows), clients, end),
        preview=preview,
    )


def sales_pipeline(inbox_rows: Iterable[Row], start: datetime, end: datetime) -> SalesPipeline:
    rows = list(inbox_rows)
    new = sorted((r for r in rows if r.get("first_inbound_at") and start <= _ts(r, "first_inbound_at") < end),
                 key=lambda r: (_ts(r, "first_inbound_at"), str(r["conversation_key"])))
    responses = [r["first_response_minutes"] for r in new if r.get("first_response_minutes") is not None]
    middle = median(responses) if responses else None
    counts = Counter(str(r["status"]) for r in new)
    awaiting = []
    for r in rows:
        if not r.get("awaiting_reply"):
            continue
        last_inbound = _ts(r, "last_inbound_at") if r.get("last_inbound_at") else None
        if last_inbound is not None and last_inbound >= end:
            continue
        age = int((end - last_inbound).total_seconds() // 60) if last_inbound else None
        awaiting.append(AwaitingReply(
            conversation_key=str(r["conversation_key"]), counterpart_name=r.get("counterpart_name"),
            counterpart_email=r.get("counterpart_email"), subject=r.get("subject"), status=str(r["status"]),
            last_inbound_at=r.get("last_inbound_at"), age_minutes=age,
            age_text=human_duration(age) if age is not None else "unbekannt"))
    awaiting.sort(key=lambda a: (-(a.age_minutes if a.age_minutes is not None else 10**9), a.conversation_key))
    return SalesPipeline(
        new_inquiries=tuple(Conversation(
            conversation_key=str(r["conversation_key"]), counterpart_name=r.get("counterpart_name"),
            counterpart_email=r.get("counterpart_email"), subject=r.get("subject"), status=str(r["status"]),
            first_inbound_at=str(r["first_inbound_at"]), is_known_client=bool(r.get("is_known_client")),
            awaiting_reply=bool(r.get("awaiting_reply")), first_response_minutes=r.get("first_response_minutes"),
            first_response_text=human_duration(r.get("first_response_minutes"))) for r in new),
        awaiting_reply=tuple(awaiting),
        median_first_response_minutes=middle,
        median_first_response_text=human_duration(middle),
        responded=len(responses),
        became_clients=sum(1 for r in new if r.get("is_known_client") is True),
        status_counts=tuple([(s, counts.get(s, 0)) for s in STATUS_ORDER]
                            + sorted((s, n) for s, n in counts.items() if s not in STATUS_ORDER)),
    )


def measurement_overview(rows: list[Row], in_week: list[Row], paired_rows: list[Row], clients: Clients,
                         end: datetime) -> MeasurementOverview:
    measured = sorted({str(r["client_id"]) for r in in_week})
    upto_end = [r for r in rows if _at(r) < end]
    change = [_instrument_counts(inst, measured, upto_end) for inst in instrument_order()]
    change.append(_combined_counts(measured, paired_rows))
    irregular = [IrregularResponse(
        client_id=str(r["client_id"]), client_name=client_name(clients, r["client_id"]),
        instrument=str(r["instrument"]), measured_at=str(r["measured_at"]), response_id=str(r["response_id"]),
        valid=bool(r["valid"]), prorated=bool(r.get("prorated")), n_missing=r.get("n_missing"),
        invalid_items=invalid_items(r))
        for r in in_week if not r["valid"] or r.get("prorated")]
    return MeasurementOverview(
        clients_measured=tuple(sorted((ClientRef(c, client_name(clients, c)) for c in measured),
                                      key=lambda c: (c.name.casefold(), c.client_id))),
        responses=len({(str(r["client_id"]), str(r["response_id"])) for r in in_week}),
        scores=len(in_week),
        change=tuple(change),
        irregular=tuple(irregular),
    )


def _instrument_counts(instrument: str, measured: list[str], rows: list[Row]) -> ChangeCounts:
    tally: Counter[str] = Counter()
    for client in measured:
        own = [r for r in rows if r["client_id"] == client and r["instrument"] == instrument]
        if not own:
            continue
        tally["clients"] += 1
        valid = [r for r in own if r["valid"]]
        if not valid:
            tally["no_valid_score"] += 1
            continue
        latest = valid[-1]
        if latest.get("is_baseline") or len(valid) == 1:
            tally["baseline_only"] += 1
            continue
        tally[_category(latest.get("reliable_change"), (IMPROVEMENT, NO_CHANGE, DETERIORATION))] += 1
        tally["recovery_eligible"] += latest.get("recovery_eligible") is True
        tally["recovery"] += latest.get("recovery") is True
        tally["reliable_recovery"] += latest.get("reliable_recovery") is True
    return _counts(instrument, tally)


def _combined_counts(measured: list[str], paired_rows: list[Row]) -> ChangeCounts:
    by_client = {str(r["client_id"]): r for r in paired_rows}
    tally: Counter[str] = Counter()
    for client in measured:
        tally["clients"] += 1
        row = by_client.get(client)
        if row is None:
            tally["no_valid_score"] += 1  # no response with both scores valid
            continue
        classification = row.get("classification")
        if classification is None:
            tally["baseline_only"] += 1
            continue
        tally[_category(classification, (IMPROVEMENT, NO_CHANGE, DETERIORATION, MIXED))] += 1
        tally["recovery_eligible"] += row.get("baseline_caseness") is True
        tally["recovery"] += row.get("recovery") is True
        tally["reliable_recovery"] += row.get("reliable_recovery") is True
    return _counts(COMBINED, tally)


def _category(value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"change category is not one of {list(allowed)}")
    return {IMPROVEMENT: "improvement", NO_CHANGE: "no_change", DETERIORATION: "deterioration",
            MIXED: "mixed"}[value]


def _counts(instrument: str, tally: Counter[str]) -> ChangeCounts:
    return ChangeCounts(instrument=instrument, clients=tally["clients"], improvement=tally["improvement"],
                        no_change=tally["no_change"], deterioration=tally["deterioration"], mixed=tally["mixed"],
                        baseline_only=tally["baseline_only"], no_valid_score=tally["no_valid_score"],
                        recovery_eligible=tally["recovery_eligible"], recovery=tally["recovery"],
                        reliable_recovery=tally["reliable_recovery"])


# --- client reports --------------------------------------------------------------------

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
        points = {inst: [(str(r["measured_at"]), r.get("total") if r["valid"] else None)
                         for r in own if r["instrument"] == inst] for inst in paired_order()}
        reports.append(ClientReport(
            week=week, week_start=week_start(week), week_end=week_end(week), client_id=client, name=name,
            chart_svg=trend_chart_svg(points, width=640, height=400, title=f"Verlauf: {name}"),
            item9=safety_list(carried_flags(week, flags_from_timeseries(r for r in own if start <= _at(r)), ()),
                              clients),
            scores=tuple(_score_row(r, start) for r in own),
            courses=tuple(_course(inst, [r for r in own if r["instrument"] == inst])
                          for inst in instrument_order() if any(r["instrument"] == inst for r in own)),
        ))
    return sorted(reports, key=lambda c: (c.name.casefold(), c.client_id))


def _score_row(r: Row, start: datetime) -> ScoreRow:
    return ScoreRow(
        measured_at=str(r["measured_at"]), instrument=str(r["instrument"]), total=r.get("total"),
        severity=r.get("severity"), valid=bool(r["valid"]), prorated=bool(r.get("prorated")),
        n_missing=r.get("n_missing"), invalid_items=invalid_items(r), is_baseline=bool(r.get("is_baseline")),
        change=r.get("change"),
        reliable_change=None if r.get("is_baseline") else r.get("reliable_change"),
        item9=item9_answer(r) if raises_safety_flags(str(r["instrument"])) else None, in_week=_at(r) >= start)


def _course(instrument: str, rows: list[Row]) -> InstrumentCourse:
    valid = [r for r in rows if r["valid"]]
    base = next((r for r in valid if r.get("is_baseline")), valid[0] if valid else None)
    latest = valid[-1] if valid else None
    only_baseline = latest is None or latest is base

    def field(name: str) -> Any:
        return None if latest is None or only_baseline else latest.get(name)

    return InstrumentCourse(
        instrument=instrument, n_scores=len(rows), n_valid=len(valid),
        baseline_at=base["measured_at"] if base else None, baseline_total=base.get("total") if base else None,
        latest_at=latest["measured_at"] if latest else None, latest_total=latest.get("total") if latest else None,
        change=field("change"), reliable_change=field("reliable_change"),
        baseline_caseness=(latest.get("baseline_caseness") if latest else None),
        followup_caseness=field("followup_caseness"), recovery_eligible=field("recovery_eligible"),
        recovery=field("recovery"), reliable_recovery=field("reliable_recovery"),
        reliable_change_threshold=latest.get("reliable_change_threshold") if latest else None,
        caseness_threshold=latest.get("caseness_threshold") if latest else None,
        threshold_source=latest.get("threshold_source") if latest else None,
    )


# --- helpers ---------------------------------------------------------------------------

def _sorted_rows(rows: Iterable[Row]) -> list[Row]:
    order = {inst: i for i, inst in enumerate(instrument_order())}
    return sorted(rows, key=lambda r: (_at(r), str(r["client_id"]), order.get(str(r["instrument"]), 99),
                                       str(r["instrument"]), str(r["response_id"])))


def _at(row: Row) -> datetime:
    return _ts(row, "measured_at")


def _ts(row: Row, field: str) -> datetime:
    return parse_timestamp(row[field], field)
