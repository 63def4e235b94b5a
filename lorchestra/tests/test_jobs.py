from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest
from lorchestra.exceptions import JobNotFoundError
from lorchestra.jobs import JobRegistry


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
    assert any("'broken'" in w and "lorc_no_such_module.jobs:run" in w and "ModuleNotFoundError" in w
               for w in registry.warnings)
    assert any("'not_callable'" in w for w in registry.warnings)


def test_unknown_job_suggests_close_names() -> None:
    registry = JobRegistry.discover()
    with pytest.raises(JobNotFoundError, match="did you mean warehouse_stats") as err:
        registry.get("warehouse_stat")
    assert err.value.exit_code == 2
