-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: lane score_gad7; lane score_phq9; store.changed_inputs
-- parameters: @consumer STRING, @object_type STRING
SELECT i.idem_key AS key, i.updated_at AS at, CAST(NULL AS STRING) AS system, CAST(NULL AS STRING) AS connection FROM `{project}.{dataset}.canonical_objects` i LEFT JOIN (SELECT input_idem_key, input_payload_hash FROM `{project}.{dataset}.processed_inputs` WHERE consumer = @consumer) p ON p.input_idem_key = i.idem_key WHERE i.object_type = @object_type AND (p.input_idem_key IS NULL OR p.input_payload_hash != i.payload_hash) ORDER BY i.idem_key
