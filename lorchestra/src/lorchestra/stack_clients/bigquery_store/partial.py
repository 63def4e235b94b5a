"""Reading a projection by key and replacing some of its rows, on BigQuery.

The rows and the keys of each change are staged by load jobs; one script then applies
every change in one transaction (a DELETE and an INSERT per table), never a statement
per row. The emulator passes no query parameters into scripts, so the script names
only staging tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from google.cloud import bigquery

from lorchestra.stack_clients.faults import sql_fault
from lorchestra.stack_clients.projection import Column, RowsChange, check_table_name

if TYPE_CHECKING:
    from lorchestra.stack_clients.bigquery_store.store import BigQueryStore

BQ_TYPES = {"string": ("STRING", "NULLABLE"), "int": ("INT64", "NULLABLE"), "float": ("FLOAT64", "NULLABLE"),
            "bool": ("BOOL", "NULLABLE"), "timestamp": ("TIMESTAMP", "NULLABLE"), "string[]": ("STRING", "REPEATED")}
_KEYS = [bigquery.SchemaField("key", "STRING", "REQUIRED")]


def column_schema(columns: Sequence[Column]) -> list[bigquery.SchemaField]:
    """Portable columns as a BigQuery schema."""
    # None is "no description"; the library's annotation leaves it out.
    return [bigquery.SchemaField(c.name, *BQ_TYPES[c.type], description=c.description or None)  # type: ignore[arg-type]
            for c in columns]


def lookup_rows(store: BigQueryStore, name: str, key_column: str, keys: Sequence[str],
                columns: Sequence[str]) -> list[dict[str, Any]]:
    if not keys:
        return []
    for column in (key_column, *columns):
        check_table_name(column)
    rows = store.run_query(
        f"SELECT {', '.join(columns)} FROM {store.table(check_table_name(name))} "
        f"WHERE {key_column} IN UNNEST(@keys)", {"keys": list(keys)},
    ).result()
    return [{c: row[c] for c in columns} for row in rows]


def replace_rows(store: BigQueryStore, changes: Sequence[RowsChange]) -> list[int]:
    stages: list[str] = []
    try:
        statements = []
        for change in changes:
            keys = store.load_rows(_KEYS, ({"key": k} for k in change.keys)) if change.keys else None
            stages += [keys] if keys else []
            if keys:
                statements.append(f"DELETE FROM {store.table(change.table)} WHERE {change.key_column} IN "
                                  f"(SELECT key FROM {store.table(keys)});")
            if change.rows:
                rows = store.load_rows(column_schema(change.columns), (
                    {c.name: row.get(c.name) for c in change.columns} for row in change.rows))
                stages.append(rows)
                names = ", ".join(c.name for c in change.columns)
                statements.append(f"INSERT INTO {store.table(change.table)} ({names}) "
                                  f"SELECT {names} FROM {store.table(rows)};")
        statements.append(sql_fault("projection.before_commit"))
        store.run_query("BEGIN TRANSACTION;\n" + "\n".join(s for s in statements if s) + "\nCOMMIT TRANSACTION;")
    finally:
        for stage in stages:
            store.drop_table(stage)
    return [len(change.rows) for change in changes]
