"""``lorc bench backfill`` runs (figures are for the note, not asserted): one mailbox at a
fake API, then a second home killed halfway and resumed."""

from __future__ import annotations

import json

import pytest

from cli_support import lorc


@pytest.mark.parametrize("system", ["gmail", "exchange"])
def test_bench_backfill_stores_every_message_and_the_resumed_run_refetches_at_most_a_chunk(system: str) -> None:
    result = lorc(
        "bench", "backfill", "--system", system, "--messages", "40", "--latency-ms", "0", "--chunk", "10", "--json"
    )

    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert (figures["stored"], figures["killed"]["total_after_rerun"]) == (40, 40)
    assert figures["killed"]["refetched_committed"] <= 10
