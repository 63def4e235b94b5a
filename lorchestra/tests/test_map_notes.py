"""A mapping may note things about its inputs (``Noted``); map_inputs counts each note by
name, also when the mapping runs in worker processes."""

from __future__ import annotations

import logging

import pytest

from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.jobkit import JobContext, Noted
from lorchestra.stack_clients import (
    CanonicalRow,
    EventClient,
    InputRow,
    ObjectSpec,
    Source,
    open_store,
)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_notes_are_counted_by_name_and_their_rows_written(
    home: PhiHome, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    """Counting notes is the job context's, not the store's: DuckDB is enough."""
    monkeypatch.setenv("LORC_MAP_WORKERS", workers)
    config = load_config(home)
    store = open_store(config)
    store.ensure_schema()
    events = EventClient(store, run_id="run-test", job_name="extract_test", tmp_dir=home.tmp_dir)
    records = [{"id": f"r{n:04d}", "n": n} for n in range(700)]  # more than IN_PROCESS_MAX: a pool when 2
    events.emit_batch("ingest.completed", records, spec=ObjectSpec(Source("test", "conn"), "thing"))
    ctx = JobContext(
        store=store,
        events=events,
        config=config,
        run_id="run-test",
        job_name="map_test",
        logger=logging.getLogger("test"),
    )

    def mapping(item: InputRow) -> Noted | list[CanonicalRow]:
        n = item.payload["n"]
        row = CanonicalRow(
            f"{item.idem_key}#out",
            "out",
            "iglu:test/out/jsonschema/1-0-0",
            item.idem_key,
            item.payload_hash,
            "test@1",
            {"n": n},
        )
        if n % 7 == 0:
            return Noted([], ("skipped",))
        if n % 5 == 0:
            return Noted([row], ("fives", "odd") if n % 2 else ("fives",))
        return [row]

    try:
        counts = ctx.map_inputs(
            consumer="notes@1", table="raw_objects", object_type="thing", fn=mapping, event_type="test.mapped"
        ).as_dict()
        written = len(list(store.read_objects("canonical_objects", "out")))
    finally:
        store.close()
    sevens = len(range(0, 700, 7))
    fives = [n for n in range(700) if n % 5 == 0 and n % 7]
    assert (counts["skipped"], counts["fives"], counts["odd"]) == (sevens, len(fives), len([n for n in fives if n % 2]))
    assert (counts["inputs"], counts["outputs_inserted"]) == (700, 700 - sevens)
    assert written == 700 - sevens
