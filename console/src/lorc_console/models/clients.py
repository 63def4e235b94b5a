"""The Clients page and a client's page: the latest PHQ-9/GAD-7 of every client with its
severity and NHS Talking Therapies classification (``measurement_timeseries`` and
``measurement_paired`` rows), and one client's course as the progress report shows it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from reporter.client_report import ClientReport, assemble_client_reports
from reporter.clients import Clients
from reporter.instruments import paired_order
from reporter.rows import Row, sorted_rows
from reporter.rows import measured_at as _at
from reporter.weeks import week_of


@dataclass(frozen=True)
class Latest:
    """A client's latest valid score of one instrument."""

    instrument: str
    measured_at: datetime
    total: int | None
    severity: str | None
    reliable_change: str | None  # against the first valid score; None while there is only that
    n_scores: int  # every score of the instrument, valid or not


@dataclass(frozen=True)
class ClientSummary:
    client_id: str
    name: str | None  # None: no contact, or one without a name
    latest: tuple[Latest | None, ...]  # one per paired_order() instrument
    classification: str | None  # measurement_paired (R13): the pair's classification
    recovery: bool | None
    last_measured_at: datetime


def client_summaries(
    timeseries_rows: Iterable[Row], paired_rows: Iterable[Row], clients: Clients
) -> tuple[ClientSummary, ...]:
    """One summary per client with a score, by name (unnamed last), then id."""
    by_client: dict[str, list[Row]] = {}
    for r in sorted_rows(timeseries_rows):
        by_client.setdefault(str(r["client_id"]), []).append(r)
    paired = {str(r["client_id"]): r for r in paired_rows}
    summaries = []
    for client_id, own in by_client.items():
        pair = paired.get(client_id)
        entry = clients.get(client_id)
        summaries.append(
            ClientSummary(
                client_id=client_id,
                name=(entry.get("name") or None) if entry else None,
                latest=tuple(_latest(inst, [r for r in own if r["instrument"] == inst]) for inst in paired_order()),
                classification=pair.get("classification") if pair else None,
                recovery=pair.get("recovery") if pair else None,
                last_measured_at=_at(own[-1]),
            )
        )
    return tuple(sorted(summaries, key=lambda s: (s.name is None, (s.name or "").casefold(), s.client_id)))


def client_report(client_id: str, timeseries_rows: Iterable[Row], clients: Clients) -> ClientReport | None:
    """The client's progress report as of the week of their latest score (every score up to
    then, the chart, the change table); None for a client with no score."""
    own = [r for r in timeseries_rows if str(r["client_id"]) == client_id]
    if not own:
        return None
    week = week_of(max(_at(r) for r in own).date())
    (report,) = assemble_client_reports(week, own, clients)
    return report


def _latest(instrument: str, rows: list[Row]) -> Latest | None:
    valid = [r for r in rows if r.get("valid")]
    if not valid:
        return None
    last = valid[-1]
    return Latest(
        instrument=instrument,
        measured_at=_at(last),
        total=last.get("total"),
        severity=last.get("severity"),
        reliable_change=None if last.get("is_baseline") else last.get("reliable_change"),
        n_scores=len(rows),
    )
