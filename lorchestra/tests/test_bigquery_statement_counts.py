"""On BigQuery the cost is statements and bytes: count them for a run of the e-mail lane.

A recording proxy between the suite and the emulator sees every API request. The
batch sizes this test documents (and docs/performance.md repeats):

- raw: one batch per extracted file, i.e. per connection and run: one load job into a
  staging table, one query finding which staged keys are stored (and in which
  partitions), then one query job whose transaction holds the batch's one write into
  ``raw_objects`` (an INSERT when every record is new, else a MERGE pruned to those
  partitions) and one DELETE of the rejects its records no longer earn;
- canonical: one batch per page of ``map_inputs`` (4,000 inputs): one load job, one
  lookup and one write into ``canonical_objects``; the same into ``processed_inputs``;
- projections: a first build is one load job replacing each table (WRITE_TRUNCATE: the
  view and its member index), and one transaction replacing its row in ``job_state``
  (the state it was built from: a load job each of its key and its row, one DELETE and
  one INSERT);
- audit events: one load job and one INSERT per job run, however many events the job
  wrote (held by the event client until the job's run ends).
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from backend_sql import sql_rows
from cli_support import bigquery_environ, lorc
from fault_proxy import FaultProxy, forward_all
from lorchestra.home import PhiHome
from lorchestra.runner import run_jobs

PER_MAILBOX = 250
MAILBOXES = 6  # the default config: three Gmail, three Exchange connections
LANE = ["extract_email", "canonicalize_email", "build_inbox_view"]
WRITE = re.compile(r"^(MERGE|INSERT INTO)\s+`?[\w-]+\.[\w-]+\.(\w+)`?", re.IGNORECASE)
LOOKUP = re.compile(r"^SELECT MIN\(T\.\w+\) AS low.* JOIN `?[\w-]+\.[\w-]+\.(\w+)`? T ", re.DOTALL)
PARTITION_LITERAL = re.compile(r"\b\w+ BETWEEN TIMESTAMP '[^']+' AND TIMESTAMP '[^']+'")


def _jobs(requests: list[tuple[str, str, bytes]]) -> tuple[list[str], list[str]]:
    """(load job descriptions, query texts) of the job inserts among the requests."""
    loads, queries = [], []
    for method, path, body in requests:
        if method != "POST" or "/jobs" not in path:
            continue
        try:  # a load job's upload starts with its configuration; its data follows in other requests
            configuration = json.loads(body or b"{}").get("configuration", {})
        except ValueError:
            continue
        if "query" in configuration:
            queries.append(configuration["query"]["query"])
        elif "load" in configuration:
            loads.append(configuration["load"]["destinationTable"]["tableId"])
    return loads, queries


def test_a_lane_run_uses_one_load_and_one_merge_per_batch_per_table(bq_emulator: Any, home: PhiHome) -> None:
    environ = bigquery_environ(bq_emulator, f"counts_{uuid.uuid4().hex[:8]}")
    assert lorc("init", "--create-dataset", env=environ).returncode == 0  # the dataset and its tables
    events_before = _event_count(home, environ, bq_emulator.endpoint)
    with FaultProxy(bq_emulator.endpoint, forward_all) as proxy:
        environ["LORC_STORAGE__BIGQUERY__API_ENDPOINT"] = proxy.endpoint
        report = run_jobs(
            LANE,
            home=home,
            environ=environ,
            params={"count": PER_MAILBOX},
        )
    assert report.ok, report.as_dict()
    counts = {o.name: o.counts for o in report.outcomes}
    assert counts["extract_email"]["inserted"] == PER_MAILBOX * MAILBOXES
    assert counts["canonicalize_email"]["inputs"] == PER_MAILBOX * MAILBOXES

    loads, queries = _jobs(proxy.requests)
    statements = [part.strip() for q in queries for part in q.split(";") if part.strip()]
    writes = Counter((m.group(1).upper(), m.group(2)) for st in statements if (m := WRITE.match(st)))
    lookups = Counter(m.group(1) for q in queries if (m := LOOKUP.match(q.strip())))
    raw_batches = MAILBOXES  # one extracted file per connection
    canonical_pages = 2  # Gmail and Graph inputs, each under one page of 4,000
    # every record is new: each batch is one lookup and one INSERT per table, and no MERGE
    # (whose UPDATE clause would bill the partitions it may touch)
    assert lookups == {"raw_objects": raw_batches, "canonical_objects": canonical_pages, "processed_inputs": 2}
    assert writes[("INSERT INTO", "raw_objects")] == raw_batches
    assert writes[("INSERT INTO", "canonical_objects")] == canonical_pages
    assert writes[("INSERT INTO", "processed_inputs")] == canonical_pages
    assert not [w for w in writes if w[0] == "MERGE"], writes
    events = _event_count(home, environ, bq_emulator.endpoint) - events_before
    event_inserts = writes[("INSERT INTO", "event_log")]
    assert events > 2 * len(LANE)  # a job writes several events (started, per batch or page, ended)
    assert event_inserts == len(LANE)  # and all of them in one load job and one INSERT per job run
    # raw and canonical batches, the processed ledger per page, the swap of the view and of
    # its member index, the build's state (its key and its row), and the events of each job run
    assert len(loads) == raw_batches + 2 * canonical_pages + 4 + len(LANE)
    dml = sum(1 for st in statements if st.split(None, 1)[0].upper() in ("MERGE", "INSERT", "UPDATE", "DELETE"))
    records = PER_MAILBOX * MAILBOXES
    cleared = sum(1 for st in statements if re.match(r"DELETE FROM \S*rejects", st))
    assert cleared == raw_batches  # a raw batch also clears the rejects its records no longer earn
    state = sum(1 for st in statements if re.match(r"(DELETE FROM|INSERT INTO) \S*job_state", st))
    assert state == 2  # the build's state replaced: one DELETE, one INSERT
    earlier = sum(1 for st in statements if re.match(r"DELETE FROM \S*processed_inputs", st))
    assert earlier == 0  # the first build looks for a state an earlier version kept in the map ledger: none
    dml_explained = sum(n for (_, table), n in writes.items() if table != "job_state") + cleared + state
    assert dml == dml_explained, "a DML statement the batches do not explain"
    print(
        f"\n{records} records: {len(loads)} load jobs, {len(queries)} query jobs, {dml} DML statements "
        f"(writes {dict(writes)}, lookups {dict(lookups)})"
    )


def test_a_batch_of_stored_records_is_one_merge_pruned_to_their_partitions(
    bq_emulator: Any, home: PhiHome, tmp_path: Path
) -> None:
    from lorchestra.config import load_config
    from lorchestra.stack_clients import EventClient, open_store
    from store_contract_rows import SPEC, message, write_jsonl

    environ = bigquery_environ(bq_emulator, f"again_{uuid.uuid4().hex[:8]}")
    with FaultProxy(bq_emulator.endpoint, forward_all) as proxy:
        store = open_store(load_config(home, {**environ, "LORC_STORAGE__BIGQUERY__API_ENDPOINT": proxy.endpoint}))
        try:
            store.ensure_schema(create_dataset=True)
            events = EventClient(store, run_id="r", job_name="extract_test", tmp_dir=home.tmp_dir)
            events.emit_jsonl(
                "ingest.completed", write_jsonl(tmp_path / "a.jsonl", [message("m1"), message("m2")]), spec=SPEC
            )
            first = len(proxy.requests)
            counts = events.emit_jsonl(
                "ingest.completed",
                write_jsonl(tmp_path / "b.jsonl", [message("m1", history="9"), message("m2"), message("m3")]),
                spec=SPEC,
            )
        finally:
            store.close()
    assert (counts.inserted, counts.updated, counts.unchanged) == (1, 1, 1)
    assert _raw_writes(proxy.requests[:first]) == ["INSERT INTO"]
    merges = _raw_writes(proxy.requests[first:])
    assert len(merges) == 1 and merges[0].startswith("MERGE"), merges
    on = merges[0].split("WHEN", 1)[0]  # the target pruned by constants: its partitions, its leading clusters
    assert PARTITION_LITERAL.search(on) and "T.first_seen BETWEEN" in on, on
    assert f"T.connection_name = '{SPEC.source.connection}'" in on and "T.object_type = 'email'" in on, on


def _raw_writes(requests: list[tuple[str, str, bytes]]) -> list[str]:
    """The statements among ``requests`` that write raw_objects (whole; INSERTs as their verb)."""
    _, queries = _jobs(requests)
    statements = [part.strip() for q in queries for part in q.split(";") if part.strip()]
    found = [(m.group(1).upper(), st) for st in statements if (m := WRITE.match(st)) and m.group(2) == "raw_objects"]
    return [verb if verb == "INSERT INTO" else st for verb, st in found]


def _event_count(home: PhiHome, environ: dict[str, str], endpoint: str) -> int:
    from lorchestra.config import load_config
    from lorchestra.stack_clients import open_store

    store = open_store(load_config(home, {**environ, "LORC_STORAGE__BIGQUERY__API_ENDPOINT": endpoint}))
    try:
        return int(sql_rows(store, f"SELECT count(*) AS n FROM {store.table('event_log')}")[0]["n"])
    finally:
        store.close()
