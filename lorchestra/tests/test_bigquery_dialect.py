"""The dialect gate (``bigquery_dialect``), without the emulator: it catches each known trap
in statements the backend really sent before issue 15, accepts their corrected forms, and
passes every golden statement shape (``golden/bigquery_statements/``) with the parameter
types it was sent with."""

from __future__ import annotations

import pytest

from bigquery_capture import parse_golden, read_golden
from bigquery_dialect import Statement, check

DATASET = "`lorc-test-project.statements_83a166bd"

# Sent by read_objects(keys=[]) during the incremental inbox build (main at c224684): an
# empty key list typed ARRAY<INT64>, compared with the STRING idem_key.
OLD_READ_OBJECTS = Statement(
    f"SELECT idem_key, TO_JSON_STRING(payload) AS payload FROM {DATASET}.canonical_objects` "
    "WHERE object_type = @t AND idem_key IN UNNEST(@keys) ORDER BY idem_key",
    {"t": "STRING", "keys": "ARRAY<INT64>"},
)
# Sent by upsert_canonical (main at c224684): PARSE_JSON in its default exact mode.
OLD_CANONICAL_MERGE = Statement(
    f"""MERGE {DATASET}.canonical_objects` T USING {DATASET}._stage_0f3c2a9e5b7d41c8a6e2f1d3b5c7a9e1` S ON T.idem_key = S.idem_key
                WHEN MATCHED AND (T.payload_hash != S.payload_hash OR T.source_payload_hash != S.source_payload_hash OR T.transform_ref != S.transform_ref OR T.schema_ref != S.schema_ref) THEN UPDATE SET schema_ref = S.schema_ref,
                    source_idem_key = S.source_idem_key, source_payload_hash = S.source_payload_hash,
                    transform_ref = S.transform_ref, payload = PARSE_JSON(S.payload),
                    payload_hash = S.payload_hash, updated_at = @now, last_seen = @now
                WHEN MATCHED THEN UPDATE SET last_seen = @now
                WHEN NOT MATCHED THEN INSERT (idem_key, object_type, schema_ref, source_idem_key,
                    source_payload_hash, transform_ref, payload, payload_hash, created_at, updated_at,
                    last_seen)
                  VALUES (S.idem_key, S.object_type, S.schema_ref, S.source_idem_key,
                    S.source_payload_hash, S.transform_ref, PARSE_JSON(S.payload), S.payload_hash,
                    @now, @now, @now)""",
    {"now": "TIMESTAMP"},
)
# The raw batch's script as main's inline_params writes it (sql.literal escapes quotes and
# backslashes, not newlines) for a schema_ref that holds a line break: the literal spans lines.
OLD_RAW_SCRIPT = Statement(
    f"""BEGIN TRANSACTION;
MERGE {DATASET}.raw_objects` T USING (SELECT * FROM {DATASET}._stage_5e0b8c1d2f3a4e6b9c7d8e0f1a2b3c4d` WHERE ord NOT IN UNNEST(ARRAY<INT64>[])) S ON T.idem_key = S.idem_key
                WHEN MATCHED AND T.payload_hash != S.payload_hash THEN UPDATE SET
                    payload = PARSE_JSON(S.payload, wide_number_mode => 'round'), payload_hash = S.payload_hash,
                    schema_ref = 'iglu:com.google/gmail_message/jsonschema/1-0-0
', last_seen = TIMESTAMP '2026-12-01T03:20:11.503012+00:00'
                WHEN MATCHED THEN UPDATE SET last_seen = TIMESTAMP '2026-12-01T03:20:11.503012+00:00'
                WHEN NOT MATCHED THEN INSERT (idem_key, source_system, connection_name, object_type,
                    schema_ref, external_id, payload, payload_hash, first_seen, last_seen)
                  VALUES (S.idem_key, 'gmail', 'gmail-praxis', 'email', 'iglu:com.google/gmail_message/jsonschema/1-0-0
', S.external_id,
                    PARSE_JSON(S.payload, wide_number_mode => 'round'), S.payload_hash, TIMESTAMP '2026-12-01T03:20:11.503012+00:00', TIMESTAMP '2026-12-01T03:20:11.503012+00:00');
COMMIT TRANSACTION;""",
    {},
)


def rules(statement: Statement) -> list[str]:
    return sorted(f.rule for f in check(statement))


def test_each_trap_of_the_old_statements_is_caught_and_only_it() -> None:
    assert rules(OLD_READ_OBJECTS) == ["array_element_type"]
    assert rules(OLD_CANONICAL_MERGE) == ["parse_json_exact", "parse_json_exact"]
    assert rules(OLD_RAW_SCRIPT) == ["newline_in_literal", "newline_in_literal"]


def test_the_corrected_forms_pass() -> None:
    assert rules(Statement(OLD_READ_OBJECTS.sql, {"t": "STRING", "keys": "ARRAY<STRING>"})) == []
    fixed = OLD_CANONICAL_MERGE.sql.replace(
        "PARSE_JSON(S.payload)", "PARSE_JSON(S.payload, wide_number_mode => 'round')"
    )
    assert rules(Statement(fixed, OLD_CANONICAL_MERGE.params)) == []
    assert rules(Statement(OLD_RAW_SCRIPT.sql.replace("1-0-0\n'", "1-0-0\\n'"))) == []  # an escaped newline is fine
    assert rules(Statement("SELECT '''two\nlines''' AS x")) == []  # a triple-quoted literal may span lines


@pytest.mark.parametrize(
    ("sql", "rule"),
    [
        ("SELECT list_value(1, 2) AS x", "unknown_function"),  # DuckDB's, not BigQuery's
        ("SELECT epoch_ms(1) AS x", "unknown_function"),
        ("SELECT idem_key FROM `p.d.raw_objects` WHERE", "parse_error"),
        ("SELECT 1 FROM `p.d.raw_objects` s WHERE s.idem_key IN UNNEST([1, 2])", "array_element_type"),  # inlined
        ("DELETE FROM `p.d.rejects` WHERE input_idem_key IN UNNEST(ARRAY<INT64>[])", "array_element_type"),
    ],
)
def test_other_statements_the_service_refuses(sql: str, rule: str) -> None:
    assert rule in rules(Statement(sql))


def test_a_real_bigquery_function_sqlglot_does_not_model_is_allowed() -> None:
    assert rules(Statement("SELECT ERROR('stop')")) == []


def test_every_golden_statement_passes_the_gate_with_each_parameter_signature() -> None:
    golden = read_golden()
    assert len(golden) > 20  # the golden files are there
    findings = []
    for name, text in golden.items():
        sql, signatures = parse_golden(text)
        for params in signatures:
            findings += [(name, f.rule, f.detail) for f in check(Statement(sql, params))]
    assert findings == []
