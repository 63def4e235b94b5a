-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: lane canonicalize_contacts; lane canonicalize_email; lane canonicalize_questionnaires; lane score_gad7; lane score_phq9; store.upsert_canonical
-- parameters: @now TIMESTAMP, @types ARRAY<STRING>
INSERT INTO `{project}.{dataset}.canonical_objects` (idem_key, object_type, schema_ref, source_idem_key, source_payload_hash, transform_ref, payload, payload_hash, created_at, updated_at, last_seen) SELECT S.idem_key, S.object_type, S.schema_ref, S.source_idem_key, S.source_payload_hash, S.transform_ref, PARSE_JSON(S.payload, wide_number_mode => 'round'), S.payload_hash, @now, @now, @now FROM `{project}.{dataset}._stage_{uuid}` S WHERE NOT EXISTS (SELECT 1 FROM `{project}.{dataset}.canonical_objects` T WHERE T.idem_key = S.idem_key AND T.object_type IN UNNEST(@types) AND T.updated_at BETWEEN TIMESTAMP '?' AND TIMESTAMP '?')
