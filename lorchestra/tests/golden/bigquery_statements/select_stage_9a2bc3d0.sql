-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: lane extract_contacts; lane extract_email; lane extract_forms; store.ingest_raw_file
-- parameters: @connection STRING, @keys ARRAY<STRING>, @object_type STRING, @system STRING
SELECT MIN(T.first_seen) AS low, MAX(T.first_seen) AS high, COUNT(*) AS matched, COUNTIF(T.payload_hash != S.payload_hash) AS changed FROM `{project}.{dataset}._stage_{uuid}` S JOIN `{project}.{dataset}.raw_objects` T ON T.idem_key = S.idem_key WHERE T.source_system = @system AND T.connection_name = @connection AND T.object_type = @object_type AND T.idem_key IN UNNEST(@keys) GROUP BY TIMESTAMP_TRUNC(T.first_seen, MONTH)
