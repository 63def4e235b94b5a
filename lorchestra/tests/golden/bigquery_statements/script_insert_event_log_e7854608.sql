-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: store.insert_first
-- parameters: (none)
BEGIN TRANSACTION;
INSERT INTO `{project}.{dataset}.event_log` (event_id, event_type, source_system, connection_name, target_object_type, event_schema_ref, correlation_id, trace_id, created_at, status, error_message, payload) SELECT event_id, event_type, source_system, connection_name, target_object_type, event_schema_ref, correlation_id, trace_id, created_at, status, error_message, PARSE_JSON(payload, wide_number_mode => 'round') FROM `{project}.{dataset}._stage_{uuid}` WHERE event_id IN (SELECT event_id FROM `{project}.{dataset}._stage_{uuid}` WHERE flag_key NOT IN (SELECT flag_key FROM `{project}.{dataset}.safety_followups`));
INSERT INTO `{project}.{dataset}.safety_followups` (flag_key, followed_up_by, followed_up_at, recorded_at) SELECT flag_key, followed_up_by, followed_up_at, recorded_at FROM `{project}.{dataset}._stage_{uuid}` WHERE flag_key NOT IN (SELECT flag_key FROM `{project}.{dataset}.safety_followups`);
COMMIT TRANSACTION;
