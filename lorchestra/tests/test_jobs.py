from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import EntryPoint

import pytest
from click.testing import CliRunner

from lorchestra.cli import main
from lorchestra.exceptions import JobNotFoundError
from lorchestra.jobs import JobRegistry, reset_plugins


@pytest.mark.example_plugin
def test_installed_jobs_come_from_more_than_one_package() -> None:
    registry = JobRegistry.discover()
    packages = {spec.package for spec in registry.jobs.values()}
    assert "warehouse_stats" in registry.jobs
    assert registry.jobs["example_synthetic_ingest"].package == "lorc-example-plugin"
    assert {"lorchestra", "lorc-example-plugin"} <= packages


def test_a_plugin_that_fails_to_import_is_a_warning_naming_the_entry_point() -> None:
    eps = [
        EntryPoint("good", "lorchestra.builtin_jobs.warehouse_stats:warehouse_stats", "lorchestra.jobs"),
        EntryPoint("broken", "lorc_no_such_module.jobs:run", "lorchestra.jobs"),
        EntryPoint("not_callable", "lorchestra.jobs:ENTRY_POINT_GROUP", "lorchestra.jobs"),
    ]
    registry = JobRegistry.discover(eps)
    assert list(registry.jobs) == ["good"]
    assert any(
        "'broken'" in w and "lorc_no_such_module.jobs:run" in w and "ModuleNotFoundError" in w
        for w in registry.warnings
    )
    assert any("'not_callable'" in w for w in registry.warnings)


def test_unknown_job_suggests_close_names() -> None:
    registry = JobRegistry.discover()
    with pytest.raises(JobNotFoundError, match="did you mean warehouse_stats") as err:
        registry.get("warehouse_stat")
    assert err.value.exit_code == 2


@pytest.fixture
def fresh_plugins() -> Iterator[None]:
    """Each test reads the entry points and LORC_LOAD_PLUGINS anew, and leaves none cached."""
    reset_plugins()
    yield
    reset_plugins()


@pytest.mark.example_plugin
def test_plugins_are_loaded_once_per_process_and_each_registry_is_its_own(fresh_plugins: None) -> None:
    first = JobRegistry.discover()
    assert "lorc_example_plugin" in sys.modules
    del sys.modules["lorc_example_plugin"]
    first.jobs["added_by_a_caller"] = first.jobs["warehouse_stats"]
    second = JobRegistry.discover()
    assert "lorc_example_plugin" not in sys.modules  # not imported again
    assert "added_by_a_caller" not in second.jobs
    assert second.jobs["example_synthetic_ingest"].func is first.jobs["example_synthetic_ingest"].func
    reset_plugins()
    JobRegistry.discover()
    assert "lorc_example_plugin" in sys.modules  # after a reset, loaded anew


@pytest.mark.example_plugin
@pytest.mark.parametrize(
    ("setting", "example_loaded"),
    [
        (None, True),
        ("", False),
        ("lorc-example-plugin", True),
        ("lorc_Example_Plugin, someone-else", True),
        ("someone-else", False),
    ],
)
def test_lorc_load_plugins_chooses_the_plugin_distributions_and_the_suite_always_loads(
    fresh_plugins: None, monkeypatch: pytest.MonkeyPatch, setting: str | None, example_loaded: bool
) -> None:
    if setting is not None:
        monkeypatch.setenv("LORC_LOAD_PLUGINS", setting)
    registry = JobRegistry.discover()
    assert ("example_synthetic_ingest" in registry.jobs) is example_loaded
    assert {spec.package for spec in registry.jobs.values()} - {"lorc-example-plugin"} == {
        "lorchestra",
        "canonizer",
        "final-form",
        "reporter",
    }
    assert registry.warnings == (
        ["LORC_LOAD_PLUGINS names someone-else, which provides no installed job plugin"]
        if "someone-else" in (setting or "")
        else []
    )


@pytest.mark.example_plugin
def test_lorc_jobs_list_shows_only_the_suite_with_plugins_off(
    fresh_plugins: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LORC_LOAD_PLUGINS", "")
    result = CliRunner().invoke(main, ["jobs", "list", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    packages = {row["package"] for row in json.loads(result.stdout)}
    assert packages == {"lorchestra", "canonizer", "final-form", "reporter"}


def test_importing_the_cli_loads_no_plugin() -> None:
    """A real new interpreter: what importing lorchestra loads is the question."""
    plugin_modules = ["lorc_example_plugin", "canonizer.jobs", "final_form.jobs", "reporter.jobs"]
    script = f"import sys, lorchestra.cli, lorchestra.jobs; print(sorted(set(sys.modules) & set({plugin_modules!r})))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"
