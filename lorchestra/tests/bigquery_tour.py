"""A tour of the BigQuery store: one direct call of every store operation in each of its
forms that the lanes may miss (every read filter, empty lists, rejects, zero-row tables),
each call's query jobs attributed to it; and which step functions of ``bigquery_store/``
issue queries at all, read from their source (for the coverage check)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bigquery_capture import Captured, query_jobs
from fault_proxy import FaultProxy
from lorchestra.stack_clients import bigquery_store
from lorchestra.stack_clients.model import CanonicalRow, EventRow, ObjectSpec, RejectRow, Source
from lorchestra.stack_clients.projection import Column, RowsChange
from lorchestra.stack_clients.store import Store
from store_contract_rows import GMAIL_SCHEMA, message, write_jsonl

STORE_PACKAGE = Path(bigquery_store.__file__ or "").parent
STEP_MODULES = ("raw_ingest", "canonical", "ledger", "projections", "reads")
SPEC = ObjectSpec(Source("gmail", "tour"), "email", schema_ref=GMAIL_SCHEMA)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
VIEW = "tour_view"
VIEW_COLUMNS = (Column("conversation_key", "string", required=True), Column("n", "int"))


def tour(store: Store, proxy: FaultProxy, tmp_dir: Path) -> list[Captured]:
    """Every call below through ``store``; each call's query jobs tagged ``store.<method>``."""
    captured: list[Captured] = []

    def call(method: str, func: Callable[[], Any]) -> Any:
        before = len(proxy.requests)
        result = func()
        if hasattr(result, "__next__"):  # a lazy read sends its query when iterated
            result = list(result)
        captured.extend(query_jobs(proxy.requests[before:], f"store.{method}"))
        return result

    raw = tmp_dir / "tour.jsonl"
    # two good records, one failing its schema, one without an id, one not JSON
    write_jsonl(raw, [message("m1"), message("m2"), {"id": "m3"}, {"n": 3}], [b"not json"])
    call("ingest_raw_file", lambda: store.ingest_raw_file(raw, SPEC, job_name="tour", run_id="run-tour", now=NOW))
    row = CanonicalRow("c:m1", "email_c", "schema/1", SPEC.idem_key("m1"), "h", "t/1", {"a": 1})
    call("upsert_canonical", lambda: store.upsert_canonical([row], run_id="run-tour", now=NOW))
    reject = RejectRow("tour", "k", None, "schema", "payload", "a rule failed", None, "gmail", "tour", "email")
    call("upsert_rejects", lambda: store.upsert_rejects([reject], run_id="run-tour", now=NOW))
    event = EventRow("e-tour", "tour.done", NOW, payload={"n": 1})
    call("append_events", lambda: store.append_events([event]))
    followup = {"flag_key": "f1", "followed_up_by": "AB", "followed_up_at": NOW, "recorded_at": NOW}
    marked = EventRow("e-mark", "safety_flag.followed_up", NOW, payload={"flag_key": "f1", "by": "AB"})
    call("insert_first", lambda: store.insert_first("safety_followups", [followup], [marked]))
    for table, system in (("raw_objects", "gmail"), ("raw_objects", None), ("canonical_objects", None)):
        call(
            "changed_inputs",
            lambda t=table, s=system: list(store.changed_inputs("tour", table=t, object_type="email", source_system=s)),
        )
    call(
        "mark_processed", lambda: store.mark_processed("tour", [(SPEC.idem_key("m1"), "h", "ok")], run_id="r", now=NOW)
    )
    call("forget_processed", lambda: store.forget_processed("tour", [SPEC.idem_key("m1")]))
    call("forget_processed", lambda: store.forget_processed("tour", []))
    call("forget_processed", lambda: store.forget_processed("tour", None))
    call("replace_table", lambda: store.replace_table(VIEW, VIEW_COLUMNS, [{"conversation_key": "a", "n": 1}]))
    call("replace_table", lambda: store.replace_table(VIEW, VIEW_COLUMNS, []))
    call("has_table", lambda: store.has_table(VIEW))
    call("ensure_table", lambda: store.ensure_table(VIEW, VIEW_COLUMNS))
    call("lookup_rows", lambda: store.lookup_rows(VIEW, "conversation_key", ["a"], ["conversation_key", "n"]))
    change = RowsChange(VIEW, VIEW_COLUMNS, "conversation_key", ["a"], [{"conversation_key": "a", "n": 2}])
    call("replace_rows", lambda: store.replace_rows([change]))
    for table in ("raw_objects", "canonical_objects"):
        for filters in (
            {},
            {"updated_after": NOW - timedelta(days=1)},
            {"keys": [SPEC.idem_key("m1")]},
            {"keys": []},
            {"field_in": ("id", ["m1"])},
            {"drop_fields": ["n"]},
        ):
            if table == "raw_objects" and "updated_after" in filters:
                continue  # raw objects have no updated_at: not a form the contract offers
            call("read_objects", lambda t=table, f=filters: store.read_objects(t, "email", **f))
    call("read_events", lambda: store.read_events(["tour.done"]))
    call("read_events", lambda: store.read_events(["tour.done"], status="ok", limit=5))
    call("read_table", lambda: store.read_table(VIEW))
    call("object_counts", store.object_counts)
    call("reject_rule_counts", lambda: store.reject_rule_counts(run_id="run-tour", connection_name="tour"))
    call("last_seen", store.last_seen)
    call("latest_update", lambda: store.latest_update("email_c"))
    call("payload_hashes", lambda: store.payload_hashes("email_c"))
    call("processed_entry", lambda: store.processed_entry("tour", SPEC.idem_key("m1")))
    return captured


