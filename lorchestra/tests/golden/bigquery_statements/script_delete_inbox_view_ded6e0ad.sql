-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
-- seen in: lane build_inbox_view
-- parameters: (none)
BEGIN TRANSACTION;
DELETE FROM `{project}.{dataset}.inbox_view` WHERE conversation_key IN (SELECT key FROM `{project}.{dataset}._stage_{uuid}`);
INSERT INTO `{project}.{dataset}.inbox_view` (conversation_key, counterpart_email, counterpart_name, subject, mailboxes, message_count, first_message_at, last_message_at, first_inbound_at, last_inbound_at, last_outbound_at, awaiting_reply, first_response_minutes, is_known_client, status) SELECT conversation_key, counterpart_email, counterpart_name, subject, mailboxes, message_count, first_message_at, last_message_at, first_inbound_at, last_inbound_at, last_outbound_at, awaiting_reply, first_response_minutes, is_known_client, status FROM `{project}.{dataset}._stage_{uuid}`;
DELETE FROM `{project}.{dataset}.inbox_view_members` WHERE conversation_key IN (SELECT key FROM `{project}.{dataset}._stage_{uuid}`);
INSERT INTO `{project}.{dataset}.inbox_view_members` (member_key, conversation_key, email_key) SELECT member_key, conversation_key, email_key FROM `{project}.{dataset}._stage_{uuid}`;
COMMIT TRANSACTION;
