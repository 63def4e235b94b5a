"""Google Sheet rows to questionnaire_response (issue 13, item 2): bound by question title
like Forms responses, timestamps read in the sheet's locale and time zone, and bad input
(renamed questions, unknown columns, wrong types, unknown locales) named, never dropped."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from canonizer import canonicalize, get_transform
from canonizer.exceptions import TransformError
from canonizer.mail_headers import graph_time_to_utc
from final_form import load_instrument, safety_flags, score
from final_form.jobs import answers_to_score
from sample_taps import practice
from sheet_records import HEADER, practice_sheet_records

SHEET = "questionnaire_response/google_sheets"
FORMS = "questionnaire_response/google_forms"
FOLLOW_UP = "1gKgJF8UxBJUC4S1qcBjDHMwV9bQfk642hzMMwOzU956"


def instruments() -> dict[str, Any]:
    found = {}
    for instrument_id in ("phq9", "gad7"):
        definition = load_instrument(instrument_id)
        difficulty = definition.extra_items[0].text if definition.extra_items else None
        found[instrument_id] = {"items": list(definition.item_texts), "difficulty": difficulty}
    return found


def sheet_bindings(**changes: Any) -> dict[str, Any]:
    return {
        "form_id": FOLLOW_UP,
        "form_title": None,
        "columns": HEADER,
        "instruments": instruments(),
        "id_bindings": {},
        "client_id": None,
        **changes,
    }


def test_every_sheet_row_binds_the_same_answers_as_its_forms_response() -> None:
    """One code path: the 74 rows of the follow-up Sheet give what the Forms API's responses give."""
    form = practice.forms(FOLLOW_UP)[0]
    forms_bindings = {"form": form, "instruments": instruments(), "id_bindings": {}, "client_id": None}
    by_submission = {}
    for response in practice.form_responses(form_id=FOLLOW_UP):
        canonical = canonicalize(response, FORMS, forms_bindings)
        by_submission[(canonical["respondent_email"], canonical["submitted_at"][:19])] = canonical
    rows = practice_sheet_records()
    assert len(rows) == len(by_submission) == 74
    for row in rows:
        from_sheet = canonicalize(row, SHEET, sheet_bindings())
        from_forms = by_submission.pop((from_sheet["respondent_email"], from_sheet["submitted_at"][:19]))
        for instrument_id in ("phq9", "gad7"):
            sheet_items, forms_items = (
                from_sheet["instruments"][instrument_id],
                from_forms["instruments"][instrument_id],
            )
            for key in ("answers", "missing_items", "invalid_items", "unbound_items", "difficulty"):
                assert sheet_items.get(key) == forms_items.get(key), (row["rowId"], instrument_id, key)
        assert from_sheet["unmapped_question_ids"] == from_forms["unmapped_question_ids"] == []
        assert from_sheet["response_id"] == f"sheet:{row['rowId']}" and from_sheet["created_at"] is None
    assert by_submission == {}


def stamped(text: str, locale: str, time_zone: str = "Europe/Berlin") -> dict[str, Any]:
    row = copy.deepcopy(practice_sheet_records()[0])
    row["values"]["Zeitstempel"], row["locale"], row["timeZone"] = text, locale, time_zone
    return row


@pytest.mark.parametrize(
    ("text", "locale", "time_zone", "utc"),
    [
        ("21.09.2026 18:27:31", "de_DE", "Europe/Berlin", "2026-09-21T16:27:31Z"),  # CEST
        ("25.10.2026 17:21:05", "de_DE", "Europe/Berlin", "2026-10-25T16:21:05Z"),  # CET from 03:00 that day
        ("25.10.2026 01:59:59", "de_DE", "Europe/Berlin", "2026-10-24T23:59:59Z"),  # still summer time
        ("25.10.2026 02:30:00", "de_DE", "Europe/Berlin", "2026-10-25T00:30:00Z"),  # twice that night: the first
        ("9/21/2026 18:27:31", "en_US", "America/New_York", "2026-09-21T22:27:31Z"),
        ("9/21/2026 6:27:31 PM", "en_US", "America/New_York", "2026-09-21T22:27:31Z"),
        ("12/1/2026 12:05:00 AM", "en_US", "UTC", "2026-12-01T00:05:00Z"),
        ("21/09/2026 18:27:31", "en_GB", "Europe/London", "2026-09-21T17:27:31Z"),
        ("21/09/2026 18:27:31", "fr_FR", "Europe/Paris", "2026-09-21T16:27:31Z"),
        ("21/9/2026 18:27:31", "es_ES", "Europe/Madrid", "2026-09-21T16:27:31Z"),
        ("21/9/2026 18.27.31", "it_IT", "Europe/Rome", "2026-09-21T16:27:31Z"),
        ("21-9-2026 18:27:31", "nl_NL", "Europe/Amsterdam", "2026-09-21T16:27:31Z"),
        ("2026-09-21 18:27:31", "de_DE", "Europe/Berlin", "2026-09-21T16:27:31Z"),  # ISO in any locale
        ("2026-09-21T18:27:31", "en_US", "UTC", "2026-09-21T18:27:31Z"),
    ],
)
def test_the_timestamp_is_read_in_the_sheets_locale_and_time_zone(
    text: str, locale: str, time_zone: str, utc: str
) -> None:
    assert canonicalize(stamped(text, locale, time_zone), SHEET, sheet_bindings())["submitted_at"] == utc


