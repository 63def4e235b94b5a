"""Peak resident memory of one stage of a benchmark, in-process.

Linux keeps the peak (``VmHWM``) per process; writing ``5`` to ``/proc/self/clear_refs``
resets it, so each stage's peak can be read on its own. Where that is not possible the
process-wide peak since start is reported (an upper bound) and ``stage_scoped`` says so.
"""

from __future__ import annotations

import re
import resource
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")
_HWM = re.compile(r"^VmHWM:\s+(\d+)\s+kB", re.MULTILINE)


def reset_peak() -> bool:
    """Start a new peak; False when the platform keeps only the peak since start."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def peak_mb() -> float:
    """The peak resident set since the last :func:`reset_peak` (or since start), in MiB."""
    try:
        found = _HWM.search(_STATUS.read_text())
    except OSError:
        found = None
    if found:
        return int(found.group(1)) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
