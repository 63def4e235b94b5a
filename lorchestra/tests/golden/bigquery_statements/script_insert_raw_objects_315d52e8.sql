-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: store.ingest_raw_file
-- parameters: (none)
BEGIN TRANSACTION;
INSERT INTO `{project}.{dataset}.raw_objects` (idem_key, source_system, connection_name, object_type, schema_ref, external_id, payload, payload_hash, first_seen, last_seen) SELECT S.idem_key, '?', '?', '?', '?', S.external_id, PARSE_JSON(S.payload, wide_number_mode => 'round'), S.payload_hash, TIMESTAMP '?', TIMESTAMP '?' FROM `{project}.{dataset}._stage_{uuid}` S WHERE NOT EXISTS (SELECT 1 FROM `{project}.{dataset}.raw_objects` T WHERE T.idem_key = S.idem_key AND T.source_system = '?' AND T.connection_name = '?' AND T.object_type = '?' AND T.first_seen BETWEEN TIMESTAMP '?' AND TIMESTAMP '?');
DELETE FROM `{project}.{dataset}.rejects` WHERE job_name = '?' AND input_idem_key IN (SELECT idem_key FROM `{project}.{dataset}._stage_{uuid}`);
MERGE `{project}.{dataset}.rejects` T USING `{project}.{dataset}._stage_{uuid}` S ON T.reject_key = S.reject_key WHEN MATCHED THEN UPDATE SET last_seen = TIMESTAMP '?', message = S.message, payload_hash = S.payload_hash, run_id = S.run_id WHEN NOT MATCHED THEN INSERT (reject_key, job_name, input_key, input_idem_key, source_system, connection_name, object_type, rule, field, message, payload_hash, run_id, first_seen, last_seen) VALUES (S.reject_key, S.job_name, S.input_key, S.input_idem_key, S.source_system, S.connection_name, S.object_type, S.rule, S.field, S.message, S.payload_hash, S.run_id, TIMESTAMP '?', TIMESTAMP '?');
COMMIT TRANSACTION;
