"""Every query the BigQuery backend sends, as the recording proxy (``fault_proxy``) saw it,
and its golden *shape*: the text with what changes from run to run normalised away.

Normalised: the project and dataset (``{project}.{dataset}``), staging-table ids
(``_stage_{uuid}``), whitespace outside literals, string literals a script inlines from
its parameters (``'?'``; a literal holding a newline is kept, so the dialect gate still
sees it), and inlined lists of record numbers (``[0]``). Kept: everything else, including
the structural literals (``wide_number_mode => 'round'``, JSON paths ``'$.field'``) and
typed empty arrays (``ARRAY<INT64>[]``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

GOLDEN_DIR = Path(__file__).parent / "golden" / "bigquery_statements"
HEADER = """\
-- One shape of statement the BigQuery backend sends, captured through the recording proxy
-- by test_bigquery_statements.py and normalised (bigquery_capture.py). Checked by hand once
-- (2026-12-01, gate15): valid GoogleSQL, tables and parameters as the store means them.
-- Regenerate with UPDATE_GOLDEN=1 .venv/bin/pytest lorchestra/tests/test_bigquery_statements.py,
-- then read the diff: a new shape is checked by hand like this one.
"""
_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'", re.DOTALL)
_STAGE = re.compile(r"_stage_[0-9a-f]{32}")
_NUMBER_LIST = re.compile(r"\[\d+(?:,\s*\d+)*\]")


@dataclass(frozen=True)
class Captured:
    """One query job: where it came from (``lane <job>`` or ``store.<method>``), its text, and
    its parameters as ``name -> (BigQuery type, value)``."""

    origin: str
    sql: str
    params: Mapping[str, tuple[str, Any]]

    @property
    def param_types(self) -> dict[str, str]:
        return {name: kind for name, (kind, _) in self.params.items()}


def query_jobs(requests: Iterable[tuple[str, str, bytes]], origin: str) -> list[Captured]:
    """The query jobs among the proxy's recorded requests (``jobs.insert`` bodies)."""
    found = []
    for method, path, body in requests:
        if method != "POST" or not path.split("?")[0].endswith("/jobs"):
            continue
        try:
            query = json.loads(body or b"{}").get("configuration", {}).get("query")
        except ValueError:
            continue  # a load job's upload body
        if query:
            params = {p["name"]: (_type_name(p["parameterType"]), _value(p)) for p in query.get("queryParameters", [])}
            found.append(Captured(origin, query["query"], params))
    return found


def _type_name(kind: Mapping[str, Any]) -> str:
    if kind["type"] == "ARRAY":
        return f"ARRAY<{_type_name(kind['arrayType'])}>"
    return str(kind["type"])


def _value(param: Mapping[str, Any]) -> Any:
    value = param.get("parameterValue", {})
    if "arrayValues" in value:
        return [v.get("value") for v in value["arrayValues"]]
    return value.get("value")


def normalise(sql: str, project: str, dataset: str) -> str:
    """The shape of ``sql`` (see the module docstring)."""
    parts = []
    last = 0
    for match in _LITERAL.finditer(sql):
        parts.append(_code(sql[last : match.start()], project, dataset))
        parts.append(_literal(match.group(0), sql[: match.start()]))
        last = match.end()
    parts.append(_code(sql[last:], project, dataset))
    text = "".join(parts).strip()
    return re.sub(r";\s*", ";\n", text).strip()


def _code(text: str, project: str, dataset: str) -> str:
    text = text.replace(f"{project}.{dataset}.", "{project}.{dataset}.")
    text = _NUMBER_LIST.sub("[0]", _STAGE.sub("_stage_{uuid}", text))
    return re.sub(r"\s+", " ", text)


def _literal(literal: str, before: str) -> str:
    if "\n" in literal or literal.startswith("'$") or before.rstrip().endswith("=>"):
        return literal
    return "'?'"


def shape_name(shape: str) -> str:
    """A file name for a shape: the first statement's verb and table, and a digest."""
    statements = [s for s in sqlglot.parse(shape, read="bigquery") if s is not None]
    body = [s for s in statements if not isinstance(s, (exp.Transaction, exp.Commit))]
    first = body[0] if body else statements[0]
    verb = first.key.lower()
    table = first.find(exp.Table)
    prefix = "script_" if len(statements) > 1 else ""
    name = f"{prefix}{verb}_{table.name}" if table is not None else f"{prefix}{verb}"
    name = re.sub(r"_stage_\{uuid\}", "stage", name)
    return f"{name}_{hashlib.sha256(shape.encode()).hexdigest()[:8]}"


@dataclass
class Shape:
    """A golden statement shape: its text, the parameter types it was sent with (one line
    per distinct signature) and where it was seen."""

    text: str
    signatures: set[tuple[tuple[str, str], ...]]
    origins: set[str]

    def render(self) -> str:
        lines = [HEADER.rstrip("\n"), f"-- seen in: {'; '.join(sorted(self.origins))}"]
        for signature in sorted(self.signatures):
            lines.append("-- parameters: " + (", ".join(f"@{n} {t}" for n, t in signature) or "(none)"))
        return "\n".join(lines) + "\n" + self.text + "\n"


def shapes(captured: Iterable[Captured], project: str, dataset: str) -> dict[str, Shape]:
    """The captured statements grouped by shape, under their file names."""
    found: dict[str, Shape] = {}
    for statement in captured:
        text = normalise(statement.sql, project, dataset)
        shape = found.setdefault(shape_name(text), Shape(text, set(), set()))
        shape.signatures.add(tuple(sorted(statement.param_types.items())))
        shape.origins.add(statement.origin)
    return found


def read_golden(directory: Path = GOLDEN_DIR) -> dict[str, str]:
    """The golden files' contents by name (without ``.sql``)."""
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(directory.glob("*.sql"))}


def parse_golden(text: str) -> tuple[str, list[dict[str, str]]]:
    """A golden file's statement and its parameter signatures."""
    signatures = []
    body = []
    for line in text.splitlines():
        if line.startswith("-- parameters: "):
            spec = line.removeprefix("-- parameters: ")
            pairs = [] if spec == "(none)" else [p.split(" ", 1) for p in spec.split(", ")]
            signatures.append({name.lstrip("@"): kind for name, kind in pairs})
        elif not line.startswith("--"):
            body.append(line)
    return "\n".join(body).strip(), signatures or [{}]
