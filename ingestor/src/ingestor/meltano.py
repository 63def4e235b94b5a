"""Where the Meltano CLI is, and whether it runs.

Meltano lives in its own virtualenv (its pins must not constrain the suite's); the
set-up links its executable next to the suite's Python. ``LORC_MELTANO`` overrides.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


class MeltanoNotFoundError(RuntimeError):
    """No Meltano executable: install it (`./dev setup`) or set LORC_MELTANO."""


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
        [str(executable), "--version"], capture_output=True, text=True, timeout=timeout, env=env,
        check=False,
    )
    if done.returncode != 0:
        raise MeltanoNotFoundError(f"{executable} --version exited {done.returncode}")
    return done.stdout.strip()
