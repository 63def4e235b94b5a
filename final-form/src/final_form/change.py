"""Change between two totals: NHS Talking Therapies reliable change, caseness, recovery.

R11-R12 for one measure; R13 for PHQ-9 and GAD-7 together (the mixed case, one measure
reliably better and the other reliably worse, is reported as such, A3).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from final_form.definitions import Instrument, load_instrument

IMPROVEMENT = "reliable improvement"
NO_CHANGE = "no reliable change"
DETERIORATION = "reliable deterioration"
MIXED = "mixed"


@dataclass(frozen=True)
class ChangeResult:
    instrument: str
    baseline: int
    followup: int
    change: int
    reliable_change: str
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
    phq9: ChangeResult
    gad7: ChangeResult
    baseline_caseness: bool
    recovery_eligible: bool
    recovery: bool
    reliable_improvement: bool
    any_reliable_deterioration: bool
    reliable_recovery: bool
    mixed: bool  # one measure reliably better, the other reliably worse
    classification: str  # reliable improvement | reliable deterioration | no reliable change | mixed

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
        instrument=definition.id, baseline=first, followup=last, change=delta, reliable_change=reliable,
        baseline_caseness=baseline_case, followup_caseness=followup_case, recovery_eligible=baseline_case,
        recovery=recovery, reliable_recovery=recovery and reliable == IMPROVEMENT,
        reliable_change_threshold=definition.reliable_change, caseness_threshold=definition.caseness,
        threshold_source=definition.threshold_source,
    )


def classify_change_paired(*, phq9: tuple[int, int], gad7: tuple[int, int]) -> PairedChangeResult:
    depression = classify_change("phq9", *phq9)
    anxiety = classify_change("gad7", *gad7)
    measures = (depression, anxiety)
    better = any(m.reliable_change == IMPROVEMENT for m in measures)
    worse = any(m.reliable_change == DETERIORATION for m in measures)
    baseline_case = depression.baseline_caseness or anxiety.baseline_caseness
    recovery = baseline_case and not depression.followup_caseness and not anxiety.followup_caseness
    improvement = better and not worse
    mixed = better and worse
    if mixed:
        classification = MIXED
    elif improvement:
        classification = IMPROVEMENT
    elif worse:
        classification = DETERIORATION
    else:
        classification = NO_CHANGE
    return PairedChangeResult(
        phq9=depression, gad7=anxiety, baseline_caseness=baseline_case, recovery_eligible=baseline_case,
        recovery=recovery, reliable_improvement=improvement, any_reliable_deterioration=worse,
        reliable_recovery=recovery and improvement, mixed=mixed, classification=classification,
    )
