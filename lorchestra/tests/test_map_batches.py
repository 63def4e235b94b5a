"""map_inputs writes several pages at once, and the DuckDB store stages, pages and hashes
inside DuckDB: the same outputs, rejects, ledger rows and counts as one record at a time,
with a bad record rejected alone, whatever the page, batch and slice sizes."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.jobkit import JobContext, Noted, Rejected, context
from lorchestra.jobkit.mapping import MapResult, pack, unpack
from lorchestra.stack_clients import (
    CanonicalRow,
    EventClient,
    InputRow,
    ObjectSpec,
    Source,
    open_store,
)
from lorchestra.stack_clients.clock import utcnow
from lorchestra.stack_clients.duckdb_store import canonical, ledger
from lorchestra.stack_clients.duckdb_store.store import DuckDBStore
from lorchestra.stack_clients.model import dumps, payload_hash

RECORDS = 700  # more than IN_PROCESS_MAX: a pool when there are two workers


def expected(n: int) -> MapResult:
    """The answer for record ``n``, computed one record at a time."""
    if n % 11 == 0:
        return Rejected("not_eleven", "n")
    row = CanonicalRow(
        f"test:conn:thing:r{n:04d}#out",
        "out",
        "iglu:test/out/jsonschema/1-0-0",
        f"test:conn:thing:r{n:04d}",
        "",  # filled with the input's hash below
        "test@1",
        {"n": n, "text": f"Grüße {n} \u2603", "ratio": n / 7},
    )
    return Noted([row], ("sevens",)) if n % 7 == 0 else [row]


def mapping(item: InputRow) -> MapResult:
    result = expected(item.payload["n"])
    if isinstance(result, Rejected):
        return result
    rows = result.rows if isinstance(result, Noted) else result
    filled = [
        CanonicalRow(
            r.idem_key, r.object_type, r.schema_ref, r.source_idem_key, item.payload_hash, r.transform_ref, r.payload
        )
        for r in rows
    ]
    return Noted(filled, result.notes) if isinstance(result, Noted) else filled


@pytest.fixture
def ctx(home: PhiHome) -> Iterator[JobContext]:
    config = load_config(home)
    store = open_store(config)
    store.ensure_schema()
    events = EventClient(store, run_id="run-test", job_name="extract_test", tmp_dir=home.tmp_dir)
    records = [{"id": f"r{n:04d}", "n": n} for n in range(RECORDS)]
    events.emit_batch("ingest.completed", records, spec=ObjectSpec(Source("test", "conn"), "thing"))
    try:
        yield JobContext(
            store=store,
            events=events,
            config=config,
            run_id="run-test",
            job_name="map_test",
            logger=logging.getLogger("t"),
        )
    finally:
        store.close()


@pytest.mark.parametrize(("workers", "page_size", "batch_rows"), [("1", 4000, 16_384), ("1", 37, 100), ("2", 50, 120)])
def test_batched_writes_give_what_one_record_at_a_time_gives(
    ctx: JobContext, monkeypatch: pytest.MonkeyPatch, workers: str, page_size: int, batch_rows: int
) -> None:
    monkeypatch.setenv("LORC_MAP_WORKERS", workers)
    monkeypatch.setattr(context, "WRITE_BATCH_ROWS", batch_rows)
    counts = ctx.map_inputs(
        consumer="batch@1",
        table="raw_objects",
        object_type="thing",
        fn=mapping,
        event_type="test.mapped",
        page_size=page_size,
    ).as_dict()
    bad = {n for n in range(RECORDS) if n % 11 == 0}
    good = [n for n in range(RECORDS) if n not in bad]
    assert counts["inputs"] == RECORDS and counts["rejected"] == len(bad)
    assert counts["outputs_inserted"] == len(good) and counts["sevens"] == len([n for n in good if n % 7 == 0])

    stored = {row["idem_key"]: row for row in ctx.store.read_table("canonical_objects")}
    assert sorted(stored) == [f"test:conn:thing:r{n:04d}#out" for n in good]
    for n in good:
        row = stored[f"test:conn:thing:r{n:04d}#out"]
        want = expected(n)
        want_payload = (want.rows if isinstance(want, Noted) else want)[0].payload  # type: ignore[union-attr]
        assert row["payload"] == want_payload
        assert row["payload_hash"] == payload_hash(dumps(want_payload))  # DuckDB's md5 is the model's hash
    rejects = {row["input_key"]: row for row in ctx.store.read_table("rejects")}
    assert sorted(rejects) == [f"test:conn:thing:r{n:04d}" for n in sorted(bad)]
    assert {(r["rule"], r["field"]) for r in rejects.values()} == {("not_eleven", "n")}
    ledger_rows = {row["input_idem_key"]: row["outcome"] for row in ctx.store.read_table("processed_inputs")}
    assert ledger_rows == {f"test:conn:thing:r{n:04d}": "rejected" if n in bad else "ok" for n in range(RECORDS)}
    again = ctx.map_inputs(
        consumer="batch@1", table="raw_objects", object_type="thing", fn=mapping, event_type="test.mapped"
    )
    assert again.inputs == 0


def rows_of(result: MapResult) -> list[tuple[str, str, str, str, str, str, bytes]]:
    rows = result.rows if isinstance(result, Noted) else result
    assert not isinstance(rows, Rejected)
    return [
        (
            r.idem_key,
            r.object_type,
            r.schema_ref,
            r.source_idem_key,
            r.source_payload_hash,
            r.transform_ref,
            dumps(r.payload),
        )
        for r in rows
    ]


@pytest.mark.parametrize("n", [0, 7, 8])  # rejected, noted, plain rows
def test_a_result_crosses_from_a_worker_unchanged(n: int) -> None:
    result = expected(n)
    back = unpack(pack(result))
    assert type(back) is type(result)
    if isinstance(result, Rejected):
        assert back == result
    else:
        assert rows_of(back) == rows_of(result)
        assert getattr(back, "notes", ()) == getattr(result, "notes", ())


def test_a_page_whose_rows_moved_is_still_read_whole(ctx: JobContext) -> None:
    store = ctx.store
    assert isinstance(store, DuckDBStore)
    con = store.connection
    pages = list(
        ledger.changed_inputs(
            con, "moved@1", table="raw_objects", object_type="thing", source_system=None, page_size=300
        )
    )
    assert sum(len(p) for p in pages) == RECORDS
    con.execute(
        "CREATE TEMP TABLE _moved AS SELECT rowid + 100000 AS row_id, idem_key, row_number() OVER (ORDER BY rowid) AS n "
        "FROM raw_objects"
    )  # row ids that no longer match the table, as after a compaction
    page = ledger._page(con, "_moved", "raw_objects", 0, 300)
    assert [r.idem_key for r in page] == [r.idem_key for r in pages[0]]


def test_duplicates_across_staged_slices_keep_the_last_row(ctx: JobContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(canonical, "STAGE_ROWS", 2)

    def row(key: str, value: str) -> CanonicalRow:
        return CanonicalRow(
            f"k:{key}#out", "out", "iglu:test/out/jsonschema/1-0-0", f"k:{key}", "h", "t@1", {"v": value}
        )

    batch = [row("a", "1"), row("b", "1"), row("c", "1"), row("a", "2"), row("d", "1"), row("b", "3")]
    counts = ctx.store.upsert_canonical(batch, run_id="r", now=utcnow())
    assert (counts.inserted, counts.superseded) == (4, 2)
    stored = {r["idem_key"]: r["payload"] for r in ctx.store.read_table("canonical_objects")}
    assert stored == {"k:a#out": {"v": "2"}, "k:b#out": {"v": "3"}, "k:c#out": {"v": "1"}, "k:d#out": {"v": "1"}}
