"""Raw SQL for test assertions, run on the store's own backend connection.

The store speaks typed methods only; a test that must look at a table the store has no
reader for (a column a method does not return, a catalog) uses this instead. Values come
back as each driver returns them.
"""

from __future__ import annotations

from typing import Any

from lorchestra.stack_clients import Store


def sql_rows(store: Store, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The rows of ``sql`` as dicts (name tables with ``store.table(name)`` on BigQuery)."""
    if store.backend == "bigquery":
        return [dict(row.items()) for row in store.run_query(sql, params).result()]  # type: ignore[attr-defined]
    cursor = store.connection.execute(sql, params or {})  # type: ignore[attr-defined]
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
