-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: store.upsert_rejects
-- parameters: @now TIMESTAMP
MERGE `{project}.{dataset}.rejects` T USING `{project}.{dataset}._stage_{uuid}` S ON T.reject_key = S.reject_key WHEN MATCHED THEN UPDATE SET last_seen = @now, message = S.message, payload_hash = S.payload_hash, run_id = S.run_id WHEN NOT MATCHED THEN INSERT (reject_key, job_name, input_key, input_idem_key, source_system, connection_name, object_type, rule, field, message, payload_hash, run_id, first_seen, last_seen) VALUES (S.reject_key, S.job_name, S.input_key, S.input_idem_key, S.source_system, S.connection_name, S.object_type, S.rule, S.field, S.message, S.payload_hash, S.run_id, @now, @now)
