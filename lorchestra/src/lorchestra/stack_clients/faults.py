"""Named points in the write path where tests inject a failure or a crash.

Set ``LORC_FAULT_AT=<point>`` (or ``<point>:<scope>``, e.g. ``map.before_mark:score_phq9``
to hit a point only inside one job) to make the process raise :class:`InjectedFault`
there, or also ``LORC_FAULT_MODE=kill`` to SIGKILL itself there (crash-safety tests),
or ``LORC_FAULT_MODE=pause`` to stop itself (SIGSTOP) there and go on when continued
(SIGCONT): a run caught mid-way, for tests of what other processes see meanwhile.
Unset, a checkpoint costs one environment lookup per batch.
"""

from __future__ import annotations

import os
import signal


class InjectedFault(RuntimeError):
    """Raised at a checkpoint named by LORC_FAULT_AT; only tests set it."""


def checkpoint(point: str, scope: str | None = None) -> None:
    wanted = os.environ.get("LORC_FAULT_AT")
    if wanted is None or wanted not in (point, f"{point}:{scope}"):
        return
    mode = os.environ.get("LORC_FAULT_MODE")
    if mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "pause":
        os.kill(os.getpid(), signal.SIGSTOP)
        return
    raise InjectedFault(f"fault injected at {point}")


def sql_fault(point: str) -> str:
    """A statement that fails a server-side script at ``point`` (for stores whose batch is
    one transaction on the server); empty unless LORC_FAULT_AT names ``point``."""
    if os.environ.get("LORC_FAULT_AT") != point:
        return ""
    return f"SELECT ERROR('fault injected at {point}');"
