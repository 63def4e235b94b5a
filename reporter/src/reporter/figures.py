"""The figures of a report week, by stable name: what ``reporting_snapshots`` stores and
the practice report and the console show.

They are read off the week's :class:`PipelineFigures` and :class:`MeasurementOverview`
(``sales_pipeline`` and ``measurement_overview``: the one place their rules live) and the item-9 flags measured in the week, so the
snapshot and a report computed on the fly cannot differ. Each figure is a ``value``
(None: no value, e.g. a median over nothing) and ``n``, how many items it is over.

The plain change figures (``improvement`` ... ``recovery``) are the PHQ-9 + GAD-7 pair
(R13, the NHS Talking Therapies classification); ``<instrument>.<count>`` rows hold every
cell of the report's change table, so the report reads all its numbers from the snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from reporter.instruments import instrument_order
from reporter.measurement_overview import COMBINED, ChangeCounts, MeasurementOverview, measurement_overview
from reporter.safety import SafetyFlag
from reporter.sales_pipeline import PipelineFigures, pipeline_figures
from reporter.weeks import parse_timestamp, week_bounds

# the names the console relies on (common decision 4); never rename one
FIGURES: tuple[str, ...] = (
    "new_inquiries",
    "median_first_response_minutes",
    "awaiting_reply_at_week_end",
    "became_clients",
    "clients_measured",
    "improvement",
    "no_change",
    "deterioration",
    "recovery",
    "item9_flags",
    "invalid_responses",
    "prorated_responses",
)
CHANGE_COUNTS: tuple[str, ...] = (
    "clients",
    "improvement",
    "no_change",
    "deterioration",
    "mixed",
    "baseline_only",
    "no_valid_score",
    "recovery_eligible",
    "recovery",
    "reliable_recovery",
)
DETAIL: tuple[str, ...] = ("responses", "scores")


def change_figure(instrument: str, count: str) -> str:
    """``"phq9.improvement"``: one cell of the report's change table."""
    return f"{instrument}.{count}"


def figure_names() -> tuple[str, ...]:
    """Every figure a snapshot week holds, in a stable order."""
    instruments = (*instrument_order(), COMBINED)
    return FIGURES + DETAIL + tuple(change_figure(i, c) for i in instruments for c in CHANGE_COUNTS)


@dataclass(frozen=True)
class Figure:
    value: float | None
    n: int

    @property
    def whole(self) -> int:
        """A count as the report prints it (0 for no value)."""
        return int(self.value) if self.value is not None else 0


WeekFigures = Mapping[str, Figure]


def week_figures(
    pipeline: PipelineFigures, measurements: MeasurementOverview, flags: Iterable[SafetyFlag]
) -> dict[str, Figure]:
    """The figures of one week; ``flags``: those measured in the week."""
    new = pipeline.new_inquiries
    awaiting = pipeline.awaiting_reply
    change = {c.instrument: c for c in measurements.change}
    pair = change[COMBINED]
    flagged = sum(1 for _ in flags)
    figures = {
        "new_inquiries": _count(new),
        "median_first_response_minutes": Figure(pipeline.median_first_response_minutes, pipeline.responded),
        "awaiting_reply_at_week_end": _count(awaiting),
        "became_clients": Figure(float(pipeline.became_clients), new),
        "clients_measured": Figure(float(len(measurements.clients_measured)), measurements.responses),
        "improvement": Figure(float(pair.improvement), pair.clients),
        "no_change": Figure(float(pair.no_change), pair.clients),
        "deterioration": Figure(float(pair.deterioration), pair.clients),
        "recovery": Figure(float(pair.recovery), pair.recovery_eligible),
        "item9_flags": _count(flagged),
        "invalid_responses": Figure(float(measurements.invalid_count), measurements.scores),
        "prorated_responses": Figure(float(measurements.prorated_count), measurements.scores),
        "responses": _count(measurements.responses),
        "scores": _count(measurements.scores),
    }
    for counts in change.values():
        figures.update(_change_cells(counts))
    return figures


def flags_in(flags: Iterable[SafetyFlag], start: datetime, end: datetime) -> list[SafetyFlag]:
    """The flags measured in ``[start, end)``."""
    return [f for f in flags if start <= parse_timestamp(f.measured_at, "measured_at") < end]


def empty_figures(week: str) -> dict[str, Figure]:
    """The figures of a week without any input."""
    return week_figures(pipeline_figures([], 0), measurement_overview([], [], [], {}, week_bounds(week)[1]), [])


def _change_cells(counts: ChangeCounts) -> dict[str, Figure]:
    return {
        change_figure(counts.instrument, count): Figure(float(getattr(counts, count)), counts.clients)
        for count in CHANGE_COUNTS
    }


def _count(number: int) -> Figure:
    return Figure(float(number), number)
