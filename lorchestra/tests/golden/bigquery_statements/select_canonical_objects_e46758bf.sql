-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: lane build_inbox_view; lane build_measurement_timeseries; lane build_reporting_snapshots; lane canonicalize_questionnaires; store.read_objects
-- parameters: @t STRING
SELECT i.idem_key, TO_JSON_STRING(i.payload) AS payload FROM `{project}.{dataset}.canonical_objects` i WHERE i.object_type = @t ORDER BY i.idem_key
