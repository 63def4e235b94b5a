"""On BigQuery the cost is statements and bytes: count them for a run of the e-mail lane.

A recording proxy between the suite and the emulator sees every API request. The
batch sizes this test documents (and docs/performance.md repeats):

- raw: one batch per extracted file, i.e. per connection and run: one load job into a
  staging table, then one query job whose transaction holds the batch's one MERGE into
  ``raw_objects`` and one DELETE of the rejects its records no longer earn;
- canonical: one batch per page of ``map_inputs`` (4,000 inputs): one load job and one
  MERGE into ``canonical_objects``, one MERGE into ``processed_inputs``;
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
from typing import Any

from backend_sql import sql_rows
from cli_support import bigquery_environ, lorc
from fault_proxy import FaultProxy, forward_all
from lorchestra.home import PhiHome
from lorchestra.runner import run_jobs

PER_MAILBOX = 250
MAILBOXES = 6  # the default config: three Gmail, three Exchange connections
LANE = ["extract_email", "canonicalize_email", "build_inbox_view"]
MERGE_INTO = re.compile(r"\bMERGE\s+`?([\w.-]+)`?", re.IGNORECASE)


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
    merges = Counter()
    for query in queries:
        targets = Counter(name.split(".")[-1] for name in MERGE_INTO.findall(query))
        assert all(n == 1 for n in targets.values()), f"a statement with two MERGEs into one table: {targets}"
        merges.update(targets)
    raw_batches = MAILBOXES  # one extracted file per connection
    canonical_pages = 2  # Gmail and Graph inputs, each under one page of 4,000
    assert merges["raw_objects"] == raw_batches
    assert merges["canonical_objects"] == canonical_pages
    assert merges["processed_inputs"] == canonical_pages
    assert set(merges) <= {"raw_objects", "canonical_objects", "processed_inputs", "rejects"}
    events = _event_count(home, environ, bq_emulator.endpoint) - events_before
    event_inserts = sum(1 for q in queries if re.search(r"INSERT INTO \S*event_log", q))
    assert events > 2 * len(LANE)  # a job writes several events (started, per batch or page, ended)
    assert event_inserts == len(LANE)  # and all of them in one load job and one INSERT per job run
    # raw and canonical batches, the processed ledger per page, the swap of the view and of
    # its member index, the build's state (its key and its row), and the events of each job run
    assert len(loads) == raw_batches + 2 * canonical_pages + 4 + len(LANE)
    statements = [part.strip() for q in queries for part in q.split(";") if part.strip()]
    dml = sum(1 for st in statements if st.split(None, 1)[0].upper() in ("MERGE", "INSERT", "UPDATE", "DELETE"))
    records = PER_MAILBOX * MAILBOXES
    cleared = sum(1 for st in statements if re.match(r"DELETE FROM \S*rejects", st))
    assert cleared == raw_batches  # a raw batch also clears the rejects its records no longer earn
    state = sum(1 for st in statements if re.match(r"(DELETE FROM|INSERT INTO) \S*job_state", st))
    assert state == 2  # the build's state replaced: one DELETE, one INSERT
    earlier = sum(1 for st in statements if re.match(r"DELETE FROM \S*processed_inputs", st))
    assert earlier == 1  # the first build drops a state an earlier version kept in the map ledger
    dml_explained = sum(merges.values()) + event_inserts + cleared + state + earlier
    assert dml == dml_explained, "a DML statement the batches do not explain"
    print(
        f"\n{records} records: {len(loads)} load jobs, {len(queries)} query jobs, {dml} DML statements "
        f"(MERGEs {dict(merges)}, {event_inserts} event inserts)"
    )


def _event_count(home: PhiHome, environ: dict[str, str], endpoint: str) -> int:
    from lorchestra.config import load_config
    from lorchestra.stack_clients import open_store

    store = open_store(load_config(home, {**environ, "LORC_STORAGE__BIGQUERY__API_ENDPOINT": endpoint}))
    try:
        return int(sql_rows(store, f"SELECT count(*) AS n FROM {store.table('event_log')}")[0]["n"])
    finally:
        store.close()
