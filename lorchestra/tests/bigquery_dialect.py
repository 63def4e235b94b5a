"""The dialect gate: a statement the BigQuery backend sends, read as GoogleSQL by ``sqlglot``
and refused for what the emulator (DuckDB underneath) accepts but the service does not.

Pure: no emulator, no network. :func:`check` returns findings, each a rule name and where:

- ``parse_error``: ``sqlglot`` cannot parse the text as BigQuery SQL;
- ``unknown_function``: a function ``sqlglot`` does not know (``exp.Anonymous``) and that is
  not in :data:`REAL_FUNCTIONS`, the few real BigQuery functions it does not model (a
  DuckDB-only function would pass the emulator and fail the service);
- ``array_element_type``: ``col IN UNNEST(@p)`` (or an inlined ``ARRAY<T>[...]``) whose element
  type is not the column's type as :mod:`lorchestra.stack_clients.tables` declares it: BigQuery
  refuses ``STRING IN UNNEST(ARRAY<INT64>)`` ("No matching signature"), the emulator does not;
- ``parse_json_exact``: ``PARSE_JSON`` without ``wide_number_mode``: the default ``'exact'``
  fails the whole statement on one number a double cannot hold
  (https://cloud.google.com/bigquery/docs/reference/standard-sql/json_functions#parse_json);
- ``newline_in_literal``: a newline inside a quoted string literal: only triple-quoted
  literals may span lines in GoogleSQL
  (https://cloud.google.com/bigquery/docs/reference/standard-sql/lexical#string_and_bytes_literals).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.dialects.bigquery import BigQuery
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from lorchestra.stack_clients.tables import CORE_TABLES

# Real BigQuery functions that sqlglot 30 parses as exp.Anonymous (checked against
# https://cloud.google.com/bigquery/docs/reference/standard-sql/functions-and-operators).
REAL_FUNCTIONS = frozenset({"ERROR"})

BQ_TYPES = {"string": "STRING", "int": "INT64", "float": "FLOAT64", "bool": "BOOL", "timestamp": "TIMESTAMP"}
_SQLGLOT_TYPES = {
    exp.DataType.Type.BIGINT: "INT64",
    exp.DataType.Type.INT: "INT64",
    exp.DataType.Type.VARCHAR: "STRING",
    exp.DataType.Type.TEXT: "STRING",
    exp.DataType.Type.DOUBLE: "FLOAT64",
    exp.DataType.Type.BOOLEAN: "BOOL",
    exp.DataType.Type.TIMESTAMPTZ: "TIMESTAMP",
}
STAGE_PREFIX = "_stage_"
STAGE_ONLY_COLUMNS = {"ord": "INT64", "key": "STRING"}  # staging tables add a line number; key lists a key


@dataclass(frozen=True)
class Statement:
    """What one query job sends: its text and its parameters' BigQuery types by name
    (``STRING``, ``ARRAY<INT64>`` ...)."""

    sql: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    rule: str
    detail: str


def column_types() -> dict[str, dict[str, str]]:
    """BigQuery type of every declared column, by table (element type for arrays)."""
    return {
        table.name: {c.name: BQ_TYPES[c.type.removesuffix("[]")] for c in table.columns if c.type != "json"}
        for table in CORE_TABLES.values()
    }


def check(statement: Statement, declared: Mapping[str, Mapping[str, str]] | None = None) -> list[Finding]:
    """Every finding of the gate on ``statement`` (empty: the service should accept it)."""
    findings = list(_newlines_in_literals(statement.sql))
    try:
        parsed = [s for s in sqlglot.parse(statement.sql, read="bigquery") if s is not None]
    except (ParseError, TokenError) as exc:
        return [*findings, Finding("parse_error", str(exc).splitlines()[0][:200])]
    types = declared if declared is not None else column_types()
    for tree in parsed:
        findings += _unknown_functions(tree)
        findings += _exact_parse_json(tree)
        findings += _array_mismatches(tree, statement.params, types)
    return findings


def _newlines_in_literals(sql: str) -> Iterator[Finding]:
    try:
        tokens = BigQuery().tokenize(sql)
    except TokenError:
        return  # the parse reports it
    for token in tokens:
        if token.token_type != TokenType.STRING:
            continue
        raw = sql[token.start : token.end + 1]
        if "\n" in raw and not raw.startswith(("'''", '"""')):
            yield Finding("newline_in_literal", f"a quoted literal spans lines at character {token.start}")


def _unknown_functions(tree: exp.Expression) -> Iterator[Finding]:
    for node in tree.find_all(exp.Anonymous):
        name = str(node.name).upper()
        if name not in REAL_FUNCTIONS:
            yield Finding("unknown_function", f"{name}() is not a BigQuery function sqlglot knows")


def _exact_parse_json(tree: exp.Expression) -> Iterator[Finding]:
    for node in tree.find_all(exp.ParseJSON):
        mode = node.args.get("expression")
        if not (isinstance(mode, exp.Kwarg) and mode.this.name.lower() == "wide_number_mode"):
            yield Finding("parse_json_exact", f"{node.sql('bigquery')[:80]} has no wide_number_mode")


def _array_mismatches(
    tree: exp.Expression, params: Mapping[str, str], declared: Mapping[str, Mapping[str, str]]
) -> Iterator[Finding]:
    for node in tree.find_all(exp.In):
        unnest = node.args.get("unnest")
        if not isinstance(unnest, exp.Unnest) or not isinstance(node.this, exp.Column):
            continue
        element = _element_type(unnest.expressions[0], params)
        column_type = _column_type(node.this, declared)
        if element and column_type and element != column_type:
            yield Finding(
                "array_element_type",
                f"{node.this.sql('bigquery')} ({column_type}) IN UNNEST(ARRAY<{element}>)",
            )


def _element_type(array: exp.Expression, params: Mapping[str, str]) -> str | None:
    if isinstance(array, exp.Parameter):
        kind = params.get(array.name, "")
        return kind[len("ARRAY<") : -1] if kind.startswith("ARRAY<") else None
    if isinstance(array, exp.Cast) and array.to.is_type(exp.DataType.Type.ARRAY) and array.to.expressions:
        return _SQLGLOT_TYPES.get(array.to.expressions[0].this)
    if isinstance(array, exp.Array) and array.expressions:  # an inlined literal list
        first = array.expressions[0]
        if isinstance(first, exp.Literal):
            return "STRING" if first.is_string else "INT64" if first.is_int else "FLOAT64"
    return None


def _column_type(column: exp.Column, declared: Mapping[str, Mapping[str, str]]) -> str | None:
    """The declared type of ``column``: its table found by alias or, unqualified, as the one
    table of its SELECT; a staging table's columns are its target's."""
    table = _table_of(column)
    name = column.name
    if table is not None and not table.startswith(STAGE_PREFIX) and name in declared.get(table, {}):
        return declared[table][name]
    if name in STAGE_ONLY_COLUMNS and (table is None or table.startswith(STAGE_PREFIX)):
        return STAGE_ONLY_COLUMNS[name]
    found = {types[name] for types in declared.values() if name in types}
    return found.pop() if len(found) == 1 else None


def _table_of(column: exp.Column) -> str | None:
    scope = column.find_ancestor(exp.Select, exp.Delete, exp.Update, exp.Merge)
    if scope is None:
        return None
    tables = [
        t for t in scope.find_all(exp.Table) if t.find_ancestor(exp.Select, exp.Delete, exp.Update, exp.Merge) is scope
    ]
    if column.table:
        tables = [t for t in tables if column.table in (t.alias, t.name)]
    return tables[0].name if len(tables) == 1 else None
