-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: lane build_inbox_view; lane build_measurement_timeseries; lane build_reporting_snapshots; store.forget_processed
-- parameters: @consumer STRING, @keys ARRAY<STRING>
SELECT i.input_idem_key AS key, i.processed_at AS at, CAST(NULL AS STRING) AS system, CAST(NULL AS STRING) AS connection FROM `{project}.{dataset}.processed_inputs` i WHERE i.consumer = @consumer AND i.input_idem_key IN UNNEST(@keys) ORDER BY i.input_idem_key
