-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: lane canonicalize_contacts; lane canonicalize_email; lane canonicalize_questionnaires; lane score_gad7; lane score_phq9; store.mark_processed
-- parameters: @consumer STRING, @now TIMESTAMP, @run_id STRING
INSERT INTO `{project}.{dataset}.processed_inputs` (consumer, input_idem_key, input_payload_hash, outcome, processed_at, run_id) SELECT @consumer, S.input_idem_key, S.input_payload_hash, S.outcome, @now, @run_id FROM `{project}.{dataset}._stage_{uuid}` S WHERE NOT EXISTS (SELECT 1 FROM `{project}.{dataset}.processed_inputs` T WHERE T.input_idem_key = S.input_idem_key AND T.consumer = @consumer AND T.processed_at BETWEEN TIMESTAMP '?' AND TIMESTAMP '?')
