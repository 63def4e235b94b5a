"""Rebuild a projection only when what it is built from has changed.

A projection's inputs are summed up in a fingerprint: per canonical object type the
count and the latest ``updated_at`` (every insert or change moves one of them), plus
whatever else the build depends on (config, the build's own version). The fingerprint
of the last build is kept in ``processed_inputs`` under the consumer
``projection:<name>``; a run whose fingerprint matches, with the table present, has
nothing to do. Its cost is one aggregate query, however long the history.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from lorchestra.stack_clients import Store
from lorchestra.stack_clients.clock import utcnow
from lorchestra.stack_clients.projection import check_table_name

LEDGER_KEY = "inputs"


def inputs_fingerprint(store: Store, object_types: Sequence[str], *depends_on: object) -> str:
    for object_type in object_types:
        check_table_name(object_type)  # suite constants, written into the SQL below
    listed = ", ".join(f"'{t}'" for t in sorted(object_types))
    rows = store.query(
        f"SELECT object_type, count(*) AS n, CAST(max(updated_at) AS STRING) AS latest "
        f"FROM {store.table('canonical_objects')} WHERE object_type IN ({listed}) "
        "GROUP BY object_type ORDER BY object_type"
    )
    summary = [[r["object_type"], int(r["n"]), str(r["latest"])] for r in rows]
    text = json.dumps([summary, list(depends_on)], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def is_current(store: Store, projections: Sequence[str], fingerprint: str) -> bool:
    """Every table exists and was last built from inputs with this fingerprint."""
    consumer = _consumer(projections)
    if not all(store.has_table(check_table_name(name)) for name in projections):
        return False
    rows = store.query(
        f"SELECT input_payload_hash FROM {store.table('processed_inputs')} "
        f"WHERE consumer = '{consumer}' AND input_idem_key = '{LEDGER_KEY}'"
    )
    return bool(rows) and rows[0]["input_payload_hash"] == fingerprint


def mark_current(store: Store, projections: Sequence[str], fingerprint: str, *, run_id: str) -> None:
    store.mark_processed(_consumer(projections), [(LEDGER_KEY, fingerprint, "ok")], run_id=run_id, now=utcnow())


def _consumer(projections: Sequence[str]) -> str:
    return "projection:" + "+".join(check_table_name(name) for name in projections)
