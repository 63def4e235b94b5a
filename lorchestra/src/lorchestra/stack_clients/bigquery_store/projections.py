"""Projections and ledgers on BigQuery: created, swapped whole, read by key, changed by key.

The rows and the keys of each change are staged by load jobs; one script then applies
every change in one transaction (a DELETE and an INSERT per table), never a statement
per row. The emulator passes no query parameters into scripts, so the script names
only staging tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
from google.api_core import exceptions as gexc
from google.cloud import bigquery

from lorchestra.faults import sql_fault
from lorchestra.stack_clients.bigquery_store.ddl import column_schema
from lorchestra.stack_clients.bigquery_store.plumbing import NO_RETRY, Plumbing
from lorchestra.stack_clients.bigquery_store.sql import strings
from lorchestra.stack_clients.projection import Column, RowsChange, check_table_name
from lorchestra.stack_clients.spill import spill_file

_KEYS = [bigquery.SchemaField("key", "STRING", "REQUIRED")]


def replace_table(
    store: Plumbing,
    name: str,
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, Any]],
    cluster_by: Sequence[str] = (),
) -> int:
    """One load job with WRITE_TRUNCATE: BigQuery swaps the table atomically. Clustered by
    the columns it is looked up by, a lookup by key reads the blocks of its keys only."""
    check_table_name(name)
    schema = column_schema(columns)
    with spill_file(store.tmp_dir) as (path, handle):
        count = 0
        for row in rows:
            handle.write(orjson.dumps({c.name: row.get(c.name) for c in columns}, default=str) + b"\n")
            count += 1
        handle.close()
        # Created clustered first: a new table gets its clustering even where a load's own
        # clustering is not honoured (the emulator); the load states it as well.
        store.create_table(name, schema, **({"clustering_fields": list(cluster_by)} if cluster_by else {}))
        if count == 0:  # a load job needs at least one byte: empty the table instead
            store.run_query(f"TRUNCATE TABLE {store.table(name)}")
            return 0
        store.load_file(path, schema, table=name, cluster_by=cluster_by)
    return count


def has_table(store: Plumbing, name: str) -> bool:
    def look_up() -> bool:
        try:
            store.client.get_table(store.table_id(name), retry=NO_RETRY)
        except gexc.NotFound:
            return False
        return True

    return bool(store.call(f"look up {name}", look_up))


def ensure_table(store: Plumbing, name: str, columns: Sequence[Column]) -> None:
    store.create_table(check_table_name(name), column_schema(columns))


def lookup_rows(
    store: Plumbing, name: str, key_column: str, keys: Sequence[str], columns: Sequence[str]
) -> list[dict[str, Any]]:
    if not keys:
        return []
    for column in (key_column, *columns):
        check_table_name(column)
    rows = store.run_query(
        f"SELECT {', '.join(columns)} FROM {store.table(check_table_name(name))} WHERE {key_column} IN UNNEST(@keys)",
        {"keys": strings(keys)},
    ).result()
    return [{c: row[c] for c in columns} for row in rows]


def replace_rows(store: Plumbing, changes: Sequence[RowsChange]) -> list[int]:
    stages: list[str] = []
    try:
        statements = []
        for change in changes:
            keys = store.load_rows(_KEYS, ({"key": k} for k in change.keys)) if change.keys else None
            stages += [keys] if keys else []
            if keys:
                statements.append(
                    f"DELETE FROM {store.table(change.table)} WHERE {change.key_column} IN "
                    f"(SELECT key FROM {store.table(keys)});"
                )
            if change.rows:
                rows = store.load_rows(
                    column_schema(change.columns),
                    ({c.name: row.get(c.name) for c in change.columns} for row in change.rows),
                )
                stages.append(rows)
                names = ", ".join(c.name for c in change.columns)
                statements.append(
                    f"INSERT INTO {store.table(change.table)} ({names}) SELECT {names} FROM {store.table(rows)};"
                )
        statements.append(sql_fault("projection.before_commit"))
        store.run_query("BEGIN TRANSACTION;\n" + "\n".join(s for s in statements if s) + "\nCOMMIT TRANSACTION;")
    finally:
        for stage in stages:
            store.drop_table(stage)
    return [len(change.rows) for change in changes]
