-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: lane canonicalize_contacts; lane canonicalize_email; lane canonicalize_questionnaires; lane score_gad7; lane score_phq9; store.upsert_canonical
-- parameters: @now TIMESTAMP
MERGE `{project}.{dataset}.canonical_objects` T USING `{project}.{dataset}._stage_{uuid}` S ON T.idem_key = S.idem_key WHEN MATCHED AND (T.payload_hash != S.payload_hash OR T.source_payload_hash != S.source_payload_hash OR T.transform_ref != S.transform_ref OR T.schema_ref != S.schema_ref) THEN UPDATE SET schema_ref = S.schema_ref, source_idem_key = S.source_idem_key, source_payload_hash = S.source_payload_hash, transform_ref = S.transform_ref, payload = PARSE_JSON(S.payload), payload_hash = S.payload_hash, updated_at = @now, last_seen = @now WHEN MATCHED THEN UPDATE SET last_seen = @now WHEN NOT MATCHED THEN INSERT (idem_key, object_type, schema_ref, source_idem_key, source_payload_hash, transform_ref, payload, payload_hash, created_at, updated_at, last_seen) VALUES (S.idem_key, S.object_type, S.schema_ref, S.source_idem_key, S.source_payload_hash, S.transform_ref, PARSE_JSON(S.payload), S.payload_hash, @now, @now, @now)
