"""The bytes-scanned model: what BigQuery would bill (on demand) for a statement, from its
``sqlglot`` AST and table profiles, by BigQuery's documented rules only. Pure.

Rules (docs/bigquery-cost-model.md explains them with the profile):

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
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import sqlglot
from sqlglot import exp

from lorchestra.stack_clients.tables import CORE_TABLES

STAGE_PREFIX = "_stage_"
STAGE_ONLY_WIDTHS = {"ord": 8.0}  # the line number a raw or canonical stage adds
DML = (exp.Insert, exp.Update, exp.Delete, exp.Merge)
MINIMUM_PER_TABLE = 10 * 2**20  # https://cloud.google.com/bigquery/pricing#on_demand_pricing


@dataclass(frozen=True)
class TableProfile:
    """A table as the model sees it: ``history_rows`` spread evenly over ``history_days``
    daily partitions before today, ``new_rows`` in today's; average bytes per column;
    distinct values of the clustering columns (a key column: one per row)."""

    history_rows: int
    new_rows: int
    widths: Mapping[str, float]
    history_days: int = 1
    distinct: Mapping[str, int] = field(default_factory=dict)
    partition_by: str | None = None
    cluster_by: tuple[str, ...] = ()
    partition_unit: str = "DAY"
    unique: frozenset[str] = frozenset()
    shares: Mapping[str, Mapping[Any, float]] = field(default_factory=dict)  # value -> share of rows

    @property
    def rows(self) -> int:
        return self.history_rows + self.new_rows

    @property
    def row_bytes(self) -> float:
        return sum(self.widths.values())


def layout(name: str, rows: int, new_rows: int, widths: Mapping[str, float], **kwargs: Any) -> TableProfile:
    """A profile whose partitioning, clustering and key are the table's declaration in
    :mod:`lorchestra.stack_clients.tables` (none for a projection)."""
    table = CORE_TABLES.get(name)
    return TableProfile(
        rows - new_rows,
        new_rows,
        widths,
        partition_by=table.partition_by if table else None,
        cluster_by=table.cluster_by if table else (),
        partition_unit=getattr(table, "partition_unit", "DAY"),
        unique=frozenset(table.key[-1:]) if table else frozenset(),
        **kwargs,
    )


@dataclass(frozen=True)
class Context:
    """What a statement is evaluated against: the profiles, the rows of the batch a staging
    table holds, how many times longer a key list is than in the captured run, and today."""

    profiles: Mapping[str, TableProfile]
    stage_rows: int = 0
    key_list_scale: float = 1.0
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    days_into_month: int = 30  # history days in today's monthly partition: 30 is a month's last day


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
        filters = list(_constant_filters(table, tree, params, context))
        partition_rows = _partition_rows(profile, filters, context)
        if is_target and rewrites:  # t: every column of the touched partitions
            rows, columns = partition_rows, set(profile.widths)
        else:
            rows = partition_rows * _cluster_fraction(profile, filters, partition_rows)
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


def _scope_tables(node: exp.Expression) -> list[exp.Table]:
    scope = node.find_ancestor(exp.Select, *DML) if not isinstance(node, (exp.Select, *DML)) else node
    if scope is None:
        return []
    return [t for t in scope.find_all(exp.Table) if t.find_ancestor(exp.Select, *DML) is scope]


def _refers_to(column: exp.Column, table: exp.Table) -> bool:
    if column.table:
        return column.table in (table.alias, table.name)
    candidates = [t for t in _scope_tables(column) if not _is_insert_target(t)]
    return len(candidates) == 1 and candidates[0] is table


def _is_insert_target(table: exp.Table) -> bool:
    parent = table.parent
    return (
        isinstance(parent, exp.Insert)
        and parent.this is table
        or (isinstance(parent, exp.Schema) and isinstance(parent.parent, exp.Insert))
    )


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
    return {c.name for c in tree.find_all(exp.Column) if not _is_written(c) and _refers_to(c, table)}


@dataclass(frozen=True)
class Filter:
    """A constant filter on one column: ``eq`` its values (``=``, ``IN``), or ``range`` its
    (low, high) bounds (``>``, ``>=``, ``BETWEEN``, an OR of them; None: unbounded)."""

    column: str
    op: str
    values: tuple[Any, ...] = ()
    ranges: tuple[tuple[Any, Any], ...] = ()


def _conjuncts(condition: exp.Expression | None) -> Iterator[exp.Expression]:
    if condition is None:
        return
    if isinstance(condition, exp.And):
        yield from _conjuncts(condition.this)
        yield from _conjuncts(condition.expression)
    elif isinstance(condition, exp.Paren):
        yield from _conjuncts(condition.this)
    else:
        yield condition


def _conditions_on(table: exp.Table, tree: exp.Expression) -> Iterator[exp.Expression]:
    """The conditions that may prune ``table``: its scope's WHERE, the ON of its join, and
    for a MERGE target the merge condition."""
    scope = table.find_ancestor(exp.Select, *DML)
    if isinstance(tree, exp.Merge) and table is tree.this:
        yield from _conjuncts(tree.args.get("on"))
    if scope is not None:
        where = scope.args.get("where")
        yield from _conjuncts(where.this if where else None)
    join = table.find_ancestor(exp.Join)
    if join is not None and join.this is table:
        yield from _conjuncts(join.args.get("on"))


def _constant_filters(
    table: exp.Table, tree: exp.Expression, params: Mapping[str, Any], context: Context
) -> Iterator[Filter]:
    for condition in _conditions_on(table, tree):
        if isinstance(condition, exp.Boolean) and not condition.this:
            yield Filter("", "none")  # FALSE: no row, no partition
            continue
        found = _filter(condition, table, params, context)
        if found is not None:
            yield found


def _filter(condition: exp.Expression, table: exp.Table, params: Mapping[str, Any], context: Context) -> Filter | None:
    if isinstance(condition, exp.Or):
        parts = [_filter(c, table, params, context) for c in (condition.this, condition.expression)]
        if all(p is not None and p.op == "range" for p in parts) and len({p.column for p in parts if p}) == 1:
            return Filter(parts[0].column, "range", ranges=tuple(r for p in parts if p for r in p.ranges))  # type: ignore[union-attr]
        return None
    if isinstance(condition, exp.Paren):
        return _filter(condition.this, table, params, context)
    column = condition.this if isinstance(condition, (exp.EQ, exp.In, exp.GT, exp.GTE, exp.Between)) else None
    if not isinstance(column, exp.Column) or not _refers_to(column, table):
        return None
    if isinstance(condition, exp.EQ) and _is_constant(condition.expression):
        value = _value(condition.expression, params)
        return Filter(column.name, "eq", (value,), ((value, value),))
    if isinstance(condition, exp.In):
        values = _in_values(condition, params)
        if values is None:
            return None
        ranges = tuple((v, v) for v in values)
        if column.name.endswith("key") and context.key_list_scale != 1.0:
            values = (None,) * math.ceil(len(values) * context.key_list_scale)
        return Filter(column.name, "eq", values, ranges)
    if isinstance(condition, (exp.GT, exp.GTE)) and _is_constant(condition.expression):
        return Filter(column.name, "range", ranges=((_value(condition.expression, params), context.today),))
    if (
        isinstance(condition, exp.Between)
        and _is_constant(condition.args["low"])
        and _is_constant(condition.args["high"])
    ):
        low, high = _value(condition.args["low"], params), _value(condition.args["high"], params)
        return Filter(column.name, "range", ranges=((low, high),))
    return None


def _is_constant(node: exp.Expression) -> bool:
    if isinstance(node, exp.Cast):
        return _is_constant(node.this)
    return isinstance(node, (exp.Literal, exp.Parameter, exp.Placeholder))


def _value(node: exp.Expression, params: Mapping[str, Any]) -> Any:
    if isinstance(node, exp.Cast):
        return _value(node.this, params)
    if isinstance(node, exp.Parameter):
        return params.get(node.name)
    return node.this if isinstance(node, exp.Literal) else None


def _in_values(condition: exp.In, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
    unnest = condition.args.get("unnest")
    if isinstance(unnest, exp.Unnest):
        array = unnest.expressions[0]
        if isinstance(array, exp.Parameter):
            return tuple(params.get(array.name) or ())
        literal = array.this if isinstance(array, exp.Cast) else array
        if isinstance(literal, exp.Array) and all(_is_constant(e) for e in literal.expressions):
            return tuple(_value(e, params) for e in literal.expressions)
        return None
    if condition.expressions and all(_is_constant(e) for e in condition.expressions):
        return tuple(_value(e, params) for e in condition.expressions)
    return None  # IN (subquery): prunes nothing


def _partition_rows(profile: TableProfile, filters: list[Filter], context: Context) -> float:
    """Rows in the partitions the constant filters on the partitioning column select.

    Partitions are counted back from today's (index 0, which holds the new rows and, for
    MONTH, ``context.days_into_month`` days of history); history is spread evenly over the
    ``history_days`` before today."""
    if profile.partition_by is None:
        return float(profile.rows)
    unit = profile.partition_unit
    current = context.days_into_month if unit == "MONTH" else 0

    def index(days_back: int) -> int:
        if days_back <= current:
            return 0
        return days_back if unit == "DAY" else 1 + (days_back - current - 1) // 30

    per_day = profile.history_rows / max(profile.history_days, 1)
    rows_of = [0.0] * (index(profile.history_days) + 1)
    rows_of[0] = profile.new_rows
    for days_back in range(1, profile.history_days + 1):
        rows_of[index(days_back)] += per_day
    selected = set(range(len(rows_of)))
    if any(f.op == "none" for f in filters):
        return 0.0
    for f in (f for f in filters if f.column == profile.partition_by):
        chosen: set[int] = set()
        for low, high in f.ranges:
            newest = index(max(_days_back(high, context), 0))
            oldest = index(min(_days_back(low, context), profile.history_days))
            chosen |= set(range(newest, oldest + 1))
        selected &= chosen
    return sum(rows_of[i] for i in selected)


def _days_back(value: Any, context: Context) -> int:
    """Days from ``value`` to today; an unknown value (a parameter left out) reaches all history."""
    day = _day(value)
    return 10**6 if day is None else (context.today - day).days


def _day(value: Any) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).date()
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace(" UTC", "+00:00").replace("Z", "+00:00")).astimezone(UTC).date()
        except ValueError:
            return None
    return None


def _cluster_fraction(profile: TableProfile, filters: list[Filter], rows: float) -> float:
    """The fraction of ``rows`` that a constant filter on a prefix of the clustering columns
    reads: per column, the share of rows its values hold (known values), else its values
    over its distinct values (a key column: one row each)."""
    fraction = 1.0
    for column in profile.cluster_by:
        values = [len(f.values) for f in filters if f.column == column and f.op == "eq"]
        if not values:
            break
        if column in profile.unique:
            return min(fraction, min(values) / max(rows, 1.0))
        named = [f.values for f in filters if f.column == column and f.op == "eq"]
        if column in profile.shares and all(v is not None for v in named[0]):
            fraction *= min(1.0, sum(profile.shares[column].get(v, 0.0) for v in set(named[0])))
            continue
        if column not in profile.distinct:
            raise KeyError(f"the profile names no distinct count for the clustering column {column}")
        fraction *= min(1.0, min(values) / max(profile.distinct[column], 1))
    return fraction
