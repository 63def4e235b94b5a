"""The rules of the bytes-scanned model (``bigquery_cost``, ``bigquery_pruning``), each on small hand-made
statements over a hand-made profile whose figures make every term visible."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bigquery_cost import estimate
from bigquery_pruning import Context, TableProfile

TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
WIDTHS = {"id": 10.0, "a": 4.0, "b": 4.0, "payload": 100.0, "created_at": 8.0}
ROW = sum(WIDTHS.values())  # 126
# 1,000 rows of history over 10 days (100 a day) and 100 new rows today
EVENTS = TableProfile(1000, 100, WIDTHS, 10, {"a": 5, "b": 20}, "created_at", ("a", "b"))
PLAIN = TableProfile(500, 0, {"id": 10.0, "h": 20.0})
CONTEXT = Context({"events": EVENTS, "plain": PLAIN}, stage_rows=7, today=TODAY)
ALL = 1100


def billed(sql: str, **params: object) -> float:
    return estimate(sql, params, CONTEXT).bytes


def test_only_the_columns_referenced_are_read_and_the_baseline_reads_everything() -> None:
    cost = estimate("SELECT id, a FROM `p.d.events` ORDER BY id", {}, CONTEXT)
    assert cost.bytes == ALL * 14
    assert cost.baseline == ALL * ROW
    assert billed("SELECT * FROM `p.d.events`") == ALL * ROW
    assert billed("SELECT e.id FROM `p.d.events` e JOIN `p.d.plain` p ON p.id = e.id") == ALL * 10 + 500 * 10


def test_a_constant_filter_on_the_partition_column_reads_only_its_partitions() -> None:
    today = billed("SELECT id FROM `p.d.events` WHERE created_at >= @since", since=NOW - timedelta(hours=1))
    assert today == 100 * 18  # id and created_at, in today's partition only
    two_days = billed("SELECT id FROM `p.d.events` WHERE created_at > @since", since=NOW - timedelta(days=2))
    assert two_days == (100 + 2 * 100) * 18
    literal = billed("SELECT id FROM `p.d.events` WHERE created_at >= TIMESTAMP '2026-12-01T00:00:00+00:00'")
    assert literal == 100 * 18


@pytest.mark.parametrize(
    "condition",
    [
        "created_at >= (SELECT MAX(created_at) FROM `p.d.plain`)",  # through a subquery
        "created_at >= TIMESTAMP_SUB(created_at, INTERVAL 1 DAY)",  # not a constant
        "(@since IS NULL OR created_at >= @since)",  # not a conjunct
    ],
)
def test_a_filter_that_is_not_a_constant_conjunct_prunes_no_partition(condition: str) -> None:
    sql = f"SELECT id FROM `p.d.events` WHERE {condition}"
    assert estimate(sql, {"since": NOW}, CONTEXT).bytes >= ALL * 10


def test_clustering_prunes_on_a_prefix_of_its_columns_only() -> None:
    assert billed("SELECT id FROM `p.d.events` WHERE a = @a", a="x") == ALL * 14 / 5
    assert billed("SELECT id FROM `p.d.events` WHERE a IN UNNEST(@a)", a=["x", "y"]) == ALL * 14 * 2 / 5
    assert billed("SELECT id FROM `p.d.events` WHERE a = 'x' AND b = 'y'") == pytest.approx(ALL * 18 / 100)
    assert billed("SELECT id FROM `p.d.events` WHERE b = @b", b="y") == ALL * 14  # skips the first column


def test_an_insert_bills_what_it_reads_not_its_target() -> None:
    sql = "INSERT INTO `p.d.events` (id, payload) SELECT id, payload FROM `p.d._stage_1`"
    assert billed(sql) == 7 * 110  # the staging table holds the batch: 7 rows as wide as the target's columns


def test_delete_and_update_bill_every_column_of_the_touched_partitions() -> None:
    assert billed("DELETE FROM `p.d.events` WHERE a = @a", a="x") == ALL * ROW  # clustering does not cut t
    assert billed("DELETE FROM `p.d.events` WHERE created_at >= @t", t=NOW) == 100 * ROW
    assert billed("UPDATE `p.d.plain` SET h = 'x' WHERE id = 'k'") == 500 * 30


def test_a_merge_bills_its_whole_target_only_when_it_updates_or_deletes() -> None:
    insert_only = (
        "MERGE `p.d.plain` T USING `p.d._stage_2` S ON T.id = S.id "
        "WHEN NOT MATCHED THEN INSERT (id, h) VALUES (S.id, S.h)"
    )
    assert billed(insert_only) == 500 * 10 + 7 * 30
    updating = insert_only + " WHEN MATCHED THEN UPDATE SET h = S.h"
    assert billed(updating) == 500 * 30 + 7 * 30
    pruned = (
        "MERGE `p.d.events` T USING `p.d._stage_3` S ON T.id = S.id AND T.created_at >= @today "
        "WHEN MATCHED THEN UPDATE SET payload = S.payload"
    )
    assert estimate(pruned, {"today": NOW}, CONTEXT).bytes == 100 * ROW + 7 * 110


def test_a_script_sums_its_statements_and_a_table_without_a_profile_is_an_error() -> None:
    script = "BEGIN TRANSACTION;\nSELECT id FROM `p.d.plain`;\nSELECT h FROM `p.d.plain`;\nCOMMIT TRANSACTION;"
    assert estimate(script, {}, CONTEXT).bytes == 500 * 30
    with pytest.raises(KeyError, match="no profile for table other"):
        billed("SELECT id FROM `p.d.other`")


# 3,000 rows over 300 days (10 a day), 50 new today, monthly partitions clustered down to the key
MONTHLY = TableProfile(
    3000,
    50,
    {"idem_key": 10.0, "t": 8.0, "p": 100.0},
    300,
    {},
    "t",
    ("idem_key",),
    partition_unit="MONTH",
    unique=frozenset({"idem_key"}),
)


def monthly(sql: str, days_into_month: int = 30, **params: object) -> float:
    context = Context({"m": MONTHLY}, today=TODAY, days_into_month=days_into_month)
    return estimate(sql, params, context).bytes


def test_a_monthly_partition_holds_the_month_so_far_and_ranges_or_ed_select_each_of_theirs() -> None:
    this_month = "SELECT p FROM `p.d.m` WHERE t BETWEEN TIMESTAMP '2026-12-01 08:00:00+00' AND TIMESTAMP '2026-12-01 09:00:00+00'"
    assert monthly(this_month) == (50 + 30 * 10) * 108  # today's rows and 30 days of history
    assert monthly(this_month, days_into_month=0) == 50 * 108  # a month's first day
    two = (
        "SELECT p FROM `p.d.m` WHERE (t BETWEEN TIMESTAMP '2026-12-01T08:00:00+00:00' AND TIMESTAMP '2026-12-01T09:00:00+00:00'"
        " OR t BETWEEN TIMESTAMP '2026-09-15T00:00:00+00:00' AND TIMESTAMP '2026-09-16T00:00:00+00:00')"
    )
    assert monthly(two, days_into_month=0) == (50 + 30 * 10) * 108  # today's and one 30-day month
    assert monthly("SELECT p FROM `p.d.m` WHERE FALSE") == 0


def test_a_key_list_on_a_clustering_key_reads_its_rows_within_the_selected_partitions() -> None:
    keys = "SELECT p FROM `p.d.m` WHERE idem_key IN UNNEST(@keys) AND t >= @since"
    assert monthly(keys, days_into_month=0, keys=["a", "b"], since=NOW) == 2 * 118
    assert monthly("SELECT p FROM `p.d.m` WHERE idem_key IN UNNEST(@keys)", keys=["a", "b"]) == 2 * 110
    # a key list grows with the new data: the captured run's list, scaled to the profile's
    scaled = Context({"m": MONTHLY}, key_list_scale=10.0, today=TODAY)
    assert (
        estimate("SELECT p FROM `p.d.m` WHERE idem_key IN UNNEST(@keys)", {"keys": ["a", "b"]}, scaled).bytes
        == 20 * 110
    )


def test_the_billing_floor_is_ten_megabytes_per_table_referenced() -> None:
    cost = estimate("SELECT e.id FROM `p.d.events` e JOIN `p.d.plain` p ON p.id = e.id", {}, CONTEXT)
    assert cost.floor == 2 * 10 * 2**20 > cost.bytes


def test_a_value_the_profile_knows_reads_its_share_and_one_it_lacks_reads_nothing() -> None:
    typed = TableProfile(
        900,
        100,
        {"object_type": 6.0, "v": 10.0},
        1,
        {},
        cluster_by=("object_type",),
        shares={"object_type": {"email": 0.9}},
    )
    context = Context({"t": typed}, today=TODAY)
    assert estimate("SELECT v FROM `p.d.t` WHERE object_type = 'email'", {}, context).bytes == pytest.approx(900 * 16)
    assert estimate("SELECT v FROM `p.d.t` WHERE object_type = @t", {"t": "contact"}, context).bytes == 0
