"""The ``measurement`` object a score becomes: one shape for the scorer job and for anything
else that turns scores into measurements (the reporter's example data)."""

from __future__ import annotations

from final_form.scoring import Score
from shared_schemas.types import Measurement


def measurement_payload(
    result: Score, *, response_id: str, client_id: str | None, measured_at: str, difficulty: str | None = None
) -> Measurement:
    """``result`` of the response ``response_id`` (submitted ``measured_at``) as a measurement."""
    return {
        "instrument": result.instrument,
        "instrument_version": result.version,
        "response_id": response_id,
        "client_id": client_id,
        "measured_at": measured_at,
        "total": result.total,
        "severity": result.severity,
        "valid": result.valid,
        "prorated": result.prorated,
        "n_missing": result.n_missing,
        "items": list(result.items),
        "errors": list(result.errors),
        "invalid_items": [i.as_dict() for i in result.invalid_items],
        "item9_positive": result.item9_positive,
        "item9_answered": result.item9_answered,
        "difficulty": difficulty,
    }
