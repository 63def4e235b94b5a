"""``python -m ingestor.guard -- meltano run ...``: run Meltano so it cannot outlive lorc.

``ingestor.extract`` runs this file by its path (``python -I .../guard.py -- ...``), so it
imports the standard library only.

``meltano run`` starts the tap and the target as its own children. If lorc were killed
(SIGKILL, OOM, a closed terminal) they would run on as orphans: finish, save a bookmark,
and leave records that nothing ingests. The guard sits between lorc and Meltano:

- the kernel sends the guard SIGTERM when lorc dies (parent-death signal);
- on SIGTERM, SIGINT or SIGHUP the guard kills Meltano's whole process group (Meltano,
  tap, target) with SIGKILL, waits for Meltano, and exits. A Meltano killed that way
  saves no state, so the next run starts from the last committed bookmark and first
  ingests what the killed run had written (``lorchestra.extraction``);
- Meltano itself also gets SIGKILL should the guard vanish;
- file descriptors lorc passes (its run lock) stay open in the guard, and only there,
  until Meltano is gone, so no other lorc run can start while Meltano still runs.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from types import FrameType

_PR_SET_PDEATHSIG = 1
EXIT_PARENT_GONE = 75


def set_parent_death_signal(sig: int) -> bool:
    """Ask the kernel to send ``sig`` when the parent dies (Linux); False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0) == 0)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("usage: python -m ingestor.guard -- COMMAND [ARG...]", file=sys.stderr)
        return 2
    parent = os.getppid()
    set_parent_death_signal(signal.SIGTERM)
    if os.getppid() != parent:  # lorc died before the signal was armed
        return EXIT_PARENT_GONE
    child = subprocess.Popen(
        argv, start_new_session=True, close_fds=True, preexec_fn=lambda: set_parent_death_signal(signal.SIGKILL)
    )  # noqa: PLW1509 - prctl only

    def kill_group(signum: int, frame: FrameType | None) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, kill_group)
    code = child.wait()
    with contextlib.suppress(ProcessLookupError):  # a tap Meltano left behind
        os.killpg(child.pid, signal.SIGKILL)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
