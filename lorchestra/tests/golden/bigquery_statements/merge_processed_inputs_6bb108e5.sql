-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: lane canonicalize_email
-- parameters: @consumer STRING, @now TIMESTAMP, @run_id STRING
MERGE `{project}.{dataset}.processed_inputs` T USING `{project}.{dataset}._stage_{uuid}` S ON T.consumer = @consumer AND T.input_idem_key = S.input_idem_key AND T.processed_at BETWEEN TIMESTAMP '?' AND TIMESTAMP '?' WHEN MATCHED THEN UPDATE SET input_payload_hash = S.input_payload_hash, outcome = S.outcome, processed_at = @now, run_id = @run_id WHEN NOT MATCHED THEN INSERT (consumer, input_idem_key, input_payload_hash, outcome, processed_at, run_id) VALUES (@consumer, S.input_idem_key, S.input_payload_hash, S.outcome, @now, @run_id)
