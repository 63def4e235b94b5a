"""What the real BigQuery refuses although the emulator accepts it, held in the statement
text itself: typed empty arrays, ``PARSE_JSON`` in round mode wherever a payload is
parsed, and scripts whose text holds no list that grows with a batch's records.

Statements are captured by the recording proxy between the store and the emulator.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from backend_sql import sql_rows
from cli_support import bigquery_environ
from fault_proxy import FaultProxy, forward_all
from lorchestra.home import PhiHome
from lorchestra.stack_clients import CanonicalRow, EventClient, Store
from lorchestra.stack_clients.bigquery_store.sql import (
    Span,
    ints,
    literal,
    merged_spans,
    partition_filter,
    query_param,
    strings,
)
from lorchestra.stack_clients.clock import utcnow
from lorchestra.stack_clients.model import EventRow
from store_contract_rows import SPEC, message, raw_rows, reject_rows, write_jsonl

PARSE_JSON = re.compile(r"PARSE_JSON\(([^()]*)\)")


def test_an_empty_array_parameter_has_the_element_type_its_call_site_names() -> None:
    keys = query_param("keys", strings([])).to_api_repr()
    assert keys["parameterType"] == {"type": "ARRAY", "arrayType": {"type": "STRING"}}
    assert keys["parameterValue"] == {"arrayValues": []}
    assert query_param("n", ints([])).to_api_repr()["parameterType"]["arrayType"] == {"type": "INT64"}
    assert query_param("keys", strings(["a"])).to_api_repr()["parameterValue"] == {"arrayValues": [{"value": "a"}]}
    with pytest.raises(TypeError, match="element type"):
        query_param("keys", [])  # a bare list would have to guess


def test_a_script_literal_is_one_scalar_on_one_line() -> None:
    assert literal("a\nb\r\tc'd\\e\x01") == "'a\\nb\\r\\tc\\'d\\\\e\\x01'"
    assert "\n" not in literal("line one\nline two")
    assert literal(datetime(2026, 12, 1, 3, 4, 5, tzinfo=UTC)) == "TIMESTAMP '2026-12-01T03:04:05+00:00'"
    for value in ([1, 2], (1,), {"a"}, strings(["a"])):
        with pytest.raises(TypeError, match="scalars only"):
            literal(value)


def test_partition_spans_become_constant_filters_over_the_fewest_ranges() -> None:
    def at(month: int, day: int) -> datetime:
        return datetime(2026, month, day, tzinfo=UTC)

    def end(month: int, day: int) -> datetime:  # the last microsecond of that day
        return at(month, day) + timedelta(days=1, microseconds=-1)

    spans = merged_spans([Span(at(4, 2), at(4, 2)), Span(at(1, 5), at(1, 9)), Span(at(2, 1), at(2, 3))], "MONTH")
    # whole months: January and February join; a row that moved within April stays selected
    assert spans == [Span(at(1, 1), end(2, 28)), Span(at(4, 1), end(4, 30))]
    assert partition_filter("T.first_seen", spans) == (
        "(T.first_seen BETWEEN TIMESTAMP '2026-01-01T00:00:00+00:00' AND TIMESTAMP '2026-02-28T23:59:59.999999+00:00' "
        "OR T.first_seen BETWEEN TIMESTAMP '2026-04-01T00:00:00+00:00' AND TIMESTAMP '2026-04-30T23:59:59.999999+00:00')"
    )
    assert partition_filter("T.first_seen", []) == "FALSE"
    assert merged_spans([Span(at(12, 31), at(12, 31))], "MONTH") == [Span(at(12, 1), end(12, 31))]
    assert merged_spans([Span(at(1, 1), at(1, 1)), Span(at(1, 3), at(1, 3))], "DAY") == [
        Span(at(1, 1), end(1, 1)),
        Span(at(1, 3), end(1, 3)),
    ]


@pytest.fixture
def recorded(bq_emulator: Any, home: PhiHome) -> Iterator[tuple[Store, FaultProxy]]:
    from lorchestra.config import load_config
    from lorchestra.stack_clients import open_store

    environ = bigquery_environ(bq_emulator, f"text_{uuid.uuid4().hex[:8]}")
    with FaultProxy(bq_emulator.endpoint, forward_all) as proxy:
        store = open_store(load_config(home, {**environ, "LORC_STORAGE__BIGQUERY__API_ENDPOINT": proxy.endpoint}))
        try:
            store.ensure_schema(create_dataset=True)
            yield store, proxy
        finally:
            store.close()


def _query_configs(proxy: FaultProxy, since: int = 0) -> list[dict[str, Any]]:
    found = []
    for method, path, body in proxy.requests[since:]:
        if method == "POST" and "/jobs" in path:
            with_query = json.loads(body or b"{}").get("configuration", {}).get("query")
            if with_query:
                found.append(with_query)
    return found


def _queries(proxy: FaultProxy, since: int = 0) -> list[str]:
    return [config["query"] for config in _query_configs(proxy, since)]


def test_every_array_the_store_sends_for_a_key_list_is_typed_string_even_when_empty(
    recorded: tuple[Store, FaultProxy],
) -> None:
    store, proxy = recorded
    store.upsert_canonical(
        [CanonicalRow("a#email", "email", "s", "a", "h", "t", {"from": "x"})], run_id="r", now=utcnow()
    )
    since = len(proxy.requests)
    assert list(store.read_objects("canonical_objects", "email", keys=[])) == []
    assert list(store.read_objects("canonical_objects", "email", keys=[], updated_after=utcnow())) == []
    assert [k for k, _ in store.read_objects("canonical_objects", "email", keys=["a#email", "b#email"])] == ["a#email"]
    assert [k for k, _ in store.read_objects("canonical_objects", "email", field_in=("from", []))] == []
    store.forget_processed("c", [])
    arrays = {
        (p["name"], p["parameterType"]["arrayType"]["type"])
        for config in _query_configs(proxy, since)
        for p in config.get("queryParameters", [])
        if p["parameterType"]["type"] == "ARRAY"
    }
    assert arrays and all(kind == "STRING" for _, kind in arrays), arrays


def test_canonical_and_event_payloads_with_numbers_beyond_a_double_are_parsed_in_round_mode(
    recorded: tuple[Store, FaultProxy],
) -> None:
    store, proxy = recorded
    big = 2**64 - 1  # a uint64: no double holds it exactly
    long_decimal = 0.1000000000000000055511151231257827  # more digits than a double keeps
    counts = store.upsert_canonical(
        [
            CanonicalRow(
                idem_key="n#note",
                object_type="note",
                schema_ref="s",
                source_idem_key="n",
                source_payload_hash="h",
                transform_ref="t",
                payload={"big": big, "long": long_decimal},
            )
        ],
        run_id="r",
        now=utcnow(),
    )
    store.append_events(
        [
            EventRow(
                event_id=uuid.uuid4().hex,
                event_type="job.completed",
                created_at=utcnow(),
                status="ok",
                payload={"bytes": big, "ratio": long_decimal},
            )
        ]
    )
    assert counts.inserted == 1
    assert [p for _, p in store.read_objects("canonical_objects", "note")] == [{"big": big, "long": 0.1}]
    parsed = [call for q in _queries(proxy) for call in PARSE_JSON.findall(q)]
    assert len(parsed) >= 2  # the canonical write and the event insert
    assert all(call.endswith("wide_number_mode => 'round'") for call in parsed), parsed


def test_a_batch_with_many_rejects_sends_a_script_that_does_not_grow_with_them(
    recorded: tuple[Store, FaultProxy], home: PhiHome, tmp_path: Path
) -> None:
    store, proxy = recorded
    events = EventClient(store, run_id="r", job_name="extract_test", tmp_dir=home.tmp_dir)

    def script_for(batch: str, rejected: int) -> str:
        since = len(proxy.requests)
        bad = [message(f"{batch}-bad-{n}", internalDate="not a date") for n in range(rejected)]
        path = write_jsonl(tmp_path / f"{batch}.jsonl", [message(f"{batch}-ok-1"), *bad, message(f"{batch}-ok-2")])
        counts = events.emit_jsonl("ingest.completed", path, spec=SPEC)
        assert (counts.inserted, counts.rejected) == (2, rejected)
        (script,) = [q for q in _queries(proxy, since) if q.startswith("BEGIN TRANSACTION")]
        return script

    few, many = script_for("a", 2), script_for("b", 400)
    assert len(many) <= len(few) + 64, "the transaction's text grows with the batch's rejects"
    assert all("\n" not in quoted for quoted in re.findall(r"'(?:[^'\\]|\\.)*'", many))
    assert len(raw_rows(store)) == 4 and len(reject_rows(store)) == 402
    staged = [
        row["n"]
        for row in sql_rows(
            store,
            f"SELECT COUNT(*) AS n FROM {store.table('raw_objects')} WHERE STARTS_WITH(external_id, 'b-bad-')",
        )
    ]
    assert staged == [0]
