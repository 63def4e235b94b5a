"""A batch looks up which of its keys are stored before the statement that applies it; a
writer that commits the same keys in between (another host, a run of another program)
must not make them stored twice: the INSERT keeps out keys written since, and a MERGE's
target includes the partitions such rows lie in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from backend_sql import sql_rows
from cli_support import bigquery_store_at
from lorchestra.home import PhiHome
from lorchestra.stack_clients import ObjectSpec, Source, Store
from lorchestra.stack_clients.bigquery_store import raw_ingest

SPEC = ObjectSpec(Source("example", "notes"), "note")
RECORDS = [("n1", '{"id": "n1", "text": "x"}'), ("n2", '{"id": "n2", "text": "y"}')]


@pytest.fixture
def bigquery_store(bq_emulator: Any, home: PhiHome) -> Iterator[Store]:
    store = bigquery_store_at(bq_emulator.endpoint, home, bq_emulator.project)
    store.ensure_schema(create_dataset=True)  # type: ignore[call-arg]
    try:
        yield store
    finally:
        store.close()


def test_records_another_writer_stored_after_the_lookup_are_not_stored_twice(
    bigquery_store: Store, tmp_path: Path
) -> None:
    store: Any = bigquery_store
    now = datetime.now(UTC)
    stage = raw_ingest._stage(store, SPEC, RECORDS)
    keys = [SPEC.idem_key(external_id) for external_id, _ in RECORDS]
    try:
        found = raw_ingest._find_existing(store, stage, SPEC, keys, now)
        assert found.matched == 0  # nothing stored when this batch looked
        other = tmp_path / "other.jsonl"
        other.write_text("".join(text + "\n" for _, text in RECORDS))
        store.ingest_raw_file(other, SPEC, job_name="extract_other", run_id="other", now=now)
        raw_ingest._apply_raw_batch(store, stage, None, SPEC, "extract_notes", found, now)
    finally:
        store.drop_table(stage)
    rows = sql_rows(store, f"SELECT idem_key, COUNT(*) AS n FROM {store.table('raw_objects')} GROUP BY idem_key")
    assert sorted((r["idem_key"], r["n"]) for r in rows) == [(key, 1) for key in sorted(keys)]
