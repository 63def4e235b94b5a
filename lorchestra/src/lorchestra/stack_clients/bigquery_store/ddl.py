"""BigQuery schemas, generated from the table declarations in :mod:`lorchestra.stack_clients.tables`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from google.cloud import bigquery

from lorchestra.exceptions import StorageError
from lorchestra.stack_clients.bigquery_store.plumbing import NO_RETRY, Plumbing
from lorchestra.stack_clients.tables import CORE_TABLES, Column, Table

MIGRATION_DOC = "docs/performance.md#migrating-a-dataset-to-the-partitioned-layout"

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
        options["time_partitioning"] = bigquery.TimePartitioning(type_=table.partition_unit, field=table.partition_by)
    if table.description:
        options["description"] = table.description
    return options


def layout(table: bigquery.Table | Table) -> tuple[tuple[str, ...], str | None, str | None]:
    """``(clustering columns, partition column, partition unit)`` of a live or declared table."""
    if isinstance(table, Table):
        unit = table.partition_unit if table.partition_by else None
        return tuple(table.cluster_by), table.partition_by, unit
    partitioning = table.time_partitioning
    if partitioning is None:
        return tuple(table.clustering_fields or ()), None, None
    return tuple(table.clustering_fields or ()), partitioning.field, partitioning.type_


def check_layout(store: Plumbing) -> None:
    """Refuse a dataset whose core tables are laid out otherwise than declared (one made by
    an earlier version): BigQuery cannot partition an existing table, and the statements
    prune only the partitions and clusters declared here."""
    for table in CORE_TABLES.values():
        live = store.call(
            f"look up {table.name}", lambda t=table: store.client.get_table(store.table_id(t.name), retry=NO_RETRY)
        )
        if layout(live) != layout(table):
            cluster, column, unit = layout(table)
            wanted = f"partitioned by {unit} on {column}" if column else "not partitioned"
            raise StorageError(
                f"table {table.name} in dataset {store.dataset} is not laid out as this version needs "
                f"({wanted}, clustered by {', '.join(cluster)}): rebuild it with "
                f"CREATE TABLE ... PARTITION BY ... CLUSTER BY ... AS SELECT, as {MIGRATION_DOC} shows"
            )


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
RAW_STAGE = stage_schema(_RAW, ("idem_key", "external_id", "payload_hash", "payload"))
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
