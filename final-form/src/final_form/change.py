"""Change between two totals: NHS Talking Therapies reliable change, caseness, recovery.

R11-R12 for one measure, with the thresholds of its definition; R13 for the instruments
whose definitions pair them (one per role: depression, anxiety). The mixed case, one
measure reliably better and the other reliably worse, is reported as such (A3).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from final_form.definitions import Instrument, load_instrument, paired_instruments
from shared_schemas.types import MIXED, PairedClassification, ReliableChange
from shared_schemas.types import NO_RELIABLE_CHANGE as NO_CHANGE
from shared_schemas.types import RELIABLE_DETERIORATION as DETERIORATION
from shared_schemas.types import RELIABLE_IMPROVEMENT as IMPROVEMENT


@dataclass(frozen=True)
class ChangeResult:
    instrument: str
    baseline: int
    followup: int
    change: int
    reliable_change: ReliableChange
    baseline_caseness: bool
    followup_caseness: bool
    recovery_eligible: bool
    recovery: bool
    reliable_recovery: bool
    reliable_change_threshold: int
    caseness_threshold: int
    threshold_source: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PairedChangeResult:
    measures: tuple[ChangeResult, ...]  # one per R13 role, in role order (depression, anxiety)
    baseline_caseness: bool
    recovery_eligible: bool
    recovery: bool
    reliable_improvement: bool
    any_reliable_deterioration: bool
    reliable_recovery: bool
    mixed: bool  # one measure reliably better, the other reliably worse
    classification: PairedClassification

    def measure(self, instrument: str) -> ChangeResult:
        return next(m for m in self.measures if m.instrument == instrument)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _total(value: Any, name: str, definition: Instrument) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= definition.max_total:
        raise ValueError(f"{name} must be a valid {definition.id} total (0-{definition.max_total})")
    return value


def classify_change(instrument: str | Instrument, baseline: int, followup: int) -> ChangeResult:
    definition = instrument if isinstance(instrument, Instrument) else load_instrument(instrument)
    first, last = _total(baseline, "baseline", definition), _total(followup, "followup", definition)
    delta = last - first
    reliable: ReliableChange
    if -delta >= definition.reliable_change:
        reliable = IMPROVEMENT
    elif delta >= definition.reliable_change:
        reliable = DETERIORATION
    else:
        reliable = NO_CHANGE
    baseline_case = first >= definition.caseness
    followup_case = last >= definition.caseness
    recovery = baseline_case and not followup_case
    return ChangeResult(
        instrument=definition.id,
        baseline=first,
        followup=last,
        change=delta,
        reliable_change=reliable,
        baseline_caseness=baseline_case,
        followup_caseness=followup_case,
        recovery_eligible=baseline_case,
        recovery=recovery,
        reliable_recovery=recovery and reliable == IMPROVEMENT,
        reliable_change_threshold=definition.reliable_change,
        caseness_threshold=definition.caseness,
        threshold_source=definition.threshold_source,
    )


def classify_change_paired(**totals: tuple[int, int]) -> PairedChangeResult:
    """R13 on ``(baseline, followup)`` per paired instrument id, e.g. ``phq9=(16, 8), gad7=(11, 12)``."""
    pair = paired_instruments()
    expected = sorted(d.id for d in pair)
    if sorted(totals) != expected:
        raise ValueError(f"R13 pairs {', '.join(expected)}: give (baseline, followup) for each, by id")
    measures = tuple(classify_change(d, *totals[d.id]) for d in pair)
    better = any(m.reliable_change == IMPROVEMENT for m in measures)
    worse = any(m.reliable_change == DETERIORATION for m in measures)
    baseline_case = any(m.baseline_caseness for m in measures)
    recovery = baseline_case and not any(m.followup_caseness for m in measures)
    improvement = better and not worse
    mixed = better and worse
    classification: PairedClassification
    if mixed:
        classification = MIXED
    elif improvement:
        classification = IMPROVEMENT
    elif worse:
        classification = DETERIORATION
    else:
        classification = NO_CHANGE
    return PairedChangeResult(
        measures=measures,
        baseline_caseness=baseline_case,
        recovery_eligible=baseline_case,
        recovery=recovery,
        reliable_improvement=improvement,
        any_reliable_deterioration=worse,
        reliable_recovery=recovery and improvement,
        mixed=mixed,
        classification=classification,
    )
