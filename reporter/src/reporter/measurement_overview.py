"""The measurement overview of a practice report: who was measured in the week, change
counts per instrument and for the R13 pair (as of the week's end), irregular scores."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reporter.clients import Clients, client_name
from reporter.instruments import instrument_order
from reporter.invalid_items import InvalidItem, invalid_items
from reporter.rows import Row
from reporter.rows import measured_at as _at
from shared_schemas.types import MIXED
from shared_schemas.types import NO_RELIABLE_CHANGE as NO_CHANGE
from shared_schemas.types import RELIABLE_DETERIORATION as DETERIORATION
from shared_schemas.types import RELIABLE_IMPROVEMENT as IMPROVEMENT

COMBINED = "combined"


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


def measurement_overview(
    rows: list[Row], in_week: list[Row], paired_rows: list[Row], clients: Clients, end: datetime
) -> MeasurementOverview:
    measured = sorted({str(r["client_id"]) for r in in_week})
    upto_end: dict[str, list[Row]] = {c: [] for c in measured}  # of the measured clients, in time order
    for r in rows:
        own = upto_end.get(r["client_id"])
        if own is not None and _at(r) < end:
            own.append(r)
    change = [_instrument_counts(inst, upto_end) for inst in instrument_order()]
    change.append(_combined_counts(measured, paired_rows))
    irregular = [
        IrregularResponse(
            client_id=str(r["client_id"]),
            client_name=client_name(clients, r["client_id"]),
            instrument=str(r["instrument"]),
            measured_at=str(r["measured_at"]),
            response_id=str(r["response_id"]),
            valid=bool(r["valid"]),
            prorated=bool(r.get("prorated")),
            n_missing=r.get("n_missing"),
            invalid_items=invalid_items(r),
        )
        for r in in_week
        if not r["valid"] or r.get("prorated")
    ]
    return MeasurementOverview(
        clients_measured=tuple(
            sorted(
                (ClientRef(c, client_name(clients, c)) for c in measured),
                key=lambda c: (c.name.casefold(), c.client_id),
            )
        ),
        responses=len({(str(r["client_id"]), str(r["response_id"])) for r in in_week}),
        scores=len(in_week),
        change=tuple(change),
        irregular=tuple(irregular),
    )


def _instrument_counts(instrument: str, rows_of: dict[str, list[Row]]) -> ChangeCounts:
    tally: Counter[str] = Counter()
    for rows in rows_of.values():
        own = [r for r in rows if r["instrument"] == instrument]
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
    return {IMPROVEMENT: "improvement", NO_CHANGE: "no_change", DETERIORATION: "deterioration", MIXED: "mixed"}[value]


def _counts(instrument: str, tally: Counter[str]) -> ChangeCounts:
    return ChangeCounts(
        instrument=instrument,
        clients=tally["clients"],
        improvement=tally["improvement"],
        no_change=tally["no_change"],
        deterioration=tally["deterioration"],
        mixed=tally["mixed"],
        baseline_only=tally["baseline_only"],
        no_valid_score=tally["no_valid_score"],
        recovery_eligible=tally["recovery_eligible"],
        recovery=tally["recovery"],
        reliable_recovery=tally["reliable_recovery"],
    )
