"""BigQuery is the optional extra ``lorchestra[bigquery]``: choosing the backend without it
installed is a clear error naming the extra, from the library and from ``lorc``.

Each test runs in its own interpreter whose ``sys.modules`` holds None for the client
library, which is what Python does with a module that is not installed (no monkeypatching
of the suite's own code)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from lorchestra.home import PhiHome

WITHOUT_BIGQUERY = 'import sys\nsys.modules["google.cloud.bigquery"] = None  # not installed\n'
BIGQUERY_CONFIG = {
    "LORC_STORAGE__BACKEND": "bigquery",
    "LORC_STORAGE__BIGQUERY__PROJECT": "lorc-test-project",
    "LORC_STORAGE__BIGQUERY__DATASET": "lorc_missing_extra",
}


def python(script: str, home: PhiHome) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **BIGQUERY_CONFIG, "LORC_HOME": str(home.root)}
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_BIGQUERY + textwrap.dedent(script)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_open_store_without_the_extra_raises_an_error_naming_it(home: PhiHome) -> None:
    result = python(
        """
        from lorchestra.config import load_config
        from lorchestra.exceptions import BackendNotInstalledError, LorcError
        from lorchestra.home import PhiHome
        from lorchestra.stack_clients import open_store

        try:
            open_store(load_config(PhiHome.from_env()))
        except BackendNotInstalledError as exc:
            assert isinstance(exc, LorcError)
            print(exc)
        else:
            raise SystemExit("no error")
    """,
        home,
    )
    assert result.returncode == 0, result.stderr
    assert "pip install 'lorchestra[bigquery]'" in result.stdout
    assert "google.cloud.bigquery" in result.stdout


def test_lorc_without_the_extra_says_what_to_install(home: PhiHome) -> None:
    result = python(
        """
        sys.argv = ["lorc", "run", "warehouse_stats"]
        from lorchestra.cli import main
        main()
    """,
        home,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "error:" in result.stderr and "pip install 'lorchestra[bigquery]'" in result.stderr, result.stderr
