"""The bytes-scanned model: what BigQuery would bill (on demand) for a statement, from its
``sqlglot`` AST and table profiles, by BigQuery's documented rules only. Pure.

Rules (docs/bigquery-cost-model.md explains them with the profile; 2 and 3 are applied by
``bigquery_pruning``, which also holds the table profiles):

1. Columns: only the columns a statement references are read; a column costs rows x its
   average width (https://cloud.google.com/bigquery/docs/best-practices-costs, "avoid
   SELECT *"; widths by https://cloud.google.com/bigquery/docs/storage_overview#storage-size-calculation).
2. Partitions: a table partitioned on a column is read only in the partitions a constant
   filter on that column selects (a literal, a parameter, ``=``/``IN``/``>``/``>=``/``BETWEEN``);
   a filter through a subquery, a join or a non-constant expression prunes nothing
   (https://cloud.google.com/bigquery/docs/querying-partitioned-tables#pruning_limiting_partitions).
3. Clustering: a constant ``=``/``IN`` filter on a prefix of the clustering columns reads
   the fraction of rows holding those values; a filter skipping the first column prunes
   nothing (https://cloud.google.com/bigquery/docs/clustered-tables#block-pruning).
4. DML: INSERT bills what it reads (q); UPDATE, DELETE and a MERGE with an UPDATE or DELETE
   clause bill q plus every column of every partition of the target they touch (t);
   a MERGE with only INSERT clauses bills q
   (https://cloud.google.com/bigquery/docs/reference/standard-sql/dml-syntax#on-demand_query_size_calculation,
   https://cloud.google.com/bigquery/docs/using-dml-with-partitioned-tables). TRUNCATE is
   counted as a DELETE of everything (an upper bound: the page names no figure for it).
5. Loads and table API calls are free and are not statements; a staging table (``_stage_*``)
   holds the batch's own rows, its columns as wide as the same-named columns of the tables
   it is applied to.
6. Full-scan baseline: every table a statement references, read whole.

On-demand billing also charges at least 10 MB per table a statement references
(https://cloud.google.com/bigquery/pricing#on_demand_pricing): reported apart (``Cost.floor``),
outside the rules above.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlglot
from sqlglot import exp

from bigquery_pruning import (
    DML,
    Context,
    TableProfile,
    cluster_fraction,
    constant_filters,
    partition_rows,
    refers_to,
)

STAGE_PREFIX = "_stage_"
STAGE_ONLY_WIDTHS = {"ord": 8.0}  # the line number a raw or canonical stage adds
MINIMUM_PER_TABLE = 10 * 2**20  # https://cloud.google.com/bigquery/pricing#on_demand_pricing


@dataclass(frozen=True)
class Cost:
    kind: str  # the statement's verb and target, e.g. "MERGE raw_objects"
    bytes: float
    baseline: float
    payload: float = 0.0  # of ``bytes``, those of payload columns
    floor: float = 0.0  # ``bytes`` raised to on-demand billing's minimum of 10 MB per table referenced


def logical_bytes(value: Any, *, is_json: bool = False) -> int:
    """A value's size as BigQuery bills it: STRING 2 + its UTF-8 bytes, INT64, FLOAT64 and
    TIMESTAMP 8, BOOL 1, JSON its text, an ARRAY the sum of its elements, NULL 0
    (https://cloud.google.com/bigquery/docs/storage_overview#storage-size-calculation)."""
    if value is None:
        return 0
    if is_json:
        text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        return len(text.encode("utf-8"))
    if isinstance(value, bool):
        return 1
    if isinstance(value, (int, float, datetime, date)):
        return 8
    if isinstance(value, (list, tuple)):
        return sum(logical_bytes(v) for v in value)
    return 2 + len(str(value).encode("utf-8"))


def average_widths(rows: list[dict[str, Any]], json_columns: frozenset[str] = frozenset()) -> dict[str, float]:
    """Average logical bytes per column over ``rows``."""
    if not rows:
        return {}
    return {
        column: sum(logical_bytes(r[column], is_json=column in json_columns) for r in rows) / len(rows)
        for column in rows[0]
    }


def estimate(sql: str, params: Mapping[str, Any], context: Context) -> Cost:
    """The billed bytes of one query job (a script: the sum of its statements)."""
    kinds, billed, baseline, payload, floor = [], 0.0, 0.0, 0.0, 0.0
    for tree in sqlglot.parse(sql, read="bigquery"):
        if tree is None or isinstance(tree, (exp.Transaction, exp.Commit)):
            continue
        cost = _statement(tree, params, context)
        if cost.kind:
            kinds.append(cost.kind)
        billed += cost.bytes
        baseline += cost.baseline
        payload += cost.payload
        floor += cost.floor
    return Cost("; ".join(kinds), billed, baseline, payload, floor)


def _statement(tree: exp.Expression, params: Mapping[str, Any], context: Context) -> Cost:
    tables = [t for t in tree.find_all(exp.Table) if t.name]
    if not tables:
        return Cost("", 0.0, 0.0)
    target = _target(tree)
    profiles = {t.name: _profile(t.name, tables, context) for t in tables}
    rewrites = _rewrites(tree) or isinstance(tree, exp.TruncateTable)
    billed = baseline = payload = 0.0
    for table in tables:
        profile = profiles[table.name]
        is_target = target is not None and table is target
        if is_target and isinstance(tree, exp.Insert):
            continue  # an INSERT does not read its target
        baseline += profile.rows * profile.row_bytes
        filters = list(constant_filters(table, tree, params, context))
        kept = partition_rows(profile, filters, context)
        if is_target and rewrites:  # t: every column of the touched partitions
            rows, columns = kept, set(profile.widths)
        else:
            rows = kept * cluster_fraction(profile, filters, kept)
            columns = _columns_read(table, tree, profile)
        billed += rows * sum(profile.widths.get(c, 0.0) for c in columns)
        payload += rows * profile.widths.get("payload", 0.0) if "payload" in columns else 0.0
    verb = type(tree).__name__.upper().replace("TRUNCATETABLE", "TRUNCATE")
    names = [t.name for t in ([target] if target is not None else tables)]
    shown = dict.fromkeys("stage" if n.startswith(STAGE_PREFIX) else n for n in names)
    floor = max(billed, MINIMUM_PER_TABLE * len({t.name for t in tables}))
    return Cost(f"{verb} {'+'.join(shown)}", billed, baseline, payload, floor)


def _target(tree: exp.Expression) -> exp.Table | None:
    """The table a DML statement (or TRUNCATE) writes."""
    if isinstance(tree, exp.TruncateTable):
        return tree.expressions[0]  # type: ignore[no-any-return]
    if not isinstance(tree, DML):
        return None
    written = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    return written if isinstance(written, exp.Table) else None


def _rewrites(tree: exp.Expression) -> bool:
    if isinstance(tree, (exp.Update, exp.Delete)):
        return True
    if isinstance(tree, exp.Merge):
        whens = tree.args["whens"].expressions
        return any(isinstance(w.args.get("then"), exp.Update) or _is_delete(w.args.get("then")) for w in whens)
    return False


def _is_delete(then: exp.Expression | None) -> bool:
    return isinstance(then, exp.Var) and then.name.upper() == "DELETE"


def _profile(name: str, tables: list[exp.Table], context: Context) -> TableProfile:
    if not name.startswith(STAGE_PREFIX):
        if name not in context.profiles:
            raise KeyError(f"no profile for table {name}: add it to the model's profile")
        return context.profiles[name]
    widths: dict[str, float] = dict(STAGE_ONLY_WIDTHS)
    for other in tables:
        if not other.name.startswith(STAGE_PREFIX):
            for column, width in context.profiles[other.name].widths.items():
                widths.setdefault(column, width)
    widths.setdefault("key", 2 + 64.0)  # a key list of a projection change
    return TableProfile(0, context.stage_rows, widths)


def _is_written(column: exp.Column) -> bool:
    """A column a statement assigns (UPDATE SET x =, INSERT (x, ...)), not one it reads."""
    parent = column.parent
    if isinstance(parent, exp.EQ) and parent.this is column and isinstance(parent.parent, exp.Update):
        return True
    if isinstance(parent, exp.Tuple) and isinstance(parent.parent, exp.Insert) and parent.parent.this is parent:
        return True
    return isinstance(parent, exp.Schema)


def _columns_read(table: exp.Table, tree: exp.Expression, profile: TableProfile) -> set[str]:
    scope = table.find_ancestor(exp.Select, *DML)
    if scope is not None and isinstance(scope, exp.Select) and any(isinstance(e, exp.Star) for e in scope.expressions):
        return set(profile.widths)
    return {c.name for c in tree.find_all(exp.Column) if not _is_written(c) and refers_to(c, table)}
