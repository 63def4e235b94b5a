-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: lane extract_contacts; lane extract_email; lane extract_forms; store.ingest_raw_file
-- parameters: @bad ARRAY<INT64>
SELECT COUNTIF(t.idem_key IS NULL) AS inserted, COUNTIF(t.payload_hash != s.payload_hash) AS updated, COUNTIF(t.payload_hash = s.payload_hash) AS unchanged FROM `{project}.{dataset}._stage_{uuid}` s LEFT JOIN `{project}.{dataset}.raw_objects` t ON t.idem_key = s.idem_key WHERE s.ord NOT IN UNNEST(@bad)
