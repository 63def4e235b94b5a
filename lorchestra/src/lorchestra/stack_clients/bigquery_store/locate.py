"""Reading stored objects in two steps: first where they are (keys, partitions and
leading clustering values: key columns only), then their payloads a page at a time,
each page read with constant filters that let BigQuery prune to the page's own blocks
and partitions. History is then read as keys; payloads only for what a run needs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from lorchestra.stack_clients.bigquery_store.plumbing import Plumbing
from lorchestra.stack_clients.bigquery_store.sql import Span, merged_spans, partition_filter, strings
from lorchestra.stack_clients.bigquery_store.values import utc
from lorchestra.stack_clients.tables import RAW_OBJECTS, Table


class Located(NamedTuple):
    key: str
    at: datetime  # the row's value of the table's partition column
    system: str | None
    connection: str | None


def source_columns(table: Table) -> tuple[str, str]:
    """The source system and connection of a row of ``table`` (alias ``i``) as SQL."""
    if table is RAW_OBJECTS:
        return "i.source_system", "i.connection_name"
    return "CAST(NULL AS STRING)", "CAST(NULL AS STRING)"


def locate(
    store: Plumbing, table: Table, from_where: str, params: dict[str, Any], *, key: str = "idem_key"
) -> list[Located]:
    """Where the rows selected by ``from_where`` (``FROM {table} i ... WHERE ...``) lie, in key order."""
    system, connection = source_columns(table)
    names: dict[str, str] = {}  # a few systems and connections, shared by every row
    rows = store.run_query(
        f"SELECT i.{key} AS key, i.{table.partition_by} AS at, {system} AS system, {connection} AS connection "
        f"{from_where} ORDER BY i.{key}",
        params,
    ).result()
    return [
        Located(
            row["key"],
            utc(row["at"]),
            None if row["system"] is None else names.setdefault(row["system"], row["system"]),
            None if row["connection"] is None else names.setdefault(row["connection"], row["connection"]),
        )
        for row in rows
    ]


def page_filter(table: Table, page: Sequence[Located], params: dict[str, Any]) -> str:
    """Constant conditions on ``i`` that select the rows of ``page``: its keys, with the
    clustering columns before the key and the partitions of the page (adds to ``params``)."""
    conditions = []
    if table is RAW_OBJECTS:
        params["systems"] = strings(sorted({str(p.system) for p in page}))
        params["connections"] = strings(sorted({str(p.connection) for p in page}))
        conditions += ["i.source_system IN UNNEST(@systems)", "i.connection_name IN UNNEST(@connections)"]
    params["keys"] = strings(p.key for p in page)
    conditions.append("i.idem_key IN UNNEST(@keys)")
    spans = merged_spans((Span(p.at, p.at) for p in page), table.partition_unit)
    conditions.append(partition_filter(f"i.{table.partition_by}", spans))
    return " AND ".join(conditions)
