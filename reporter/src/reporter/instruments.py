"""What the reports need to know about PHQ-9 and GAD-7: score range, severity bands,
NHS Talking Therapies thresholds, and the German labels.

The authoritative definitions are final_form's instrument files (clinical-rules.md R2,
R5, R11); a test checks that these values agree with them. Reporter does not import
final_form at runtime: the warehouse rows already carry the per-row thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Band:
    low: int
    high: int  # inclusive
    label: str  # final_form's severity value


@dataclass(frozen=True)
class Scale:
    id: str
    name: str
    construct: str  # German, for headings
    max_total: int
    bands: tuple[Band, ...]
    caseness: int
    reliable_change: int


PHQ9 = Scale("phq9", "PHQ-9", "Depressivität", 27,
             (Band(0, 4, "minimal"), Band(5, 9, "mild"), Band(10, 14, "moderate"),
              Band(15, 19, "moderately severe"), Band(20, 27, "severe")),
             caseness=10, reliable_change=6)
GAD7 = Scale("gad7", "GAD-7", "Ängstlichkeit", 21,
             (Band(0, 4, "minimal"), Band(5, 9, "mild"), Band(10, 14, "moderate"), Band(15, 21, "severe")),
             caseness=8, reliable_change=4)
SCALES: dict[str, Scale] = {"phq9": PHQ9, "gad7": GAD7}
INSTRUMENT_ORDER = ("phq9", "gad7")

SEVERITY_DE = {
    "minimal": "minimal",
    "mild": "leicht",
    "moderate": "mittelgradig",
    "moderately severe": "ausgeprägt",
    "severe": "schwer",
}
CHANGE_DE = {
    "reliable improvement": "reliable Verbesserung",
    "no reliable change": "keine reliable Veränderung",
    "reliable deterioration": "reliable Verschlechterung",
    "mixed": "gemischt (eine Skala besser, eine schlechter)",
}


def instrument_name(instrument: str) -> str:
    scale = SCALES.get(instrument)
    return scale.name if scale else instrument