def delegates() -> dict[str, str]:
    """``BigQueryStore`` method -> the step function it calls (``module.function``)."""
    tree = ast.parse((STORE_PACKAGE / "store.py").read_text(encoding="utf-8"))
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and isinstance(call.func.value, ast.Name)
                    and call.func.value.id in STEP_MODULES
                ):
                    found[node.name] = f"{call.func.value.id}.{call.func.attr}"
    return found


def call_graph() -> dict[str, set[str]]:
    """Each function of the package's modules (``module.function``) -> the package functions
    it calls (by their module's name or as imported), and ``run_query`` when it sends a query."""
    package = "lorchestra.stack_clients.bigquery_store"
    modules = {path.stem: ast.parse(path.read_text(encoding="utf-8")) for path in STORE_PACKAGE.glob("*.py")}
    functions = {
        f"{module}.{node.name}": (module, node)
        for module, tree in modules.items()
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    }
    graph: dict[str, set[str]] = {}
    for qualified, (module, function) in functions.items():
        imported = {
            alias.asname or alias.name: f"{node.module.rsplit('.', 1)[-1]}.{alias.name}"
            for node in modules[module].body
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(package + ".")
            for alias in node.names
        }
        names = set()
        for call in ast.walk(function):
            if not isinstance(call, ast.Call):
                continue
            if isinstance(call.func, ast.Name):
                names.add(imported.get(call.func.id, f"{module}.{call.func.id}"))
            elif isinstance(call.func, ast.Attribute):
                if isinstance(call.func.value, ast.Name) and call.func.value.id in modules:
                    names.add(f"{call.func.value.id}.{call.func.attr}")
                if call.func.attr == "run_query":
                    names.add("run_query")
        graph[qualified] = {n for n in names if n in functions or n == "run_query"}
    return graph


def reached(graph: dict[str, set[str]], roots: set[str]) -> set[str]:
    """``roots`` and every function they call, transitively."""
    found: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending += graph.get(name, set())
    return found


def query_issuing_steps(graph: dict[str, set[str]]) -> set[str]:
    """The public functions of the step modules that send a query, themselves or through another."""
    return {
        name
        for name in graph
        if name.split(".")[0] in STEP_MODULES
        and not name.split(".")[1].startswith("_")
        and "run_query" in reached(graph, {name})
    }
