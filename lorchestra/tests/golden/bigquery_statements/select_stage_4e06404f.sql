-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: lane canonicalize_contacts; lane canonicalize_email; lane canonicalize_questionnaires; lane score_gad7; lane score_phq9; store.upsert_canonical
-- parameters: @keys ARRAY<STRING>, @types ARRAY<STRING>
SELECT MIN(T.updated_at) AS low, MAX(T.updated_at) AS high, COUNT(*) AS matched, COUNTIF(T.payload_hash != S.payload_hash OR T.source_payload_hash != S.source_payload_hash OR T.transform_ref != S.transform_ref OR T.schema_ref != S.schema_ref) AS changed FROM `{project}.{dataset}._stage_{uuid}` S JOIN `{project}.{dataset}.canonical_objects` T ON T.idem_key = S.idem_key WHERE T.object_type IN UNNEST(@types) AND T.idem_key IN UNNEST(@keys) GROUP BY TIMESTAMP_TRUNC(T.updated_at, MONTH)
