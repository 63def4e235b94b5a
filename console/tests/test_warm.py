"""The warmer: after its pass, no page's default view reads storage; a new build of a view
is read by the warmer, not by the next request; on the app's lifespan it runs in the background."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from starlette.testclient import TestClient

from browser import SampleHome
from lorc_console.app import create_app
from lorc_console.warm import WARM_PATHS, Warmer
from lorchestra.stack_clients.views import view_path
from lorchestra.warehouse_reader import WarehouseReader
from sample_warehouse import config_of, copy_home

TOKEN = "warm-start-token"


def republish(path: Path) -> None:
    """The same rows as a new file swapped in, as a build publishes a view."""
    fresh = path.with_name(path.name + ".new")
    shutil.copy2(path, fresh)
    os.replace(fresh, path)


def test_after_a_warm_pass_no_page_reads_storage_and_a_new_build_is_read_by_the_warmer(
    sample_home: SampleHome, tmp_path: Path
) -> None:
    config = config_of(copy_home(sample_home, tmp_path))
    reader = WarehouseReader(config, max_age_seconds=3600)  # no re-read by age within the test
    app = create_app(config, reader=reader, token=TOKEN)
    warmer = Warmer(app)
    with TestClient(app, base_url="http://localhost") as client:
        assert client.get(f"/login?token={TOKEN}", follow_redirects=False).status_code == 303
        assert reader.reads == 0
        seen = warmer.warm_once()
        warmed = reader.reads
        assert warmed > 0
        for path in WARM_PATHS:
            assert client.get(path).status_code == 200, path
        assert reader.reads == warmed  # every page was served from what the warmer read

        republish(view_path(config.home, "inbox_view"))
        assert reader.generation() != seen
        warmer.warm_once()
        assert reader.reads == warmed + 1  # the new build, once
        for path in WARM_PATHS:
            assert client.get(path).status_code == 200, path
        assert reader.reads == warmed + 1


def test_the_served_app_warms_in_the_background_and_follows_a_new_build(
    sample_home: SampleHome, tmp_path: Path
) -> None:
    config = config_of(copy_home(sample_home, tmp_path))
    reader = WarehouseReader(config, max_age_seconds=3600)  # no re-read by age within the test
    app = create_app(config, reader=reader, token=TOKEN, warm=True)
    with TestClient(app, base_url="http://localhost"):  # runs the lifespan: the warmer's thread
        warmer: Warmer = app.state.warmer
        assert wait_until(lambda: warmer.passes == 1)
        before = reader.reads
        assert before > 0
        republish(view_path(config.home, "measurement_timeseries"))
        assert wait_until(lambda: warmer.passes == 2)
        assert reader.reads == before + 1  # the one view that changed


def wait_until(condition: Callable[[], bool], seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_the_warmer_reads_again_before_the_readers_cache_ages_out(sample_home: SampleHome, tmp_path: Path) -> None:
    config = config_of(copy_home(sample_home, tmp_path))
    reader = WarehouseReader(config, max_age_seconds=1.0)  # nothing changes: only the age calls for a pass
    app = create_app(config, reader=reader, token=TOKEN, warm=True)
    with TestClient(app, base_url="http://localhost"):
        warmer: Warmer = app.state.warmer
        assert wait_until(lambda: warmer.passes >= 3)
