"""Which staged keys a partitioned table already holds, and in which of its partitions.

One query reads only key columns of the target, with constant filters on its leading
clustering columns (and on the keys themselves when a batch is small enough to name
them), so it reads what the batch's kind of object has of keys, never payloads. The
statement that then applies the batch names those partitions as literals (BigQuery
prunes a DML target only by a constant filter on its partition column), or is a plain
INSERT when no key exists yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lorchestra.stack_clients.bigquery_store.plumbing import Plumbing
from lorchestra.stack_clients.bigquery_store.sql import Span, merged_spans, partition_filter, strings
from lorchestra.stack_clients.bigquery_store.values import utc
from lorchestra.stack_clients.tables import Table

# Up to this many keys a lookup also filters on the keys (a query parameter): BigQuery then
# reads only the blocks of the clustered table that hold them.
KEY_FILTER_MAX = 10_000


@dataclass
class Existing:
    """``matched``: staged keys found; ``changed``: of those, how many differ; ``spans``:
    where the found rows lie in the target's partition column; ``recent``: the partitions
    a row written since the lookup lies in (this month's, and last month's on its first
    day: a writer's clock is its run's start)."""

    matched: int = 0
    changed: int = 0
    spans: list[Span] = field(default_factory=list)
    recent: list[Span] = field(default_factory=list)

    def target_filter(self, table: Table, alias: str = "T") -> str:
        """The constant filter that prunes the target to the partitions of the found rows
        and the recent ones: a row another writer added or moved (an update moves a row of
        a table partitioned by its update time) after the lookup is matched, not doubled."""
        return partition_filter(
            f"{alias}.{table.partition_by}", merged_spans([*self.spans, *self.recent], table.partition_unit)
        )

    def absent(self, store: Plumbing, table: Table, *, stage_key: str, filters: Sequence[str]) -> str:
        """The condition on ``S`` (the stage) of an INSERT that keeps out a key written to
        ``table`` since the lookup (it can only lie in the recent partitions): reads key
        columns of those partitions, never more."""
        conditions = [
            f"T.{table.key[-1]} = S.{stage_key}",
            *filters,
            partition_filter(f"T.{table.partition_by}", self.recent),
        ]
        return f"NOT EXISTS (SELECT 1 FROM {store.table(table.name)} T WHERE {' AND '.join(conditions)})"


def find_existing(
    store: Plumbing,
    stage: str,
    target: Table,
    *,
    stage_key: str,
    filters: Sequence[str],
    params: dict[str, Any],
    keys: Sequence[str],
    now: datetime,
    differs: str = "FALSE",
) -> Existing:
    """``filters``: constant conditions on ``T`` (the target's leading clustering columns);
    ``differs``: when a found row counts as changed (``T`` the target, ``S`` the stage)."""
    key, part = target.key[-1], target.partition_by
    where = list(filters)
    query_params = dict(params)
    if len(keys) <= KEY_FILTER_MAX:
        where.append(f"T.{key} IN UNNEST(@keys)")
        query_params["keys"] = strings(keys)
    result = store.run_query(
        f"""SELECT MIN(T.{part}) AS low, MAX(T.{part}) AS high, COUNT(*) AS matched, COUNTIF({differs}) AS changed
            FROM {store.table(stage)} S JOIN {store.table(target.name)} T ON T.{key} = S.{stage_key}
            WHERE {" AND ".join(where)}
            GROUP BY TIMESTAMP_TRUNC(T.{part}, {target.partition_unit})""",
        query_params,
    ).result()
    found = Existing()
    spans = []
    for row in result:
        found.matched += int(row["matched"])
        found.changed += int(row["changed"])
        spans.append(Span(utc(row["low"]), utc(row["high"])))
    found.spans = merged_spans(spans, target.partition_unit)
    found.recent = merged_spans([Span(now - timedelta(days=1), now)], target.partition_unit)
    return found
