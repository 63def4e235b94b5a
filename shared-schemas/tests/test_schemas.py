from __future__ import annotations

import json

import pytest

from shared_schemas import (
    SchemaNotFoundError,
    Violation,
    compile_validator,
    list_schemas,
    load_schema,
    parse_iglu,
)

GMAIL = "iglu:com.google/gmail_message/jsonschema/1-0-0"


def test_every_schema_self_block_matches_its_path() -> None:
    uris = list_schemas()
    assert GMAIL in uris and "iglu:org.lorchestra/config/jsonschema/1-0-0" in uris
    for uri in uris:
        ref = parse_iglu(uri)
        self_block = load_schema(uri)["self"]
        assert (self_block["vendor"], self_block["name"], self_block["version"]) == (
            ref.vendor,
            ref.name,
            ref.version,
        ), uri


def test_every_schema_compiles() -> None:
    for uri in list_schemas():
        assert callable(compile_validator(uri))


def test_unknown_and_malformed_uris_say_what_is_wrong() -> None:
    with pytest.raises(SchemaNotFoundError, match="not an Iglu URI"):
        parse_iglu("gmail_message")
    with pytest.raises(SchemaNotFoundError, match="known:"):
        load_schema("iglu:com.google/nope/jsonschema/1-0-0")


def test_violation_names_rule_and_field_but_never_the_value() -> None:
    check = compile_validator(GMAIL)
    secret = "Anna-Mueller-SECRET-VALUE"
    doc = {"id": "m1", "threadId": "t1", "internalDate": secret, "payload": {}}
    violation = check(doc)
    assert violation == Violation(rule="pattern", field="internalDate")
    assert secret not in violation.message()
    assert secret not in json.dumps(violation.__dict__)


def test_missing_required_field_is_named() -> None:
    check = compile_validator(GMAIL)
    violation = check({"id": "m1", "internalDate": "1", "payload": {}})
    assert violation == Violation(rule="required", field="threadId")


def test_nested_violation_has_a_path() -> None:
    check = compile_validator(GMAIL)
    doc = {
        "id": "m1",
        "threadId": "t1",
        "internalDate": "1",
        "payload": {"headers": [{"name": "Subject"}]},
    }
    violation = check(doc)
    assert violation is not None
    assert violation.rule == "required"
    assert violation.field == "payload.headers[0].value"


def test_valid_document_passes() -> None:
    check = compile_validator(GMAIL)
    assert check({"id": "m1", "threadId": "t1", "internalDate": "1715678093000", "payload": {}}) is None


SHEET_ROW = "iglu:com.google/sheets_response/jsonschema/1-0-0"
SESSION = "iglu:com.microsoft/dataverse_session/jsonschema/1-0-1"
RESPONSE = "iglu:org.canonical/questionnaire_response/jsonschema/1-0-1"


def test_a_sheet_row_needs_its_id_and_values_and_may_hold_any_cell_value() -> None:
    check = compile_validator(SHEET_ROW)
    assert (
        check(
            {
                "rowId": "r1",
                "values": {"Zeitstempel": "21.09.2026 18:27:31", "Score": 3, "Liste": ["a"]},
                "locale": "de_DE",
                "timeZone": "Europe/Berlin",
                "emailColumn": None,
            }
        )
        is None
    )
    assert check({"values": {}}) == Violation(rule="required", field="rowId")
    assert check({"rowId": "r1"}) == Violation(rule="required", field="values")
    assert check({"rowId": "", "values": {}}) == Violation(rule="minLength", field="rowId")


def test_a_session_row_of_any_publisher_prefix_is_a_dataverse_session() -> None:
    row = {
        "xyz9_sessionid": "s1",
        "_xyz9_contact_value": "c1",
        "xyz9_sessiondate": "2026-09-14T08:00:00Z",
        "@odata.etag": 'W/"1"',
    }
    assert compile_validator("iglu:com.microsoft/dataverse_session/jsonschema/1-0-0")(row) is not None  # cr7a2_ only
    check = compile_validator(SESSION)
    assert check(row) is None
    assert check({"cr7a2_sessionid": "s1", "_cr7a2_contact_value": None}) is None
    assert check({"xyz9_sessionid": "s1", "_xyz9_contact_value": 7}) == Violation(
        rule="type", field="_xyz9_contact_value"
    )
    assert check({}) is not None


def test_a_questionnaire_response_may_name_its_unbound_items() -> None:
    check = compile_validator(RESPONSE)
    response = {
        "response_id": "sheet:r1",
        "form_id": "F1",
        "form_title": None,
        "respondent_email": None,
        "client_id": None,
        "submitted_at": "2026-09-21T16:27:31Z",
        "created_at": None,
        "instruments": {
            "phq9": {
                "answers": [None] * 9,
                "question_ids": [None] * 9,
                "missing_items": list(range(1, 10)),
                "unbound_items": [9],
            }
        },
        "unmapped_question_ids": ["PHQ-9 [Renamed]"],
    }
    assert check(response) is None
    response["instruments"]["phq9"]["unbound_items"] = [0]
    assert check(response) == Violation(rule="minimum", field="instruments.phq9.unbound_items[0]")
