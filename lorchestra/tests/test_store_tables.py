"""Every live table matches its declaration in ``stack_clients.tables`` (both backends):
read back from the backend's own catalog, so a hand edit of one backend's DDL fails here."""

from __future__ import annotations

from typing import Any

from backend_sql import sql_rows
from lorchestra.stack_clients import Store
from lorchestra.stack_clients.tables import CORE_TABLES, Table

# What each backend's catalog calls a portable type: written out here, not taken from the
# generators, so a generator and the declaration cannot drift together unnoticed.
DUCKDB_CATALOG = {
    "string": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
    "string[]": "VARCHAR[]",
    "json": "JSON",
}
BIGQUERY_CATALOG = {
    "string": "STRING",
    "int": "INTEGER",
    "float": "FLOAT",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "string[]": "STRING",
    "json": "JSON",
}


def declared(table: Table, backend: str) -> list[tuple[str, str, bool]]:
    names = DUCKDB_CATALOG if backend == "duckdb" else BIGQUERY_CATALOG
    return [(c.name, names[c.type], not c.required) for c in table.columns]


def live(store: Store, name: str) -> tuple[list[tuple[str, str, bool]], dict[str, Any]]:
    """``(name, type, nullable)`` of each column in order, and the table's layout options."""
    if store.backend == "bigquery":
        table = store.client.get_table(store.table_id(name))  # type: ignore[attr-defined]
        columns = [(f.name, f.field_type, f.mode != "REQUIRED") for f in table.schema]
        return columns, {
            "cluster_by": tuple(table.clustering_fields or ()),
            "partition_by": table.time_partitioning.field if table.time_partitioning else None,
            "partition_unit": table.time_partitioning.type_ if table.time_partitioning else None,
        }
    rows = sql_rows(
        store,
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_catalog = 'warehouse' AND table_name = $name ORDER BY ordinal_position",
        {"name": name},
    )
    columns = [(r["column_name"], r["data_type"], r["is_nullable"] == "YES") for r in rows]
    keys = sql_rows(
        store,
        "SELECT constraint_column_names AS names FROM duckdb_constraints() "
        "WHERE database_name = 'warehouse' AND table_name = $name "
        "AND constraint_type = 'PRIMARY KEY'",
        {"name": name},
    )
    return columns, {"key": tuple(keys[0]["names"]) if keys else ()}


def test_every_live_core_table_is_its_declaration(store: Store) -> None:
    for name, table in CORE_TABLES.items():
        columns, layout = live(store, name)
        assert columns == declared(table, store.backend), name
        if store.backend == "bigquery":
            unit = table.partition_unit if table.partition_by else None
            assert layout == {
                "cluster_by": table.cluster_by,
                "partition_by": table.partition_by,
                "partition_unit": unit,
            }, name
        else:
            assert layout == {"key": table.key if table.indexed_key else ()}, name
