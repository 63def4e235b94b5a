-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: store.replace_rows
-- parameters: (none)
BEGIN TRANSACTION;
DELETE FROM `{project}.{dataset}.tour_view` WHERE conversation_key IN (SELECT key FROM `{project}.{dataset}._stage_{uuid}`);
INSERT INTO `{project}.{dataset}.tour_view` (conversation_key, n) SELECT conversation_key, n FROM `{project}.{dataset}._stage_{uuid}`;
COMMIT TRANSACTION;
