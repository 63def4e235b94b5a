-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: lane build_inbox_view; lane build_measurement_timeseries; lane build_reporting_snapshots; lane canonicalize_contacts; lane canonicalize_email; lane canonicalize_questionnaires; lane extract_contacts; lane extract_email; lane extract_forms; lane score_gad7; lane score_phq9; lane warehouse_stats; store.append_events
-- parameters: (none)
INSERT INTO `{project}.{dataset}.event_log` (event_id, event_type, source_system, connection_name, target_object_type, event_schema_ref, correlation_id, trace_id, created_at, status, error_message, payload) SELECT event_id, event_type, source_system, connection_name, target_object_type, event_schema_ref, correlation_id, trace_id, created_at, status, error_message, PARSE_JSON(payload, wide_number_mode => 'round') FROM `{project}.{dataset}._stage_{uuid}`
