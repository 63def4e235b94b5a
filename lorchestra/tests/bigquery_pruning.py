"""What a statement's constant filters leave of a table: the table profiles the bytes model
(``bigquery_cost``) reads, and its partition and clustering rules (rules 2 and 3 there).

Partitions are counted back from today's; a constant filter on the partition column (a
literal or a parameter: ``=``, ``IN``, ``>``, ``>=``, ``BETWEEN``, an OR of ranges) keeps the
partitions it reaches (https://cloud.google.com/bigquery/docs/querying-partitioned-tables);
a constant ``=``/``IN`` filter on a prefix of the clustering columns keeps the share of rows
its values hold (https://cloud.google.com/bigquery/docs/clustered-tables).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlglot import exp

from lorchestra.stack_clients.tables import CORE_TABLES

DML = (exp.Insert, exp.Update, exp.Delete, exp.Merge)


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
    :mod:`lorchestra.stack_clients.tables` (a projection: ``cluster_by`` as given, no partitions)."""
    table = CORE_TABLES.get(name)
    cluster_by = kwargs.pop("cluster_by", table.cluster_by if table else ())
    return TableProfile(
        rows - new_rows,
        new_rows,
        widths,
        partition_by=table.partition_by if table else None,
        cluster_by=cluster_by,
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


def scope_tables(node: exp.Expression) -> list[exp.Table]:
    scope = node.find_ancestor(exp.Select, *DML) if not isinstance(node, (exp.Select, *DML)) else node
    if scope is None:
        return []
    return [t for t in scope.find_all(exp.Table) if t.find_ancestor(exp.Select, *DML) is scope]


def refers_to(column: exp.Column, table: exp.Table) -> bool:
    if column.table:
        return column.table in (table.alias, table.name)
    candidates = [t for t in scope_tables(column) if not _is_insert_target(t)]
    return len(candidates) == 1 and candidates[0] is table


def _is_insert_target(table: exp.Table) -> bool:
    parent = table.parent
    return (
        isinstance(parent, exp.Insert)
        and parent.this is table
        or (isinstance(parent, exp.Schema) and isinstance(parent.parent, exp.Insert))
    )


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


def constant_filters(
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
    if not isinstance(column, exp.Column) or not refers_to(column, table):
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


def partition_rows(profile: TableProfile, filters: list[Filter], context: Context) -> float:
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


def cluster_fraction(profile: TableProfile, filters: list[Filter], rows: float) -> float:
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
