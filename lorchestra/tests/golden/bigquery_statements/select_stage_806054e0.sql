-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: lane canonicalize_contacts; lane canonicalize_email; lane canonicalize_questionnaires; lane score_gad7; lane score_phq9; store.mark_processed
-- parameters: @consumer STRING, @keys ARRAY<STRING>
SELECT MIN(T.processed_at) AS low, MAX(T.processed_at) AS high, COUNT(*) AS matched, COUNTIF(FALSE) AS changed FROM `{project}.{dataset}._stage_{uuid}` S JOIN `{project}.{dataset}.processed_inputs` T ON T.input_idem_key = S.input_idem_key WHERE T.consumer = @consumer AND T.input_idem_key IN UNNEST(@keys) GROUP BY TIMESTAMP_TRUNC(T.processed_at, MONTH)
