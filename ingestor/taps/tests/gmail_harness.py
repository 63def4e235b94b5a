"""Run the real ``tap-lorc-gmail`` executable against a ``FakeGoogle`` on loopback."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tap_process import TapRun, run_tap_process
from tap_process import tap_command as process_command


def tap_command(directory: Path, settings: dict[str, Any], state: dict[str, Any] | None = None) -> list[str]:
    """The tap's command line, its config (and state) written into ``directory``."""
    return process_command("tap-lorc-gmail", directory, settings, state)


def tap_env() -> dict[str, str]:
    """The environment without settings a developer's shell may hold for the tap."""
    return {key: value for key, value in os.environ.items() if not key.startswith("TAP_LORC_GMAIL_")}


def run_tap(
    directory: Path, settings: dict[str, Any], state: dict[str, Any] | None = None, *, timeout: float = 300
) -> TapRun:
    return run_tap_process(tap_command(directory, settings, state), env=tap_env(), timeout=timeout)
