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
