"""final-form: questionnaire instruments as data, scoring and change metrics.

A pure core; other tools call exactly these::

    score("phq9", answers)                       # -> Score (answers: int, text, None, InvalidAnswer)
    classify_change("gad7", baseline, followup)  # -> ChangeResult
    classify_change_paired(phq9=(b, f), gad7=(b, f))   # the instruments whose definitions pair for R13
    safety_flags(score)                          # -> ("item9_positive",) ...
    measurement_payload(score, response_id=..., client_id=..., measured_at=...)  # -> the measurement object

The rules are those of clinical-rules.md §0 (R1-R13); the instruments are data, defined
in ``shared_schemas.instruments`` (items, bands, thresholds, flags, pairing).
"""

from final_form.answers import InvalidAnswer
from final_form.change import (
    ChangeResult,
    PairedChangeResult,
    classify_change,
    classify_change_paired,
)
from final_form.definitions import (
    Instrument,
    InvalidDefinitionError,
    UnknownInstrumentError,
    list_instruments,
    load_instrument,
)
from final_form.measurement import measurement_payload
from final_form.safety import (
    ITEM9_INVALID,
    ITEM9_POSITIVE,
    ITEM9_UNANSWERED,
    safety_flags,
)
from final_form.scoring import InvalidItem, Score, score

__all__ = [
    "ITEM9_INVALID",
    "ITEM9_POSITIVE",
    "ITEM9_UNANSWERED",
    "ChangeResult",
    "Instrument",
    "InvalidAnswer",
    "InvalidDefinitionError",
    "InvalidItem",
    "PairedChangeResult",
    "Score",
    "UnknownInstrumentError",
    "classify_change",
    "classify_change_paired",
    "list_instruments",
    "load_instrument",
    "measurement_payload",
    "safety_flags",
    "score",
]
