"""Name another process for a message ("python3.11 (pid 4242: jupyter-lab)").

Only the program and the name of the script or module it runs are shown, never its
arguments: a command line may carry anything (``python -c "... WHERE name = ..."``).
"""

from __future__ import annotations

import os
from pathlib import Path

_PROC = Path("/proc")
# Programs whose first argument is the program a person knows them as (a script).
_INTERPRETERS = ("python", "pypy", "node", "ruby", "perl", "R")


def describe_process(pid: int, *, program_hint: str | None = None) -> str:
    """``program (pid N: script)`` from /proc where it tells; ``program_hint`` (a path
    another tool reported) stands in for the program when /proc does not."""
    argv = _argv(pid)
    program = _program(pid, argv) or (os.path.basename(program_hint) if program_hint else "")
    script = _script(argv) if program.startswith(_INTERPRETERS) else ""
    if not program:
        return f"pid {pid}"
    return f"{program} (pid {pid}: {script})" if script and script != program else f"{program} (pid {pid})"


def _argv(pid: int) -> list[str]:
    try:
        raw = (_PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def _program(pid: int, argv: list[str]) -> str:
    try:
        return os.path.basename(os.readlink(_PROC / str(pid) / "exe"))
    except OSError:  # another user's process: its executable link is not ours to read
        return os.path.basename(argv[0]) if argv else ""


def _script(argv: list[str]) -> str:
    """The script an interpreter runs (``/usr/bin/jupyter-lab``), or ``-m``'s module."""
    if len(argv) < 2:
        return ""
    if argv[1] == "-m" and len(argv) > 2:
        return argv[2]
    if argv[1].startswith("-"):
        return ""  # ``-c CODE`` and other options: nothing that names a program
    return os.path.basename(argv[1])
