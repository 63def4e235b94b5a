"""The BigQuery tables: the one place their columns, partitioning and clustering are defined."""

from __future__ import annotations

from dataclasses import dataclass, field

from google.cloud import bigquery

S = bigquery.SchemaField


@dataclass(frozen=True)
class TableDef:
    schema: list[bigquery.SchemaField]
    clustering: list[str] = field(default_factory=list)
    partition_field: str | None = None  # DAY partitions on this TIMESTAMP column


TABLES: dict[str, TableDef] = {
    "event_log": TableDef(
        [
            S("event_id", "STRING", "REQUIRED"), S("event_type", "STRING", "REQUIRED"),
            S("source_system", "STRING"), S("connection_name", "STRING"),
            S("target_object_type", "STRING"), S("event_schema_ref", "STRING"),
            S("correlation_id", "STRING"), S("trace_id", "STRING"),
            S("created_at", "TIMESTAMP", "REQUIRED"), S("status", "STRING", "REQUIRED"),
            S("error_message", "STRING"), S("payload", "JSON"),
        ],
        clustering=["source_system", "event_type"],
        partition_field="created_at",
    ),
    "raw_objects": TableDef(
        [
            S("idem_key", "STRING", "REQUIRED"), S("source_system", "STRING", "REQUIRED"),
            S("connection_name", "STRING", "REQUIRED"), S("object_type", "STRING", "REQUIRED"),
            S("schema_ref", "STRING"), S("external_id", "STRING", "REQUIRED"),
            S("payload", "JSON", "REQUIRED"), S("payload_hash", "STRING", "REQUIRED"),
            S("first_seen", "TIMESTAMP", "REQUIRED"), S("last_seen", "TIMESTAMP", "REQUIRED"),
        ],
        clustering=["source_system", "connection_name", "object_type"],
    ),
    "canonical_objects": TableDef(
        [
            S("idem_key", "STRING", "REQUIRED"), S("object_type", "STRING", "REQUIRED"),
            S("schema_ref", "STRING", "REQUIRED"), S("source_idem_key", "STRING", "REQUIRED"),
            S("source_payload_hash", "STRING", "REQUIRED"), S("transform_ref", "STRING", "REQUIRED"),
            S("payload", "JSON", "REQUIRED"), S("payload_hash", "STRING", "REQUIRED"),
            S("created_at", "TIMESTAMP", "REQUIRED"), S("updated_at", "TIMESTAMP", "REQUIRED"),
            S("last_seen", "TIMESTAMP", "REQUIRED"),
        ],
        clustering=["object_type"],
    ),
    "rejects": TableDef(
        [
            S("reject_key", "STRING", "REQUIRED"), S("job_name", "STRING", "REQUIRED"),
            S("input_key", "STRING", "REQUIRED"), S("input_idem_key", "STRING"),
            S("source_system", "STRING"), S("connection_name", "STRING"), S("object_type", "STRING"),
            S("rule", "STRING", "REQUIRED"), S("field", "STRING", "REQUIRED"),
            S("message", "STRING", "REQUIRED"), S("payload_hash", "STRING"),
            S("first_seen", "TIMESTAMP", "REQUIRED"), S("last_seen", "TIMESTAMP", "REQUIRED"),
            S("run_id", "STRING"),
        ],
        clustering=["job_name", "rule"],
    ),
    "processed_inputs": TableDef(
        [
            S("consumer", "STRING", "REQUIRED"), S("input_idem_key", "STRING", "REQUIRED"),
            S("input_payload_hash", "STRING", "REQUIRED"), S("outcome", "STRING", "REQUIRED"),
            S("processed_at", "TIMESTAMP", "REQUIRED"), S("run_id", "STRING"),
        ],
        clustering=["consumer"],
    ),
}

# Staging tables hold a batch between its load job and its MERGE; payloads travel as
# JSON text and are parsed by the MERGE, so the load never reinterprets them.
RAW_STAGE = [
    S("ord", "INT64"), S("idem_key", "STRING"), S("external_id", "STRING"),
    S("payload_hash", "STRING"), S("payload", "STRING"),
]
CANONICAL_STAGE = [
    S("ord", "INT64"), S("idem_key", "STRING"), S("object_type", "STRING"), S("schema_ref", "STRING"),
    S("source_idem_key", "STRING"), S("source_payload_hash", "STRING"), S("transform_ref", "STRING"),
    S("payload_hash", "STRING"), S("payload", "STRING"),
]
REJECT_STAGE = [f for f in TABLES["rejects"].schema if f.name not in ("first_seen", "last_seen")]
PROCESSED_STAGE = [
    S("input_idem_key", "STRING"), S("input_payload_hash", "STRING"), S("outcome", "STRING"),
]
EVENT_STAGE = [f if f.name != "payload" else S("payload", "STRING") for f in TABLES["event_log"].schema]