@pytest.mark.parametrize(
    ("text", "locale", "time_zone", "rule", "field"),
    [
        ("21.09.2026 18:27:31", "xx_XX", "Europe/Berlin", "sheet.unknown_locale", "locale"),
        ("21.09.2026 18:27:31", None, "Europe/Berlin", "sheet.unknown_locale", "locale"),
        ("21.09.2026 18:27:31", "de_DE", "Mars/Olympus", "sheet.unknown_time_zone", "timeZone"),
        ("9/21/2026 18:27:31", "de_DE", "Europe/Berlin", "sheet.timestamp_format", "values.Zeitstempel"),  # month 21
        ("21.09.26 18:27", "de_DE", "Europe/Berlin", "sheet.timestamp_format", "values.Zeitstempel"),
        ("gestern", "de_DE", "Europe/Berlin", "sheet.timestamp_format", "values.Zeitstempel"),
        ("29.03.2026 02:30:00", "de_DE", "Europe/Berlin", "sheet.timestamp_not_in_time_zone", "values.Zeitstempel"),
        ("", "de_DE", "Europe/Berlin", "sheet.timestamp_missing", "values.Zeitstempel"),
    ],
)
def test_a_timestamp_that_cannot_be_read_is_a_reject_naming_the_rule_never_the_value(
    text: str, locale: Any, time_zone: str, rule: str, field: str
) -> None:
    row = stamped(text, locale, time_zone)
    if not text:
        del row["values"]["Zeitstempel"]
    with pytest.raises(TransformError) as caught:
        canonicalize(row, SHEET, sheet_bindings())
    assert (caught.value.rule, caught.value.field) == (rule, field)
    assert text not in str(caught.value) or not text


def phq9_of(row: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return canonicalize(row, SHEET, sheet_bindings(**changes))["instruments"]["phq9"]


ITEM9 = "PHQ-9 [Thoughts that you would be better off dead or of hurting yourself in some way]"


def test_a_renamed_item9_column_is_unbound_scored_as_unanswered_and_flagged() -> None:
    row = copy.deepcopy(practice_sheet_records()[0])
    renamed = "PHQ-9 [Thoughts of being better off dead]"
    row["values"][renamed] = row["values"].pop(ITEM9)
    columns = [renamed if h == ITEM9 else h for h in HEADER]
    canonical = canonicalize(row, SHEET, sheet_bindings(columns=columns))
    phq9 = canonical["instruments"]["phq9"]
    assert (phq9["unbound_items"], phq9["missing_items"], phq9["answers"][8]) == ([9], [9], None)
    assert canonical["unmapped_question_ids"] == [renamed]
    result = score("phq9", answers_to_score(phq9))
    assert (result.item9_answered, result.n_missing, result.prorated) == (False, 1, True)
    assert safety_flags(result) == ("item9_unanswered",)
    # a binding by column title repairs it
    repaired = phq9_of(row, columns=columns, id_bindings={renamed: "phq9.9"})
    assert ("unbound_items" not in repaired, repaired["missing_items"], repaired["answers"][8]) == (
        True,
        [],
        "Several days",
    )


def test_checkbox_cells_are_several_values_and_non_text_cells_are_wrong_type() -> None:
    row = copy.deepcopy(practice_sheet_records()[0])
    row["values"][ITEM9] = "Several days, Nearly every day"
    assert phq9_of(row)["invalid_items"] == [{"item": 9, "rule": "multiple_values"}]
    for value in (3, 1.5, True, ["Several days"], {"v": 1}):
        row["values"][ITEM9] = value
        bound = phq9_of(row)
        assert (bound["invalid_items"], bound["answers"][8], bound["missing_items"]) == (
            [{"item": 9, "rule": "wrong_type"}],
            None,
            [],
        )
    row["values"][ITEM9] = "  "
    assert (phq9_of(row)["missing_items"], phq9_of(row).get("invalid_items")) == ([9], None)


def test_the_form_id_is_the_linked_forms_or_the_sheets_and_the_email_is_cleaned() -> None:
    row = copy.deepcopy(practice_sheet_records()[0])
    row["values"]["E-Mail-Adresse"] = "  Katrin.Vogel@Mailbox.org "
    canonical = canonicalize(row, SHEET, sheet_bindings(form_id=None, form_title=None))
    assert canonical["form_id"] == "sheet:14YotILuQRbJXJpFDQdN6qyIAEXyJGZCy4DfANUnaqiR/Formularantworten 1"
    assert canonical["respondent_email"] == "katrin.vogel@mailbox.org"
    row["emailColumn"] = None
    assert canonicalize(row, SHEET, sheet_bindings())["respondent_email"] is None


def test_forms_responses_with_a_renamed_question_name_the_unbound_item() -> None:
    """The Forms path gains unbound_items in its new version; the old one keeps its output."""
    form = practice.forms(FOLLOW_UP)[0]
    for item in form["items"]:
        for question in (item.get("questionGroupItem") or {}).get("questions") or []:
            if question["questionId"] == "216f8e08":  # PHQ-9 item 9
                question["rowQuestion"]["title"] = "Thoughts of being better off dead"
    response = practice.form_responses(form_id=FOLLOW_UP)[0]
    bindings = {"form": form, "instruments": instruments(), "id_bindings": {}, "client_id": None}
    canonical = canonicalize(response, FORMS, bindings)
    assert get_transform(FORMS).version == "1.2.0"
    assert canonical["instruments"]["phq9"]["unbound_items"] == [9]
    assert canonical["instruments"]["phq9"]["missing_items"] == [9]
    assert canonical["unmapped_question_ids"] == ["216f8e08"]
    assert graph_time_to_utc(response["lastSubmittedTime"]) == canonical["submitted_at"]
    older = canonicalize(response, f"{FORMS}@1.1.0", bindings)
    assert "unbound_items" not in older["instruments"]["phq9"]
