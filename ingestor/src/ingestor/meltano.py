"""Where the Meltano CLI, its shared plugin installs and the shipped project are.

Meltano lives in its own virtualenv (its pins must not constrain the suite's); the
set-up links its executable next to the suite's Python. ``LORC_MELTANO`` overrides.

The plugins (taps, target-jsonl) are installed once, at set-up time, into a shared
Meltano *system directory* (``MELTANO_SYS_DIR_ROOT`` of ``meltano install``): by
default ``<repo>/.venvs/meltano-sys``, found next to Meltano's own virtualenv by
following the ``meltano`` symlink (``<repo>/.venv/bin/meltano`` ->
``<repo>/.venvs/meltano/bin/meltano``, so ``../../meltano-sys``). ``LORC_MELTANO_SYS_DIR``
overrides. Runs never write there (see ``ingestor.extract``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ingestor.exceptions import IngestorError

SYS_DIR_ENV = "LORC_MELTANO_SYS_DIR"
SYS_DIR_NAME = "meltano-sys"
# The plugin-type directories Meltano creates in a system directory (one per kind).
PLUGIN_TYPE_DIRS = (
    "extractors",
    "loaders",
    "mappers",
    "utilities",
    "transformers",
    "transforms",
    "orchestrators",
    "files",
)


class MeltanoNotFoundError(IngestorError, RuntimeError):
    """No Meltano executable, or no installed plugins: run `./dev setup` (or set LORC_MELTANO*)."""


def find_meltano() -> Path:
    explicit = os.environ.get("LORC_MELTANO")
    candidates = [Path(explicit)] if explicit else []
    candidates.append(Path(sys.executable).parent / "meltano")
    found = shutil.which("meltano")
    if found:
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise MeltanoNotFoundError(
        "Meltano is not installed: run `./dev setup` (or set LORC_MELTANO to the meltano executable)"
    )


def meltano_version(timeout: float = 60.0) -> str:
    """``meltano --version`` output, e.g. ``meltano, version 4.4.1``."""
    executable = find_meltano()
    env = {**os.environ, "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false"}
    done = subprocess.run(
        [str(executable), "--version"],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise MeltanoNotFoundError(f"{executable} --version exited {done.returncode}")
    return done.stdout.strip()


def meltano_project_dir() -> Path:
    """The Meltano project shipped in this package (``meltano_project/meltano.yml``)."""
    return Path(__file__).resolve().parent / "meltano_project"


def find_meltano_sys_dir() -> Path:
    """The shared system directory that holds the installed plugin virtualenvs.

    ``LORC_MELTANO_SYS_DIR`` if set; else ``meltano-sys`` beside the virtualenv of the
    real ``meltano`` executable (``find_meltano()`` with every symlink followed:
    ``<x>/meltano/bin/meltano`` -> ``<x>/meltano-sys``). It must exist and hold at least
    one installed plugin directory.
    """
    explicit = os.environ.get(SYS_DIR_ENV)
    if explicit:
        sys_dir = Path(explicit).expanduser().absolute()
        origin = f"{SYS_DIR_ENV}={explicit}"
    else:
        real = find_meltano().resolve()  # follows .venv/bin/meltano -> .venvs/meltano/bin/meltano
        venv = real.parent.parent
        sys_dir = venv.parent / SYS_DIR_NAME
        origin = f"beside {venv}"
    if not any((sys_dir / kind).is_dir() for kind in PLUGIN_TYPE_DIRS):
        raise MeltanoNotFoundError(
            f"no Meltano plugins installed in {sys_dir} ({origin}): run `./dev setup` "
            f"(or set {SYS_DIR_ENV} to the directory `meltano install` used as MELTANO_SYS_DIR_ROOT)"
        )
    return sys_dir
