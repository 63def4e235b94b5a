"""DuckDB DDL, generated from the table declarations in :mod:`lorchestra.stack_clients.tables`."""

from __future__ import annotations

from collections.abc import Sequence

from lorchestra.stack_clients.tables import CORE_TABLES, Column, Table

DUCK_TYPES = {
    "string": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMPTZ",
    "string[]": "VARCHAR[]",
    "json": "JSON",
}


def column_ddl(column: Column) -> str:
    # Bulky payloads are stored uncompressed: DuckDB's compression analysis of large,
    # high-entropy JSON text cost ~8 s per 100k Gmail messages at checkpoint for a 10% gain.
    parts = [column.name, DUCK_TYPES[column.type]]
    if column.bulky:
        parts.append("USING COMPRESSION uncompressed")
    if column.required:
        parts.append("NOT NULL")
    if column.allowed:
        parts.append(f"CHECK ({column.name} IN ({', '.join(repr(v) for v in column.allowed)}))")
    return " ".join(parts)


def create_table_sql(table: Table) -> str:
    lines = [column_ddl(c) for c in table.columns]
    if table.key and table.indexed_key:
        lines.append(f"PRIMARY KEY ({', '.join(table.key)})")
    return f"CREATE TABLE IF NOT EXISTS {table.name} ({', '.join(lines)})"


def columns_sql(columns: Sequence[Column]) -> str:
    """The ``read_json`` column spec (``{name: 'TYPE', ...}``) that loads ``columns`` from JSONL."""
    return "{" + ", ".join(f"{c.name}: '{DUCK_TYPES[c.type]}'" for c in columns) + "}"


CORE_DDL = [create_table_sql(table) for table in CORE_TABLES.values()]
