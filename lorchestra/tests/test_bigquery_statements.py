"""Every statement the BigQuery backend sends, captured through the recording proxy on the
emulator: the e-mail lane (a first run, a redelivery, new synthetic mail twice), the measurement
lane, and a tour of direct store calls for what the lanes miss (``bigquery_tour``).

- their shapes equal the golden files (``golden/bigquery_statements/``, one per shape, checked
  by hand once): a shape that appears or disappears fails until the golden files are
  regenerated with ``UPDATE_GOLDEN=1`` and the diff read;
- every public step function of ``bigquery_store/`` that sends a query was seen;
- every captured statement, with the parameter types it was sent with, passes the dialect
  gate (``bigquery_dialect``);
- the bytes-scanned model (``bigquery_cost``) of an incremental e-mail lane run on the
  1M-history / 1%-new profile is at most 2% of a full scan and grows with new data, not history.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bigquery_capture import GOLDEN_DIR, Captured, query_jobs, read_golden, shapes
from bigquery_cost_profile import SAMPLE_TABLES, Sample, email_lane_costs, measure
from bigquery_dialect import Statement, check
from bigquery_tour import call_graph, delegates, query_issuing_steps, reached, tour
from cli_support import bigquery_environ, make_dataset
from fault_proxy import FaultProxy, forward_all
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.initialize import init_home
from lorchestra.runner import run_jobs
from lorchestra.stack_clients import open_store

UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"  # read at import: the suite's fixtures clear LORC_*
EMAIL_LANE = ["extract_email", "canonicalize_email", "build_inbox_view"]
MEASUREMENT_LANE = [
    "extract_forms",
    "extract_contacts",
    "canonicalize_contacts",
    "canonicalize_questionnaires",
    "score_phq9",
    "score_gad7",
    "build_measurement_timeseries",
    "build_reporting_snapshots",
]
SYNTHETIC_HISTORY, SYNTHETIC_NEW = 30, 3  # per mailbox
MAILBOXES = 6  # the default config's


@dataclass(frozen=True)
class Capture:
    project: str
    dataset: str
    statements: list[Captured]  # everything, in order
    incremental: list[Captured]  # the last e-mail lane run: new mail onto a history
    sample: dict[str, Sample]  # the tables after the sample e-mail lane (rejects: after the tour)
    day: date  # of the captured runs


@pytest.fixture(scope="module")
def capture(bq_emulator: Any, tmp_path_factory: pytest.TempPathFactory) -> Capture:
    root = tmp_path_factory.mktemp("statements")
    home = PhiHome(root / "lorc-home")
    init_home(home)
    dataset = f"statements_{uuid.uuid4().hex[:8]}"
    statements: list[Captured] = []
    with FaultProxy(bq_emulator.endpoint, forward_all) as proxy:
        environ = {**bigquery_environ(bq_emulator, dataset), "LORC_STORAGE__BIGQUERY__API_ENDPOINT": proxy.endpoint}
        make_dataset(bq_emulator, environ)  # runs never create it; made directly, so not captured

        def lane(jobs: list[str], **params: Any) -> list[Captured]:
            found = []
            for job in jobs:
                before = len(proxy.requests)
                report = run_jobs([job], home=home, environ=environ, params=params)
                assert report.ok, report.as_dict()
                found += query_jobs(proxy.requests[before:], f"lane {job}")
            statements.extend(found)
            return found

        lane(["warehouse_stats"])  # creates the dataset's tables
        lane(EMAIL_LANE)
        direct = {**environ, "LORC_STORAGE__BIGQUERY__API_ENDPOINT": bq_emulator.endpoint}
        sample = measure(home, direct, SAMPLE_TABLES)
        lane(EMAIL_LANE, revision=2)  # a redelivered message: conversations updated, not only added
        lane(MEASUREMENT_LANE)
        lane(EMAIL_LANE, count=SYNTHETIC_HISTORY)
        day = datetime.now(UTC).date()
        incremental = lane(EMAIL_LANE, first=SYNTHETIC_HISTORY, count=SYNTHETIC_NEW)
        store = open_store(load_config(home, environ))
        try:
            statements += tour(store, proxy, home.tmp_dir)
        finally:
            store.close()
    sample.update(measure(home, direct, ["rejects"]))
    return Capture(bq_emulator.project, dataset, statements, incremental, sample, day)


def test_statement_shapes_equal_the_golden_files(capture: Capture) -> None:
    found = {
        name: shape.render() for name, shape in shapes(capture.statements, capture.project, capture.dataset).items()
    }
    if UPDATE:
        GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
        for path in GOLDEN_DIR.glob("*.sql"):
            path.unlink()
        for name, text in found.items():
            (GOLDEN_DIR / f"{name}.sql").write_text(text, encoding="utf-8")
    golden = read_golden()
    how = "; if the change is meant, run UPDATE_GOLDEN=1 pytest on this file and check the new files by hand"
    assert sorted(set(found) - set(golden)) == [], "statement shapes the golden files do not have" + how
    assert sorted(set(golden) - set(found)) == [], "golden shapes the backend no longer sends" + how
    changed = sorted(name for name in found if found[name] != golden[name])
    assert changed == [], "parameters or callers changed" + how


def test_every_public_step_function_that_sends_a_query_was_seen(capture: Capture) -> None:
    graph = call_graph()
    methods = delegates()
    callers = {c.origin.removeprefix("store.") for c in capture.statements if c.origin.startswith("store.")}
    assert callers <= set(methods), "a tour call of a store method that delegates to no step function"
    seen = reached(graph, {methods[m] for m in callers})
    required = query_issuing_steps(graph)
    assert len(required) > 10  # the source was read
    assert sorted(required - seen) == []


def test_every_captured_statement_passes_the_dialect_gate(capture: Capture) -> None:
    findings = {
        (c.origin, f.rule, f.detail) for c in capture.statements for f in check(Statement(c.sql, c.param_types))
    }
    assert sorted(findings) == []


def test_an_incremental_email_run_scans_at_most_2_percent_of_a_full_scan_and_history_only_as_keys(
    capture: Capture,
) -> None:
    """1,000,000 stored e-mails, 10,000 new (docs/bigquery-cost-model.md has the method)."""
    captured_new = SYNTHETIC_NEW * MAILBOXES
    costs = email_lane_costs(capture.incremental, capture.sample, capture.day, 1_000_000, 10_000, captured_new)
    billed, baseline = sum(c.bytes for _, c in costs), sum(c.baseline for _, c in costs)
    raw, canonical = capture.sample["raw_objects"], capture.sample["canonical_objects"]
    print(
        f"\nsample: {raw.rows} e-mails; average payload {raw.widths['payload']:.0f} B raw, "
        f"{canonical.widths['payload']:.0f} B canonical; row {sum(raw.widths.values()):.0f} B raw, "
        f"{sum(canonical.widths.values()):.0f} B canonical"
    )
    print(f"\n{'origin':<26} {'statement':<58} {'estimated MB':>13} {'full scan MB':>13}")
    for statement, cost in costs:
        print(f"{statement.origin:<26} {cost.kind[:58]:<58} {cost.bytes / 1e6:>13.2f} {cost.baseline / 1e6:>13.1f}")
    print(f"{'run':<85} {billed / 1e6:>13.2f} {baseline / 1e6:>13.1f}  ({billed / baseline:.3%})")
    floor = sum(c.floor for _, c in costs)
    print(f"with on-demand billing's 10 MB minimum per table referenced: {floor / 1e6:.1f} MB ({floor / baseline:.3%})")
    assert billed <= 0.02 * baseline

    def total(history: int, new: int) -> tuple[float, float]:
        found = email_lane_costs(capture.incremental, capture.sample, capture.day, history, new, captured_new)
        return sum(c.bytes for _, c in found), sum(c.payload for _, c in found)

    # What grows with the history is key columns only: the anti-join that selects changed
    # inputs reads every stored input's key and hash and the consumer's ledger, and the
    # guard of each INSERT the recent partitions' keys (together about 450 bytes per stored
    # e-mail, 15% of a raw row); no payload of history is read.
    _, payload = total(1_000_000, 10_000)
    twice_the_history, payload_of_twice_the_history = total(2_000_000, 10_000)
    per_stored_email = (twice_the_history - billed) / 1_000_000
    print(f"history doubled: {twice_the_history / billed:.3f}x the bytes, {per_stored_email:.0f} B per stored e-mail")
    assert payload_of_twice_the_history < 1.05 * payload
    assert per_stored_email <= 0.2 * sum(raw.widths.values())
    _, twice_the_new = total(1_000_000, 20_000)
    print(f"new data doubled: {twice_the_new / payload:.3f}x the payload bytes")
    assert 1.8 <= twice_the_new / payload <= 2.2
