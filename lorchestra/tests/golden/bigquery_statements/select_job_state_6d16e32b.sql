-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: lane build_inbox_view; lane build_reporting_snapshots; lane canonicalize_questionnaires; lane score_gad7; lane score_phq9
-- parameters: @keys ARRAY<STRING>
SELECT state_id, consumer, state_key, basis, watermark, outcome, run_id, recorded_at FROM `{project}.{dataset}.job_state` WHERE consumer IN UNNEST(@keys)
