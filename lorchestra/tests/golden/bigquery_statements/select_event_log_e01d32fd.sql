-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: store.read_events
-- parameters: @status STRING, @types ARRAY<STRING>
SELECT event_id, event_type, source_system, connection_name, target_object_type, event_schema_ref, correlation_id, trace_id, created_at, status, error_message, payload FROM `{project}.{dataset}.event_log` WHERE event_type IN UNNEST(@types) AND (@status IS NULL OR status = @status) ORDER BY created_at DESC LIMIT 5
