-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: lane extract_contacts; lane extract_email; lane extract_forms
-- parameters: (none)
BEGIN TRANSACTION;
INSERT INTO `{project}.{dataset}.raw_objects` (idem_key, source_system, connection_name, object_type, schema_ref, external_id, payload, payload_hash, first_seen, last_seen) SELECT S.idem_key, '?', '?', '?', '?', S.external_id, PARSE_JSON(S.payload, wide_number_mode => 'round'), S.payload_hash, TIMESTAMP '?', TIMESTAMP '?' FROM `{project}.{dataset}._stage_{uuid}` S WHERE NOT EXISTS (SELECT 1 FROM `{project}.{dataset}.raw_objects` T WHERE T.idem_key = S.idem_key AND T.source_system = '?' AND T.connection_name = '?' AND T.object_type = '?' AND T.first_seen BETWEEN TIMESTAMP '?' AND TIMESTAMP '?');
DELETE FROM `{project}.{dataset}.rejects` WHERE job_name = '?' AND input_idem_key IN (SELECT idem_key FROM `{project}.{dataset}._stage_{uuid}`);
COMMIT TRANSACTION;
