"""The tree and the seams of DESIGN.md §2–3, checked on the source."""

from __future__ import annotations

import ast
import importlib
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
}
STORAGE = {"duckdb", "google.cloud", "lorchestra"}
DOMAIN = ("canonizer", "final_form", "reporter", "ingestor")
# Job adapters of domain packages may import lorchestra.stack_clients; nothing else may.
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
    assert metadata.distribution(directory).metadata["Requires-Python"] == ">=3.11"


JOB_KIT = ("lorchestra.stack_clients", "lorchestra.jobs", "lorchestra.connections")


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
            # a job adapter may use the job kit: storage, the job API and the configured connections
            allowed = (is_job_adapter and imported.startswith(JOB_KIT)) or imported in ALLOWED.get(name, ())
            own = imported == name or imported.startswith(name + ".")
            if not allowed and not own and any(imported == f or imported.startswith(f + ".") for f in FORBIDDEN[name]):
                offenders.append(f"{path.relative_to(REPO)} imports {imported}")
    assert offenders == []


def test_lorchestra_never_imports_a_domain_package_by_name() -> None:
    offenders = []
    for path in (REPO / "lorchestra" / "src" / "lorchestra").rglob("*.py"):
        for imported in imports_of(path):
            if imported.split(".")[0] in ("canonizer", "final_form", "reporter"):
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
