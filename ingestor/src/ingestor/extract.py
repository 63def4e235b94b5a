"""Run a Singer tap into JSONL with the real ``meltano run <tap> target-jsonl``.

Everything a run writes lands inside the caller's ``work_dir`` (the PHI home):

``work_dir/extract/<run_id>/<tap>[-<suffix>]/<stream>.jsonl``
    the records (dirs 0700, files 0600; a fresh directory per run, never reused).
``work_dir/logs/extract-<run_id>-<tap>[-<suffix>].log``
    Meltano's and the plugins' stdout/stderr (0600). Nothing reaches the console.
``work_dir/meltano/meltano.db``
    this home's Meltano system database (state/bookmarks, 0600), shared by its connections.
``work_dir/meltano/connections/<tap>[-<suffix>]/``
    the Meltano system directory of one connection (0700): Meltano's run files (per-run
    config, the state file handed to the tap) and symlinks to the shared plugin installs
    (``extractors`` -> ``<sys dir>/extractors``, ...). Runs never write into the shared
    directory, and connections of one plugin can run at the same time without sharing a
    file (Meltano keeps a plugin's run files in ``run/<plugin>/`` of its system directory).

Meltano 4 also writes a per-run ``elt.log`` (a copy of the plugin output) to
``platformdirs.user_log_path("meltano")``, i.e. ``~/.local/state/meltano/log``; the run
gets ``XDG_STATE_HOME`` pointed at a per-run directory in ``work_dir/meltano/`` instead,
which is removed after the run (the log file above has the same lines). Meltano's
check of PyPI for a newer version of itself is switched off: a run sends nothing anywhere
but to the tap's own API.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from ingestor.exceptions import ExtractionError
from ingestor.meltano import (
    PLUGIN_TYPE_DIRS,
    find_meltano,
    find_meltano_sys_dir,
    meltano_project_dir,
)
from ingestor.system_db import system_db_turn

LOADER = "target-jsonl"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
# Set by extract_to_jsonl itself; a caller's env may not override them.
_OWN_KEYS = frozenset(
    {
        "MELTANO_PROJECT_ROOT",
        "MELTANO_SYS_DIR_ROOT",
        "MELTANO_DATABASE_URI",
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS",
        "MELTANO_CLI_DISABLE_VERSION_CHECK",
        "MELTANO_PROJECT_READONLY",
        "TARGET_JSONL_DESTINATION_PATH",
        "TARGET_JSONL_DO_TIMESTAMP_FILE",
        "XDG_STATE_HOME",
    }
)
# Run as a file in isolated mode (it imports the standard library only): as ``-m
# ingestor.guard`` it would import the whole package first, a tenth of a second per run.
_GUARD = Path(__file__).with_name("guard.py")
_STOP_GRACE_SECONDS = 10.0
_CANCEL_POLL_SECONDS = 0.05  # how soon a run notices ``cancel``; Popen.wait polls this often anyway
# What Python, SQLite (Meltano's system database) and the plugins print when a write
# finds the disk full or over quota; Meltano itself reports only an exit code.
_DISK_FULL_MARKERS = (b"No space left on device", b"database or disk is full", b"Disk quota exceeded")
# What the suite's taps (lorc_taps.http.AUTH_REFUSED_MARKER) log when a token endpoint
# refuses the stored credentials: expired, revoked, or a wrong secret.
AUTH_REFUSED_MARKER = b"lorc-taps: authorization refused"
# What they log when a setting names something the API does not have (lorc_taps.http.SettingError):
# the rest of that line names the setting and ids, never record content, so lorc may show it.
SETTING_MARKER = b"lorc-taps: setting wrong: "
_SETTING_PROBLEM_MAX = 300
_LOG_TAIL_BYTES = 1 << 20


def extract_to_jsonl(
    tap_name: str,
    run_id: str,
    *,
    work_dir: Path,
    env: Mapping[str, str] | None = None,
    state_id_suffix: str | None = None,
    full_refresh: bool = False,
    timeout: float = 900,
    hold_fds: Sequence[int] = (),
    exclusive: bool = False,
    withhold: Iterable[str] = (),
    cancel: threading.Event | None = None,
) -> dict[str, Path]:
    """Run ``meltano run <tap_name> target-jsonl`` and return ``{stream_name: jsonl_path}``.

    ``env`` adds environment variables for this run (plugin settings such as
    ``TAP_SAMPLE_GMAIL_MAILBOX`` or secrets); inherited ``MELTANO_*``, ``TAP_*`` and
    ``TARGET_*`` variables are dropped so a stray setting cannot move the state or the
    output, or send a tap (and its secrets) elsewhere, and so are the inherited variables
    named in ``withhold`` (other connections' secrets). ``state_id_suffix`` gives one plugin several sets of bookmarks (state id
    ``dev:<tap>-to-target-jsonl:<suffix>``); ``full_refresh`` ignores stored state.

    Meltano runs under ``ingestor.guard``: it and its plugins die with the caller, and
    ``hold_fds`` (the caller's run lock) stay open until they are gone. ``exclusive``
    says the caller's lock keeps every other run of this home out, so Meltano's own check
    for a pipeline "already running" is skipped (``--force``): after a kill it would
    otherwise refuse the connection until its five-minute staleness timeout. Setting
    ``cancel`` (from another thread) stops the run like a timeout does.

    Streams that emitted no record have no file, so an empty extraction returns ``{}``.
    Raises ``FileExistsError`` if this run's output directory exists already,
    ``ExtractionError`` if Meltano fails, exceeds ``timeout`` seconds or is cancelled (message: tap,
    exit code, log file; never output), ``MeltanoNotFoundError`` if Meltano or the
    plugins are not installed, and ``ValueError`` for a bad name or ``env`` key.
    """
    _check_name("tap_name", tap_name)
    _check_name("run_id", run_id)
    if state_id_suffix is not None:
        _check_name("state_id_suffix", state_id_suffix)
    if not timeout > 0:
        raise ValueError("timeout must be > 0 seconds")
    extra_env = dict(env or {})
    clashes = sorted(_OWN_KEYS & extra_env.keys())
    if clashes:
        raise ValueError(f"env may not set {', '.join(clashes)}: extract_to_jsonl sets them")

    meltano = find_meltano()
    shared_sys_dir = find_meltano_sys_dir()
    work_dir = Path(work_dir).absolute()
    label = tap_name if state_id_suffix is None else f"{tap_name}-{state_id_suffix}"

    out_dir = _fresh_private_dir(work_dir, "extract", run_id, label)
    meltano_home = _private_dir(work_dir, "meltano")
    sys_dir = _connection_sys_dir(work_dir, label, shared_sys_dir)
    run_state_home = _fresh_private_dir(work_dir, "meltano", "run-logs", f"{run_id}-{label}")
    log_path = _private_dir(work_dir, "logs") / f"extract-{run_id}-{label}.log"

    withheld = set(withhold)
    child_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MELTANO_", "TAP_", "TARGET_")) and key not in withheld
    }
    child_env.update(extra_env)
    child_env.update(
        {
            "MELTANO_PROJECT_ROOT": str(meltano_project_dir()),
            "MELTANO_SYS_DIR_ROOT": str(sys_dir),
            "MELTANO_DATABASE_URI": f"sqlite:///{meltano_home / 'meltano.db'}",
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
            "MELTANO_CLI_DISABLE_VERSION_CHECK": "true",
            "MELTANO_PROJECT_READONLY": "true",
            "TARGET_JSONL_DESTINATION_PATH": str(out_dir),
            "TARGET_JSONL_DO_TIMESTAMP_FILE": "false",
            "XDG_STATE_HOME": str(run_state_home),
        }
    )
    args = [str(meltano), "run", "--no-install"]
    if state_id_suffix is not None:
        args += ["--state-id-suffix", state_id_suffix]
    if full_refresh:
        args.append("--full-refresh")
    if exclusive:
        args.append("--force")
    args += [tap_name, LOADER]

    if exclusive:
        _remove_plugin_configs(sys_dir)
        _remove_plugin_configs(meltano_home)  # a killed run's, in the layout of one system directory for all
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    exit_code: int | None = None
    timed_out = cancelled = False
    try:
        with os.fdopen(log_fd, "wb") as log, system_db_turn(meltano_home, meltano) as succeeded:
            log.write(
                f"# ingestor {datetime.now(UTC).isoformat(timespec='seconds')}: "
                f"meltano run{' --state-id-suffix ' + state_id_suffix if state_id_suffix else ''}"
                f"{' --full-refresh' if full_refresh else ''} {tap_name} {LOADER} (run {run_id})\n".encode()
            )
            log.flush()
            if cancel is not None and cancel.is_set():  # set while this run waited for its turn
                raise ExtractionError(tap_name, None, log_path, cancelled=True)
            process = subprocess.Popen(
                [sys.executable, "-I", str(_GUARD), "--", *args],
                cwd=meltano_project_dir(),
                env=child_env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                umask=0o077,
                start_new_session=True,
                pass_fds=tuple(hold_fds),
            )
            try:
                exit_code = _wait(process, timeout, cancel)
            except subprocess.TimeoutExpired:
                timed_out = True
                exit_code = _stop(process)
            except _Cancelled:
                cancelled = True
                exit_code = _stop(process)
            except BaseException:
                _stop(process)
                raise
            if exit_code == 0:
                succeeded()
    finally:
        _lock_down(out_dir, meltano_home)
        shutil.rmtree(run_state_home, ignore_errors=True)
        if exclusive:
            _remove_plugin_configs(sys_dir)

    if timed_out or cancelled:
        raise ExtractionError(
            tap_name, exit_code, log_path, timeout=timeout if timed_out else None, cancelled=cancelled
        )
    if exit_code != 0:
        tail = _log_tail(log_path)
        raise ExtractionError(
            tap_name,
            exit_code,
            log_path,
            disk_full_under=work_dir if any(m in tail for m in _DISK_FULL_MARKERS) else None,
            authorization_refused=AUTH_REFUSED_MARKER in tail,
            setting_problem=setting_problem(tail),
        )
    return {path.stem: path for path in sorted(out_dir.glob("*.jsonl"))}


def setting_problem(log_tail: bytes) -> str | None:
    """``<setting>: <why>`` from the last line a tap logged with :data:`SETTING_MARKER`."""
    start = log_tail.rfind(SETTING_MARKER)
    if start < 0:
        return None
    line = log_tail[start + len(SETTING_MARKER) :].split(b"\n", 1)[0]
    return line.decode("utf-8", "replace").strip()[:_SETTING_PROBLEM_MAX] or None


def _log_tail(log_path: Path) -> bytes:
    """The end of a failed run's log, to look for known causes (read here, never shown)."""
    try:
        with open(log_path, "rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - _LOG_TAIL_BYTES))
            return log.read()
    except OSError:
        return b""


def _check_name(what: str, value: str) -> None:
    if not isinstance(value, str) or not _NAME.fullmatch(value) or ".." in value:
        raise ValueError(f"{what} must match {_NAME.pattern} (no '..'), got {value!r}")


def _private_dir(work_dir: Path, *parts: str) -> Path:
    """``work_dir/<parts...>``, each created with mode 0700 (existing ones tightened)."""
    work_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = work_dir
    for part in parts:
        path = path / part
        path.mkdir(mode=0o700, exist_ok=True)
        path.chmod(0o700)
    return path


def _fresh_private_dir(work_dir: Path, *parts: str) -> Path:
    """Like ``_private_dir``, but the last directory must not exist yet."""
    parent = _private_dir(work_dir, *parts[:-1])
    path = parent / parts[-1]
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        raise FileExistsError(
            f"{path} exists already: every extraction writes to a fresh directory (use a new run id)"
        ) from None
    path.chmod(0o700)
    return path


def code_links(work_dir: Path) -> list[Path]:
    """The symlinks in ``work_dir`` that lead out of it on purpose, to code (never data):
    in each Meltano system directory the shared plugin installs, which every run points
    at the shared installs again, and ``run/bin``, Meltano's own link to its executable.
    ``work_dir/meltano`` itself was the one system directory of every connection before
    each got its own, so a home may still hold its links."""
    meltano = Path(work_dir) / "meltano"
    sys_dirs = [meltano, *sorted((meltano / "connections").glob("*"))]
    return [link for sys_dir in sys_dirs for link in [*_plugin_links(sys_dir), sys_dir / "run" / "bin"]]


def _plugin_links(sys_dir: Path) -> list[Path]:
    return [sys_dir / kind for kind in PLUGIN_TYPE_DIRS]


def _connection_sys_dir(work_dir: Path, label: str, shared_sys_dir: Path) -> Path:
    """One connection's Meltano system directory, with the shared plugin installs linked in."""
    home = _private_dir(work_dir, "meltano", "connections", label)
    for link in _plugin_links(home):
        kind = link.name
        target = shared_sys_dir / kind
        if not target.is_dir():
            continue
        if link.is_symlink():
            if Path(os.readlink(link)) == target:
                continue
            link.unlink()
        elif link.exists():
            continue  # plugins installed into this home itself: use them
        temporary = home / f".{kind}.{uuid.uuid4().hex}.tmp"
        temporary.symlink_to(target, target_is_directory=True)
        temporary.replace(link)  # atomic, so concurrent runs never see a missing link
    return home


def _remove_plugin_configs(sys_dir: Path) -> None:
    """The per-run config files Meltano writes for its plugins (``run/<plugin>/*.config.json``:
    the tap's settings, secrets included); Meltano removes them only when it exits cleanly."""
    for path in (sys_dir / "run").glob("*/*.config.json"):
        path.unlink(missing_ok=True)


def _lock_down(out_dir: Path, meltano_home: Path) -> None:
    """Output files and the system database 0600, whatever the run left behind."""
    for path in (*out_dir.iterdir(), *meltano_home.glob("meltano.db*")):
        # another connection's Meltano may remove its SQLite journal between listing and chmod
        with contextlib.suppress(FileNotFoundError):
            if path.is_file() and not path.is_symlink():
                path.chmod(0o600)


class _Cancelled(Exception):
    """The caller set ``cancel`` while Meltano ran."""


def _wait(process: subprocess.Popen[bytes], timeout: float, cancel: threading.Event | None) -> int:
    """Meltano's exit code; ``TimeoutExpired`` after ``timeout`` s, ``_Cancelled`` once ``cancel`` is set."""
    if cancel is None:
        return process.wait(timeout=timeout)
    deadline = time.monotonic() + timeout
    while not cancel.is_set():
        try:
            return process.wait(timeout=max(0.0, min(_CANCEL_POLL_SECONDS, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                raise
    raise _Cancelled


def _stop(process: subprocess.Popen[bytes]) -> int | None:
    """SIGTERM the guard (it kills Meltano and its plugins), then SIGKILL after a grace period."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            return process.wait(timeout=_STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            continue
    return process.poll()
