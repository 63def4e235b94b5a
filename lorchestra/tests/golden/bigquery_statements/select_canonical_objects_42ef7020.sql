-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: lane score_gad7; lane score_phq9; store.changed_inputs
-- parameters: @keys ARRAY<STRING>, @object_type STRING
SELECT i.idem_key, i.object_type, i.payload_hash, TO_JSON_STRING(i.payload) AS payload, CAST(NULL AS STRING) AS source_system, CAST(NULL AS STRING) AS connection_name, i.schema_ref FROM `{project}.{dataset}.canonical_objects` i WHERE i.object_type = @object_type AND i.idem_key IN UNNEST(@keys) AND i.updated_at BETWEEN TIMESTAMP '?' AND TIMESTAMP '?' ORDER BY i.idem_key
