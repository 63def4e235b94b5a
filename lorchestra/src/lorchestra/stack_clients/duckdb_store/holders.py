"""Who holds a DuckDB file: DuckDB admits one writing process, or readers, never both."""

from __future__ import annotations

import os
import re
from pathlib import Path

from lorchestra.processes import describe_process

# DuckDB's words for a file another process holds: 'Conflicting lock is held in <program> (PID <n>)'
_HOLDER = re.compile(r"held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")


def holder_in_error(text: str) -> str:
    """The process DuckDB's lock error names ("python3.11 (pid 4242: jupyter-lab)")."""
    found = _HOLDER.search(text)
    return describe_process(int(found["pid"]), program_hint=found["program"]) if found else "another process"


def processes_holding(path: Path) -> list[int]:
    """The other processes holding a DuckDB file open (DuckDB takes a POSIX lock on it,
    shared for read-only use), read from /proc/locks: no file is opened, so no lock of
    this process is disturbed. Empty where /proc does not tell."""
    try:
        info = path.stat()
        table = Path("/proc/locks").read_text()
    except OSError:
        return []
    device = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    pids = []
    for line in table.splitlines():
        fields = line.split()
        if len(fields) >= 6 and fields[1] == "POSIX" and fields[5] == device and fields[4].isdigit():
            pids.append(int(fields[4]))  # blocked waiters ("->") have other columns and do not match
    return sorted(set(pids) - {os.getpid()})
