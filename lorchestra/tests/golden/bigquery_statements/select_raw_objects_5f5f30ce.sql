-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: lane warehouse_stats; store.object_counts
-- parameters: (none)
SELECT source_system, connection_name, object_type, COUNT(*) AS n FROM `{project}.{dataset}.raw_objects` GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
