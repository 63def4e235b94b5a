-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: lane extract_email
-- parameters: (none)
BEGIN TRANSACTION;
MERGE `{project}.{dataset}.raw_objects` T USING `{project}.{dataset}._stage_{uuid}` S ON T.idem_key = S.idem_key AND T.source_system = '?' AND T.connection_name = '?' AND T.object_type = '?' AND T.first_seen BETWEEN TIMESTAMP '?' AND TIMESTAMP '?' WHEN MATCHED AND T.payload_hash != S.payload_hash THEN UPDATE SET payload = PARSE_JSON(S.payload, wide_number_mode => 'round'), payload_hash = S.payload_hash, schema_ref = '?', last_seen = TIMESTAMP '?' WHEN MATCHED THEN UPDATE SET last_seen = TIMESTAMP '?' WHEN NOT MATCHED THEN INSERT (idem_key, source_system, connection_name, object_type, schema_ref, external_id, payload, payload_hash, first_seen, last_seen) VALUES (S.idem_key, '?', '?', '?', '?', S.external_id, PARSE_JSON(S.payload, wide_number_mode => 'round'), S.payload_hash, TIMESTAMP '?', TIMESTAMP '?');
DELETE FROM `{project}.{dataset}.rejects` WHERE job_name = '?' AND input_idem_key IN (SELECT idem_key FROM `{project}.{dataset}._stage_{uuid}`);
COMMIT TRANSACTION;
