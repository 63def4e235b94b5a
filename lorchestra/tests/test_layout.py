"""The tree and the seams of DESIGN.md §2–3, checked on the source."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = {  # directory -> import name
    "shared-schemas": "shared_schemas",
    "ingestor": "ingestor",
    "canonizer": "canonizer",
    "final-form": "final_form",
    "reporter": "reporter",
    "lorchestra": "lorchestra",
    "console": "lorc_console",
}
DISTRIBUTIONS = {"console": "lorc-console"}  # directory -> distribution, where they differ
STORAGE = {"duckdb", "google.cloud", "lorchestra"}
DOMAIN = ("canonizer", "final_form", "reporter", "ingestor")
# Job adapters of domain packages may import the job kit; nothing else may.
# No domain package imports another, job adapters included: what they share is in shared_schemas.
FORBIDDEN = {
    "ingestor": STORAGE | set(DOMAIN) | {"shared_schemas"},
    "canonizer": STORAGE | set(DOMAIN),
    "final_form": STORAGE | set(DOMAIN),
    "reporter": STORAGE | set(DOMAIN),
    "shared_schemas": STORAGE | set(DOMAIN),
}
# ingestor shares only the error root (its errors are shown to the user as they are).
ALLOWED = {"ingestor": ("shared_schemas.errors",)}


@pytest.mark.parametrize("directory", sorted(PACKAGES))
def test_every_package_has_the_same_layout_and_is_installed_from_this_tree(directory: str) -> None:
    name = PACKAGES[directory]
    root = REPO / directory
    for required in ("pyproject.toml", "README.md", "tests", f"src/{name}/py.typed", f"src/{name}/__init__.py"):
        assert (root / required).exists(), f"{directory}/{required}"
    module = importlib.import_module(name)
    assert Path(module.__file__).resolve().is_relative_to(root / "src")  # type: ignore[arg-type]
    assert isinstance(module.__all__, list)
    assert metadata.distribution(DISTRIBUTIONS.get(directory, directory)).metadata["Requires-Python"] == ">=3.11"


JOB_KIT = "lorchestra.jobkit"
ADAPTERS = {  # import name -> the job adapters in its src folder
    "canonizer": ("jobs*.py",),
    "final_form": ("jobs*.py",),
    "reporter": ("jobs/*.py",),
    "lorchestra": ("builtin_jobs/*.py",),
}
BACKENDS = (
    "lorchestra.stack_clients.duckdb_store",
    "lorchestra.stack_clients.bigquery_store",
    "duckdb",
    "google.cloud",
)


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("name", sorted(FORBIDDEN))
def test_pure_cores_and_ingestor_respect_the_seams(name: str) -> None:
    directory = next(d for d, n in PACKAGES.items() if n == name)
    offenders = []
    for path in (REPO / directory / "src" / name).rglob("*.py"):
        is_job_adapter = path.name.startswith("jobs") or "jobs" in path.parts
        for imported in imports_of(path):
            allowed = (
                is_job_adapter and (imported == JOB_KIT or imported.startswith(JOB_KIT + "."))
            ) or imported in ALLOWED.get(name, ())
            own = imported == name or imported.startswith(name + ".")
            if not allowed and not own and any(imported == f or imported.startswith(f + ".") for f in FORBIDDEN[name]):
                offenders.append(f"{path.relative_to(REPO)} imports {imported}")
    assert offenders == []


def test_lorchestra_never_imports_a_domain_package_by_name() -> None:
    offenders = []
    for path in (REPO / "lorchestra" / "src" / "lorchestra").rglob("*.py"):
        for imported in imports_of(path):
            if imported.split(".")[0] in ("canonizer", "final_form", "reporter", "lorc_console"):
                offenders.append(f"{path.relative_to(REPO)} imports {imported}")
    assert offenders == []


APPLICATION = "lorc_console"  # the console: over lorchestra and reporter, under nothing
APPLICATION_MAY_IMPORT = {"lorchestra", "reporter"}


def test_the_console_is_an_application_layer_nothing_imports() -> None:
    suite = set(PACKAGES.values())
    offenders = []
    for directory, name in PACKAGES.items():
        for path in (REPO / directory / "src" / name).rglob("*.py"):
            for imported in imports_of(path):
                top = imported.split(".")[0]
                if name == APPLICATION:
                    wrong = top in suite - APPLICATION_MAY_IMPORT - {APPLICATION}
                else:
                    wrong = top == APPLICATION
                if wrong:
                    offenders.append(f"{path.relative_to(REPO)} imports {imported}")
    assert offenders == []


def test_only_stack_clients_touches_storage_drivers() -> None:
    offenders = []
    base = REPO / "lorchestra" / "src" / "lorchestra"
    for path in base.rglob("*.py"):
        if "stack_clients" in path.relative_to(base).parts:
            continue
        for imported in imports_of(path):
            if imported.split(".")[0] == "duckdb" or imported.startswith("google.cloud"):
                offenders.append(f"{path.relative_to(REPO)} imports {imported}")
    assert offenders == []


BACKEND_FOLDERS = (
    "lorchestra/src/lorchestra/stack_clients/duckdb_store/",
    "lorchestra/src/lorchestra/stack_clients/bigquery_store/",
)
SQL = re.compile(
    r"\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+INTO\b|\bMERGE\s+[\w`{]|\bCREATE\s+(OR\s+REPLACE\s+)?"
    r"(TEMP\s+)?(TABLE|VIEW)\b|\bDELETE\s+FROM\b|\bUPDATE\s+\w+\s+SET\b|\bDROP\s+(TABLE|VIEW)\b"
    r"|\bALTER\s+TABLE\b|\bCHECKPOINT\b|\bTRUNCATE\s+TABLE\b"
)


def string_constants(path: Path) -> list[str]:
    """Every string literal of a module, the pieces of f-strings included."""
    return [
        node.value
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_sql_is_written_only_in_the_backend_folders() -> None:
    offenders = []
    for directory, name in PACKAGES.items():
        for path in (REPO / directory / "src" / name).rglob("*.py"):
            where = path.relative_to(REPO).as_posix()
            if where.startswith(BACKEND_FOLDERS):
                continue
            offenders += [f"{where}: {text.strip()[:60]!r}" for text in string_constants(path) if SQL.search(text)]
    assert offenders == []


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """``{module: the package's modules it imports}``, every import counted: inside
    functions and ``TYPE_CHECKING`` blocks too, and relative ones."""
    modules = {module_name(p, root): p for p in (root / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
                    base = ".".join([*anchor, base] if base else anchor)
                submodules = {f"{base}.{alias.name}" for alias in node.names} & modules.keys()
                targets |= submodules
                if len(submodules) < len(node.names):  # a name defined in ``base`` itself
                    targets.add(base)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_lorchestra_has_no_import_cycle() -> None:
    graph = import_graph(REPO / "lorchestra" / "src", "lorchestra")
    assert cycles(graph) == []


STEPS = {"store", "plumbing", "ddl", "raw_ingest", "canonical", "ledger", "projections", "reads", "values"}


def test_both_backends_have_the_same_step_modules_and_no_deferred_imports() -> None:
    base = REPO / "lorchestra" / "src" / "lorchestra" / "stack_clients"
    for backend in ("duckdb_store", "bigquery_store"):
        assert {p.stem for p in (base / backend).glob("*.py")} >= STEPS, backend
    deferred = [p.relative_to(REPO).as_posix() for p in base.rglob("*.py") if "TYPE_CHECKING" in p.read_text()]
    assert deferred == []


def job_adapters() -> list[Path]:
    found = []
    for name, patterns in ADAPTERS.items():
        directory = next(d for d, n in PACKAGES.items() if n == name)
        for pattern in patterns:
            found += sorted((REPO / directory / "src" / name).glob(pattern))
    return found


def test_every_job_adapter_imports_only_the_job_kits_facade_of_lorchestra() -> None:
    """Adapters import ``lorchestra.jobkit`` itself: nothing of storage, of the registry or of
    the kit's modules. Lorchestra's own extract jobs may use its extraction modules besides."""
    adapters = job_adapters()
    assert {p.name for p in adapters} >= {"jobs_inbox.py", "jobs_questionnaires.py", "weekly.py", "extract_email.py"}
    offenders = []
    for path in adapters:
        own = "builtin_jobs" in path.parts
        for imported in imports_of(path):
            if imported.split(".")[0] != "lorchestra" or imported == JOB_KIT:
                continue
            internal = imported.startswith(("lorchestra.stack_clients", "lorchestra.jobs", "lorchestra.faults"))
            if internal or not own:
                offenders.append(f"{path.relative_to(REPO)} imports {imported}")
    assert offenders == []


def test_the_job_kit_loads_no_storage_backend() -> None:
    """In a fresh interpreter (the only place where what an import loads can be seen whole)."""
    probe = f"import sys, lorchestra.jobkit; print(sorted(m for m in sys.modules if m.startswith({BACKENDS!r})))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
    base = REPO / "lorchestra" / "src" / "lorchestra"
    for path in (base / "jobkit").rglob("*.py"):
        assert not [i for i in imports_of(path) if i.startswith(BACKENDS)], path


def test_storage_and_fault_points_never_import_the_job_kit() -> None:
    base = REPO / "lorchestra" / "src" / "lorchestra"
    offenders = [
        f"{path.relative_to(REPO)} imports {imported}"
        for path in (base / "stack_clients").rglob("*.py")
        for imported in imports_of(path)
        if imported.startswith(("lorchestra.jobkit", "lorchestra.jobs"))
    ]
    assert offenders == []
    assert {i for i in imports_of(base / "faults.py") if i.split(".")[0] == "lorchestra"} == set()


def test_lorchestra_owns_no_projection() -> None:
    """A projection lives in the domain package whose rules compute its rows (README, tree)."""
    base = REPO / "lorchestra" / "src" / "lorchestra"
    assert not (base / "projections").exists()
    from lorchestra.jobs import JobRegistry

    registry = JobRegistry.discover()
    assert {name: registry.jobs[name].package for name in ("build_inbox_view", "build_measurement_timeseries")} == {
        "build_inbox_view": "canonizer",
        "build_measurement_timeseries": "final-form",
    }
