"""The profile of the done-when check: a warehouse holding ``history`` e-mails and the tables
the e-mail lane derives from them, ``new`` of them arriving today, every column as wide on
average as in the sample fixture's real records (measured on the emulator after the sample
e-mail lane), every table laid out as ``stack_clients/tables.py`` declares it.

Scaling from the sample: a table's rows per raw e-mail (canonical objects, ledger rows,
conversations, members) are the sample's; so are the clustering columns' distinct values
and each value's share of rows, but for the connections (six mailboxes, the default
config, in equal shares); the current monthly partition holds 30 days of history (a
month's last day, the worst case); the event log holds
a year of daily runs of the sample run's events; rejects hold 1% of the history (the sample
has none: an upper bound).
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from backend_sql import sql_rows
from bigquery_capture import Captured, normalise
from bigquery_cost import Cost, average_widths, estimate
from bigquery_pruning import Context, TableProfile, layout
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.stack_clients import open_store
from lorchestra.stack_clients.tables import CORE_TABLES

SAMPLE_TABLES = (
    "raw_objects",
    "canonical_objects",
    "processed_inputs",
    "inbox_view",
    "inbox_view_members",
    "job_state",
    "event_log",
)
HISTORY_DAYS = 365
MAILBOXES = 6
REJECT_SHARE = 0.01
FEW_VALUES = 20


@dataclass(frozen=True)
class Sample:
    rows: int
    widths: dict[str, float]
    distinct: dict[str, int]
    shares: dict[str, dict[Any, float]]  # of the columns with few values: each value's share of rows
    cluster_by: tuple[str, ...]  # as the live table is clustered (a projection's is not declared in tables.py)


def measure(home: PhiHome, environ: dict[str, str], tables: Sequence[str]) -> dict[str, Sample]:
    """Row counts, average column widths and distinct values of ``tables`` as stored."""
    store = open_store(load_config(home, {**os.environ, **environ}))
    try:
        found = {}
        for name in tables:
            rows = sql_rows(store, f"SELECT * FROM {store.table(name)}")  # type: ignore[attr-defined]
            table = CORE_TABLES.get(name)
            json_columns = frozenset(c.name for c in table.columns if c.type == "json") if table else frozenset()
            counts = {column: Counter(_hashable(r[column]) for r in rows) for column in (rows[0] if rows else {})}
            distinct = {column: len(values) for column, values in counts.items()}
            shares = {
                column: {value: n / len(rows) for value, n in values.items()}
                for column, values in counts.items()
                if len(values) <= FEW_VALUES
            }
            clustering = tuple(store.client.get_table(store.table_id(name)).clustering_fields or ())  # type: ignore[attr-defined]
            found[name] = Sample(len(rows), average_widths(rows, json_columns), distinct, shares, clustering)
        return found
    finally:
        store.close()


def _hashable(value: Any) -> Any:
    return repr(value) if isinstance(value, (list, dict)) else value


def profiles(sample: dict[str, Sample], history: int, new: int) -> dict[str, TableProfile]:
    emails = sample["raw_objects"].rows
    runs = HISTORY_DAYS

    def per_email(name: str, **extra: Any) -> TableProfile:
        ratio = sample[name].rows / emails
        total, fresh = math.ceil((history + new) * ratio), math.ceil(new * ratio)
        # A column with many values in the sample (a key, a conversation) has as many more
        # in a larger table; one with few (a type, a system) keeps them.
        grown = {
            column: n if n <= FEW_VALUES else math.ceil(n * total / max(sample[name].rows, 1))
            for column, n in sample[name].distinct.items()
        }
        distinct = {**grown, "connection_name": MAILBOXES}
        shares = {column: values for column, values in sample[name].shares.items() if column != "connection_name"}
        return layout(
            name,
            total,
            fresh,
            sample[name].widths,
            history_days=HISTORY_DAYS,
            distinct=distinct,
            shares=shares,
            **extra,
        )

    events = sample["event_log"]
    rejects = sample["rejects"]
    return {
        **{name: per_email(name) for name in ("raw_objects", "canonical_objects", "processed_inputs")},
        **{name: per_email(name, cluster_by=sample[name].cluster_by) for name in ("inbox_view", "inbox_view_members")},
        "job_state": layout(
            "job_state", sample["job_state"].rows, 0, sample["job_state"].widths, distinct=sample["job_state"].distinct
        ),
        "event_log": layout(
            "event_log",
            events.rows * (runs + 1),
            events.rows,
            events.widths,
            history_days=HISTORY_DAYS,
            distinct=events.distinct,
        ),
        "rejects": layout(
            "rejects",
            math.ceil(history * REJECT_SHARE),
            0,
            rejects.widths,
            history_days=HISTORY_DAYS,
            distinct=rejects.distinct,
        ),
    }


def email_lane_costs(
    run: list[Captured], sample: dict[str, Sample], day: date, history: int, new: int, captured_new: int
) -> list[tuple[Captured, Cost]]:
    """The model's cost of each statement of ``run`` on the profile: its staging tables hold
    the new data split evenly over the statements of the same shape (the batches), its key
    lists are as many times longer than captured as ``new`` is than ``captured_new``."""
    tables = profiles(sample, history, new)
    batches = Counter(normalise(c.sql, "", "") for c in run)
    found = []
    for statement in run:
        context = Context(
            tables,
            stage_rows=math.ceil(new / batches[normalise(statement.sql, "", "")]),
            key_list_scale=new / captured_new,
            today=day,
        )
        found.append((statement, estimate(statement.sql, {k: v for k, (_, v) in statement.params.items()}, context)))
    return found
