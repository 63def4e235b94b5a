"""``lorc bench ingest``: throughput of the batch emit on DuckDB with Gmail-shaped records.

N records of about 4 KB; 10% of them repeat an earlier key with a changed payload (so
each pass also exercises in-batch dedupe). Pass 1 writes into an empty warehouse, pass 2
writes the same file again (everything unchanged). The data is synthetic.

The same two passes then go through the plain DuckDB floor (``read_ndjson_objects`` and
one ``MERGE`` with in-batch dedupe, in a warehouse of its own with the same settings), so
every run prints how far ahead of it the batch emit is, on the same data and machine.
"""

from __future__ import annotations

import base64
import os
import random
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

from lorchestra.bench.memory import peak_mb, reset_peak
from lorchestra.bench.targets import TargetCheck, ingest_targets
from lorchestra.home import private_dir
from lorchestra.stack_clients import EventClient, ObjectSpec, Source
from lorchestra.stack_clients.clock import utcnow
from lorchestra.stack_clients.duckdb_store.ingest_floor import merge_floor
from lorchestra.stack_clients.duckdb_store.store import DuckDBStore

GMAIL_SCHEMA = "iglu:com.google/gmail_message/jsonschema/1-0-0"


@dataclass(frozen=True)
class BenchResult:
    records: int
    file_mb: float
    first_pass_seconds: float
    first_pass_records_per_s: float
    second_pass_seconds: float
    second_pass_records_per_s: float
    first_pass_counts: dict[str, int]
    second_pass_counts: dict[str, int]
    peak_rss_mb: float  # of the two passes of the batch emit
    floor_first_pass_seconds: float
    floor_first_pass_records_per_s: float
    floor_second_pass_seconds: float
    floor_second_pass_records_per_s: float
    first_pass_times_floor: float  # records/s of the batch emit over the floor's, first pass
    second_pass_times_floor: float
    floor_rows: int  # what the floor stored: the distinct records, as the batch emit inserted them
    floor_memory_limit: str
    targets: list[TargetCheck]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def write_gmail_records(path: Path, records: int, seed: int = 7) -> None:
    """Deterministic Gmail ``users.messages.get`` shapes; the last 10% reuse earlier ids."""
    rnd = random.Random(seed)
    distinct = records - records // 10
    with path.open("wb") as handle:
        for i in range(records):
            key = i if i < distinct else rnd.randrange(distinct)
            body = base64.urlsafe_b64encode(rnd.randbytes(2600)).decode().rstrip("=")
            record = {
                "id": f"{0x18F0000000000000 + key:016x}",
                "threadId": f"{0x18F0000000000000 + key - key % 3:016x}",
                "labelIds": ["INBOX", "UNREAD"] if i % 2 else ["INBOX"],
                "snippet": f"Synthetic message {i} for the ingest benchmark " * 4,
                "historyId": str(5_000_000 + i),
                "internalDate": str(1_715_678_093_000 + i * 1000),
                "payload": {
                    "partId": "",
                    "mimeType": "text/plain",
                    "filename": "",
                    "headers": [
                        {"name": "From", "value": f"sender{key}@example.test"},
                        {"name": "To", "value": "praxis@praxis-weber.example"},
                        {"name": "Subject", "value": f"Benchmark {key}"},
                        {"name": "Date", "value": "Tue, 14 May 2024 11:14:52 +0200"},
                        {"name": "Message-ID", "value": f"<bench-{key}@example.test>"},
                    ],
                    "body": {"size": 2600, "data": body},
                },
                "sizeEstimate": 4200,
            }
            handle.write(orjson.dumps(record) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())  # the timed passes should not pay for writing the input


def bench_ingest(
    records: int, *, work_dir: Path | None = None, memory_limit: str = "512MB", floor_memory_limit: str = "4GB"
) -> BenchResult:
    """``floor_memory_limit``: the floor's own; DuckDB holds a ``MERGE``'s new rows in memory
    until it commits, so at 100,000 records of 4 KB 512 MB is not enough for it."""
    base = private_dir(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="lorc-bench-"))
    run_dir = Path(tempfile.mkdtemp(prefix="bench-", dir=base))
    try:
        data = run_dir / "gmail.jsonl"
        write_gmail_records(data, records)
        reset_peak()
        store = DuckDBStore(run_dir / "bench.duckdb", tmp_dir=run_dir / "tmp", memory_limit=memory_limit)
        store.ensure_schema()
        events = EventClient(store, run_id="bench", job_name="bench_ingest", tmp_dir=run_dir / "tmp")
        spec = ObjectSpec(Source("gmail", "bench"), "email", schema_ref=GMAIL_SCHEMA)
        timings = []
        counts = []
        for _ in range(2):
            started = time.perf_counter()
            result = events.emit_jsonl("ingest.completed", data, spec=spec)
            store.flush()
            timings.append(time.perf_counter() - started)
            counts.append(result.as_dict())
        store.close()
        peak = peak_mb()
        floor, floor_rows = _floor_timings(data, spec, run_dir, floor_memory_limit)
        return BenchResult(
            records=records,
            file_mb=round(data.stat().st_size / 2**20, 1),
            first_pass_seconds=round(timings[0], 2),
            first_pass_records_per_s=round(records / timings[0]),
            second_pass_seconds=round(timings[1], 2),
            second_pass_records_per_s=round(records / timings[1]),
            first_pass_counts=counts[0],
            second_pass_counts=counts[1],
            peak_rss_mb=round(peak),
            floor_first_pass_seconds=round(floor[0], 2),
            floor_first_pass_records_per_s=round(records / floor[0]),
            floor_second_pass_seconds=round(floor[1], 2),
            floor_second_pass_records_per_s=round(records / floor[1]),
            first_pass_times_floor=round(floor[0] / timings[0], 2),
            second_pass_times_floor=round(floor[1] / timings[1], 2),
            floor_rows=floor_rows,
            floor_memory_limit=floor_memory_limit,
            targets=ingest_targets(round(floor[0] / timings[0], 2), records / timings[1], peak),
        )
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
        if work_dir is None:
            shutil.rmtree(base, ignore_errors=True)


def _floor_timings(data: Path, spec: ObjectSpec, run_dir: Path, memory_limit: str) -> tuple[list[float], int]:
    """Seconds of the floor's two passes over ``data`` (in a warehouse of its own) and the
    rows it holds after them."""
    store = DuckDBStore(run_dir / "floor.duckdb", tmp_dir=run_dir / "tmp", memory_limit=memory_limit)
    store.ensure_schema()
    timings = []
    rows = 0
    try:
        for _ in range(2):
            started = time.perf_counter()
            rows = merge_floor(store.connection, data, spec, utcnow())
            store.flush()
            timings.append(time.perf_counter() - started)
    finally:
        store.close()
    return timings, rows
