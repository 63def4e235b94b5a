"""Named points in the write path where tests inject a failure or a crash.

Set ``LORC_FAULT_AT=<point>`` (or ``<point>:<scope>``, e.g. ``map.before_mark:score_phq9``
to hit a point only inside one job) to make the process raise :class:`InjectedFault`
there, or also ``LORC_FAULT_MODE=kill`` to SIGKILL itself there (crash-safety tests),
or ``LORC_FAULT_MODE=pause`` to stop itself (SIGSTOP) there and go on when continued
(SIGCONT): a run caught mid-way, for tests of what other processes see meanwhile.

The environment is read once, when this module is first imported (a test that starts
``lorc`` sets it in the child's environment); a test that sets it in its own process
calls :func:`reset` after. With no fault armed a checkpoint is one global check. This
module imports nothing of lorchestra: the store backends and the job kit both use it.
"""

from __future__ import annotations

import os
import signal

FAULT_AT_ENV, FAULT_MODE_ENV = "LORC_FAULT_AT", "LORC_FAULT_MODE"
_armed: str | None = None  # the point (or point:scope) named by LORC_FAULT_AT
_mode: str | None = None


class InjectedFault(RuntimeError):
    """Raised at a checkpoint named by LORC_FAULT_AT; only tests set it."""


def reset() -> None:
    """Read the environment again (for tests that arm a fault in their own process)."""
    global _armed, _mode
    _armed = os.environ.get(FAULT_AT_ENV) or None
    _mode = os.environ.get(FAULT_MODE_ENV)


def checkpoint(point: str, scope: str | None = None) -> None:
    if _armed is None:
        return
    if _armed in (point, f"{point}:{scope}"):
        _fire(point)


def sql_fault(point: str) -> str:
    """A statement that fails a server-side script at ``point`` (for stores whose batch is
    one transaction on the server); empty unless LORC_FAULT_AT names ``point``."""
    if _armed != point:
        return ""
    return f"SELECT ERROR('fault injected at {point}');"


def _fire(point: str) -> None:
    if _mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if _mode == "pause":
        os.kill(os.getpid(), signal.SIGSTOP)
        return
    raise InjectedFault(f"fault injected at {point}")


reset()
