"""Every TypedDict of ``shared_schemas.types`` has its schema's keys and required keys,
and every Literal its schema's enum: the types cannot drift from the schemas."""

from __future__ import annotations

from typing import Any, get_args, is_typeddict

import pytest

from shared_schemas import load_schema
from shared_schemas import types as t
from shared_schemas.instruments import all_instruments

TYPED_DICTS = {
    t.Email: "iglu:org.canonical/email/jsonschema/1-0-0",
    t.Contact: "iglu:org.canonical/contact/jsonschema/1-0-0",
    t.ClinicalSession: "iglu:org.canonical/clinical_session/jsonschema/1-0-0",
    t.QuestionnaireResponse: "iglu:org.canonical/questionnaire_response/jsonschema/1-0-1",
    t.Measurement: "iglu:org.canonical/measurement/jsonschema/1-0-0",
    t.SafetyFlag: "iglu:org.canonical/safety_flag/jsonschema/1-0-0",
    t.TimeseriesRow: "iglu:org.lorchestra/measurement_timeseries/jsonschema/1-0-0",
    t.PairedRow: "iglu:org.lorchestra/measurement_paired/jsonschema/1-0-0",
    t.InboxRow: "iglu:org.lorchestra/inbox_view/jsonschema/1-0-0",
}
# (Literal, schema, path to the enum inside it)
LITERALS: list[tuple[Any, str, tuple[str, ...]]] = [
    (
        t.ReliableChange,
        "iglu:org.lorchestra/measurement_timeseries/jsonschema/1-0-0",
        ("properties", "reliable_change"),
    ),
    (
        t.PairedClassification,
        "iglu:org.lorchestra/measurement_paired/jsonschema/1-0-0",
        ("properties", "classification"),
    ),
    (t.InboxStatus, "iglu:org.lorchestra/inbox_view/jsonschema/1-0-0", ("properties", "status")),
    (t.SafetyFlagName, "iglu:org.canonical/safety_flag/jsonschema/1-0-0", ("properties", "flag")),
    (t.Item9State, "iglu:org.lorchestra/item9_state/jsonschema/1-0-0", ()),
    (t.EmailDirection, "iglu:org.canonical/email/jsonschema/1-0-0", ("properties", "direction")),
    (t.SentAtSource, "iglu:org.canonical/email/jsonschema/1-0-0", ("properties", "sent_at_source")),
]


@pytest.mark.parametrize(("typed", "uri"), TYPED_DICTS.items(), ids=lambda v: getattr(v, "__name__", v))
def test_each_typed_dict_has_its_schemas_properties_and_required_keys(typed: Any, uri: str) -> None:
    assert is_typeddict(typed)
    schema = load_schema(uri)
    assert set(typed.__annotations__) == set(schema["properties"])
    assert set(typed.__required_keys__) == set(schema["required"])


@pytest.mark.parametrize(("literal", "uri", "path"), LITERALS, ids=lambda v: str(v)[:40])
def test_each_literal_is_its_schemas_enum(literal: Any, uri: str, path: tuple[str, ...]) -> None:
    node = load_schema(uri)
    for key in path:
        node = node[key]
    assert sorted(get_args(literal)) == sorted(v for v in node["enum"] if v is not None)


def test_the_constants_are_members_of_their_vocabularies() -> None:
    assert {t.RELIABLE_IMPROVEMENT, t.NO_RELIABLE_CHANGE, t.RELIABLE_DETERIORATION} == set(get_args(t.ReliableChange))
    assert set(get_args(t.PairedClassification)) == {*get_args(t.ReliableChange), t.MIXED}


def test_the_severity_labels_are_the_bands_of_the_shipped_instruments() -> None:
    assert set(get_args(t.SeverityLabel)) == {b.label for d in all_instruments() for b in d.bands}
