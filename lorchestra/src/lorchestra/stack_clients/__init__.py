"""The event client and store: the only code in the suite that touches storage.

One API over two backends (DuckDB, the embedded default, and BigQuery). Jobs get a
:class:`lorchestra.jobkit.JobContext` from the runner and never build their own clients.
"""

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
from lorchestra.stack_clients.store import TABLE_NAMES, Store, open_store
from lorchestra.stack_clients.views import connect_views

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
    "WriteCounts",
    "connect_views",
    "idem_key",
    "open_store",
]
