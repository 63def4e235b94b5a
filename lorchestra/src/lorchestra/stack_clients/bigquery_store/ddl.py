"""BigQuery schemas, generated from the table declarations in :mod:`lorchestra.stack_clients.tables`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from google.cloud import bigquery

from lorchestra.stack_clients.tables import CORE_TABLES, Column, Table

BQ_TYPES = {
    "string": "STRING",
    "int": "INT64",
    "float": "FLOAT64",
    "bool": "BOOL",
    "timestamp": "TIMESTAMP",
    "string[]": "STRING",
    "json": "JSON",
}


def field(column: Column) -> bigquery.SchemaField:
    mode = "REPEATED" if column.type == "string[]" else "REQUIRED" if column.required else "NULLABLE"
    if column.description:
        return bigquery.SchemaField(column.name, BQ_TYPES[column.type], mode, description=column.description)
    return bigquery.SchemaField(column.name, BQ_TYPES[column.type], mode)


def column_schema(columns: Sequence[Column]) -> list[bigquery.SchemaField]:
    """Portable columns as a BigQuery schema."""
    return [field(c) for c in columns]


def table_options(table: Table) -> dict[str, Any]:
    """The ``bigquery.Table`` attributes that cluster and partition ``table``."""
    options: dict[str, Any] = {}
    if table.cluster_by:
        options["clustering_fields"] = list(table.cluster_by)
    if table.partition_by:
        options["time_partitioning"] = bigquery.TimePartitioning(
            type_=bigquery.TimePartitioningType.DAY, field=table.partition_by
        )
    if table.description:
        options["description"] = table.description
    return options


def stage_schema(table: Table, columns: Sequence[str], *, ordinal: bool = False) -> list[bigquery.SchemaField]:
    """A staging table for a batch bound for ``table``: ``columns`` of it, all nullable, JSON
    as text (the statement that applies the batch parses it, so the load never reinterprets
    a payload); ``ordinal`` adds ``ord``, the line number of each row."""
    fields = [bigquery.SchemaField("ord", "INT64")] if ordinal else []
    for name in columns:
        column = table.column(name)
        kind = "STRING" if column.type == "json" else BQ_TYPES[column.type]
        fields.append(bigquery.SchemaField(name, kind, "REPEATED" if column.type == "string[]" else "NULLABLE"))
    return fields


_RAW = CORE_TABLES["raw_objects"]
_CANONICAL = CORE_TABLES["canonical_objects"]
_REJECTS = CORE_TABLES["rejects"]
_PROCESSED = CORE_TABLES["processed_inputs"]
RAW_STAGE = stage_schema(_RAW, ("idem_key", "external_id", "payload_hash", "payload"), ordinal=True)
CANONICAL_STAGE = stage_schema(
    _CANONICAL,
    (
        "idem_key",
        "object_type",
        "schema_ref",
        "source_idem_key",
        "source_payload_hash",
        "transform_ref",
        "payload_hash",
        "payload",
    ),
    ordinal=True,
)
REJECT_STAGE = stage_schema(_REJECTS, [n for n in _REJECTS.column_names if n not in ("first_seen", "last_seen")])
PROCESSED_STAGE = stage_schema(_PROCESSED, ("input_idem_key", "input_payload_hash", "outcome"))
EVENT_STAGE = stage_schema(CORE_TABLES["event_log"], CORE_TABLES["event_log"].column_names)
