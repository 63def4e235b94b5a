"""Every package declares exactly the distributions its ``src`` imports.

The cheap equivalent of importing every module in a clean environment built from the
declared dependencies alone: each import (at any depth: inside functions and
``TYPE_CHECKING`` blocks too) is mapped to the distribution that installs it, and that
distribution must be declared by the package (in ``dependencies`` or an extra); a declared
one that nothing imports is an error too, unless it is named in ``RUNTIME_ONLY``.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]
PACKAGES = [
    "shared-schemas",
    "ingestor",
    "ingestor/taps",
    "ingestor/sample_taps",
    "canonizer",
    "final-form",
    "reporter",
    "lorchestra",
]

# Declared distributions that no module imports (a driver loaded by name ...), per package,
# each with the reason it is declared.
RUNTIME_ONLY: dict[str, set[str]] = {
    "lorchestra": {"pytz"},  # DuckDB imports it by name to return TIMESTAMPTZ values as aware datetimes
}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def project_of(directory: str) -> dict[str, Any]:
    project: dict[str, Any] = tomllib.loads((REPO / directory / "pyproject.toml").read_text())["project"]
    return project


@cache
def suite_modules() -> dict[str, str]:
    """Top-level import name -> distribution, for the suite's own packages (installed
    editable, so their files are not in the installed metadata)."""
    found = {}
    for directory in PACKAGES:
        for src in (REPO / directory / "src").iterdir():
            if (src / "__init__.py").is_file():
                found[src.name] = canonical(project_of(directory)["name"])
    return found


@cache
def installed_modules() -> dict[str, str]:
    """Dotted module or package name -> distribution, from every installed distribution's
    file list (dotted, not top-level: ``google`` is shared by a dozen distributions)."""
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        for file in dist.files or ():
            parts = file.parts
            if not parts or parts[0].endswith((".dist-info", "..")) or not file.name.endswith((".py", ".so")):
                continue
            module = parts[:-1] if file.name.startswith("__init__.") else (*parts[:-1], file.name.split(".")[0])
            found.setdefault(".".join(module), canonical(dist.metadata["Name"]))
    return found


def imported_names(path: Path) -> set[str]:
    """Absolute imports of a module, as dotted names (``from a.b import c``: ``a.b.c``, which
    resolves to ``a.b`` when ``c`` is not a module)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def distribution_of(name: str) -> str | None:
    """The distribution that installs module ``name``; None for the standard library."""
    top = name.split(".")[0]
    if top in sys.stdlib_module_names or top == "__future__":
        return None
    if top in suite_modules():
        return suite_modules()[top]
    parts = name.split(".")
    for depth in range(len(parts), 0, -1):
        if (dist := installed_modules().get(".".join(parts[:depth]))) is not None:
            return dist
    raise AssertionError(f"no installed distribution provides {name!r}: is it installed?")


def used_distributions(directory: str) -> dict[str, set[str]]:
    """Distribution -> the modules (relative paths) that import it, own package excluded."""
    own = canonical(project_of(directory)["name"])
    used: dict[str, set[str]] = {}
    src = REPO / directory / "src"
    for path in sorted(src.rglob("*.py")):
        for name in imported_names(path):
            dist = distribution_of(name)
            if dist is not None and dist != own:
                used.setdefault(dist, set()).add(str(path.relative_to(src)))
    return used


def declared_distributions(directory: str) -> set[str]:
    project = project_of(directory)
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements.extend(extra)
    return {canonical(Requirement(text).name) for text in requirements}


@pytest.mark.parametrize("directory", PACKAGES)
def test_every_imported_distribution_is_declared_and_every_declared_one_imported(directory: str) -> None:
    used = used_distributions(directory)
    declared = declared_distributions(directory)
    name = canonical(project_of(directory)["name"])
    undeclared = {dist: sorted(modules) for dist, modules in used.items() if dist not in declared}
    unused = declared - set(used) - RUNTIME_ONLY.get(name, set())
    assert not undeclared, f"{directory}/pyproject.toml does not declare what its modules import: {undeclared}"
    assert not unused, f"{directory}/pyproject.toml declares what nothing imports: {sorted(unused)}"


def test_the_check_sees_an_import_hidden_in_a_function(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import json\n\ndef f():\n    from google.cloud import bigquery\n    import yaml.constructor\n")
    assert {name: distribution_of(name) for name in imported_names(module)} == {
        "json": None,
        "google.cloud.bigquery": "google-cloud-bigquery",
        "yaml.constructor": "pyyaml",
    }
