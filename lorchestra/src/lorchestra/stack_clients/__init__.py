"""The event client and store: the only code in the suite that touches storage.

One API over two backends (DuckDB, the embedded default, and BigQuery). Jobs get a
:class:`lorchestra.jobkit.JobContext` from the runner and never build their own clients.
"""

from typing import Any

from lorchestra.home import PhiHome
from lorchestra.stack_clients.event_client import EventClient
from lorchestra.stack_clients.model import (
    CanonicalRow,
    EventRow,
    InputRow,
    ObjectSpec,
    RejectRow,
    Source,
    WriteCounts,
    idem_key,
)
from lorchestra.stack_clients.projection import Column, RowsChange
from lorchestra.stack_clients.store import Store, open_store
from lorchestra.stack_clients.tables import TABLE_NAMES, Table


def connect_views(home: PhiHome | None = None) -> Any:
    """An in-memory DuckDB connection over the published views (see
    :func:`lorchestra.stack_clients.duckdb_store.snapshots.connect_views`); DuckDB is
    loaded only here, never by a BigQuery run."""
    from lorchestra.stack_clients.duckdb_store.snapshots import connect_views as connect

    return connect(home)


def read_view(home: PhiHome, name: str) -> list[dict[str, Any]] | None:
    """Every row of the published view ``name`` (None: not published yet); see
    :func:`lorchestra.stack_clients.duckdb_store.snapshots.read_snapshot`."""
    from lorchestra.stack_clients.duckdb_store.snapshots import read_snapshot
    from lorchestra.stack_clients.views import view_path

    return read_snapshot(view_path(home, name))


__all__ = [
    "TABLE_NAMES",
    "CanonicalRow",
    "Column",
    "EventClient",
    "EventRow",
    "InputRow",
    "ObjectSpec",
    "RejectRow",
    "RowsChange",
    "Source",
    "Store",
    "Table",
    "WriteCounts",
    "connect_views",
    "idem_key",
    "open_store",
    "read_view",
]
