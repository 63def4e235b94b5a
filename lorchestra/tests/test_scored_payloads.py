"""What the scoring jobs write is what the canonical schemas describe: every measurement
and safety_flag payload validates against its schema (``schema_ref``)."""

from __future__ import annotations

import json

from final_form.definitions import load_instrument
from final_form.jobs import _scorer
from lorchestra.stack_clients import InputRow
from shared_schemas import compile_validator


def response(answers: dict[str, list[object]]) -> InputRow:
    payload = {
        "response_id": "resp-1",
        "form_id": "form-1",
        "form_title": None,
        "respondent_email": "r@example.org",
        "client_id": "c-1",
        "submitted_at": "2026-11-10T08:00:00Z",
        "created_at": None,
        "instruments": {
            i: {"answers": a, "invalid_items": [{"item": 9, "rule": "wrong_type"}] if i == "phq9" else []}
            for i, a in answers.items()
        },
        "unmapped_question_ids": [],
    }
    return InputRow(
        idem_key="qr-1", object_type="questionnaire_response", payload_hash="h", payload_text=json.dumps(payload)
    )


def test_measurements_and_safety_flags_validate_against_their_schemas() -> None:
    item = response({"phq9": [1, 1, 2, 0, 1, 0, 0, 1, "x"], "gad7": [1, 1, 1, 1, 1, 1, 1]})
    rows = [
        r for instrument in ("phq9", "gad7") for r in _scorer(load_instrument(instrument), f"test.{instrument}")(item)
    ]
    assert sorted(r.object_type for r in rows) == ["measurement", "measurement", "safety_flag"]
    for row in rows:
        assert compile_validator(str(row.schema_ref))(row.payload) is None, row.idem_key
    [flag] = [r.payload for r in rows if r.object_type == "safety_flag"]
    assert (flag["flag"], flag["instrument"], flag["response_id"]) == ("item9_invalid", "phq9", "resp-1")
