"""One PHI-safe error root: every error lorchestra shows as it is derives from
``shared_schemas.errors.PhiSafeError``; nothing else is shown, however it is dressed."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

from lorchestra.errors_safe import safe_error
from shared_schemas.errors import PhiSafeError

REPO = Path(__file__).resolve().parents[2]
PACKAGES = {
    "shared-schemas": "shared_schemas",
    "ingestor": "ingestor",
    "canonizer": "canonizer",
    "final-form": "final_form",
    "reporter": "reporter",
    "lorchestra": "lorchestra",
}
# Errors whose messages may quote what they were handed: lorchestra withholds their message.
WITHHELD = {
    "ingestor.fake_apis.gmail_mailbox.QueryError",  # the fake Gmail API's answer to a query it cannot parse
    "lorchestra.stack_clients.candidates.UnreadableLine",  # internal to the candidate check, never raised out
    "lorchestra.faults.InjectedFault",  # a test's injected crash
    "ingestor.extract._Cancelled",  # internal to the wait for Meltano, raised out as an ExtractionError
}
PHI = "Erika Mustermann, erika@example.org"


def _src_modules(directory: str, name: str) -> list[str]:
    root = REPO / directory / "src" / name
    package = importlib.import_module(name)
    found = [name]
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
        if (root / Path(*info.name.split(".")[1:])).with_suffix(".py").exists() or info.ispkg:
            found.append(info.name)
    return found


def _exception_classes() -> list[type[BaseException]]:
    classes: dict[str, type[BaseException]] = {}
    for directory, name in PACKAGES.items():
        for module_name in _src_modules(directory, name):
            module = importlib.import_module(module_name)
            for _, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, BaseException) and obj.__module__ == module_name:
                    classes[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [classes[k] for k in sorted(classes)]


EXCEPTIONS = _exception_classes()


def test_the_package_roots_are_found_and_the_list_of_withheld_ones_is_current() -> None:
    names = {f"{c.__module__}.{c.__qualname__}" for c in EXCEPTIONS}
    assert names >= WITHHELD
    assert {
        "canonizer.exceptions.CanonizerError",
        "ingestor.exceptions.IngestorError",
        "lorchestra.exceptions.LorcError",
        "reporter.exceptions.ReporterError",
        "shared_schemas.instruments.UnknownInstrumentError",
    } <= names


@pytest.mark.parametrize("cls", EXCEPTIONS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_error_the_suite_defines_derives_from_the_phi_safe_root_unless_it_is_withheld(
    cls: type[BaseException],
) -> None:
    name = f"{cls.__module__}.{cls.__qualname__}"
    assert issubclass(cls, PhiSafeError) is (name not in WITHHELD), name


def test_no_source_declares_itself_phi_safe_by_attribute() -> None:
    offenders = []
    for directory, name in PACKAGES.items():
        for path in (REPO / directory / "src" / name).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                targets = (
                    node.targets
                    if isinstance(node, ast.Assign)
                    else ([node.target] if isinstance(node, ast.AnnAssign) else [])
                )
                if any(isinstance(t, ast.Name) and t.id == "phi_safe" for t in targets):
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []


def test_the_root_is_shown_as_it_is_and_a_look_alike_is_not() -> None:
    class Declared(RuntimeError):
        phi_safe = True

    assert safe_error(PhiSafeError("job canonicalize_contacts: 3 rejects (rule required)")) == (
        "job canonicalize_contacts: 3 rejects (rule required)"
    )
    hidden = safe_error(Declared(PHI))
    assert PHI not in hidden and hidden.startswith("Declared")
