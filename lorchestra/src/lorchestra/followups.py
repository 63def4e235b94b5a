"""Follow-ups of item-9 safety flags: a clinician marks a flag followed up (who, when).

The mark is a row of the core table ``safety_followups`` (the first mark of a flag wins)
and an audit event ``safety_flag.followed_up`` (the flag's key and the clinician, nothing
of the record), written together. While a run holds the DuckDB warehouse the mark cannot
wait for it (a run may take an hour), so it goes to a private journal,
``$LORC_HOME/pending/followups.jsonl``, which the next run applies when it starts (and
the next mark applies when it finds the warehouse free): nothing is lost, and applying a
journal twice (a crash between applying and emptying it) records each mark once. A mark
on a warehouse of an earlier version (no ``safety_followups`` yet) is journaled too: only
a run changes the warehouse's schema.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from lorchestra.config import Config
from lorchestra.exceptions import LorcError, WarehouseLockedError
from lorchestra.faults import checkpoint
from lorchestra.home import PhiHome, private_dir, private_file, write_atomically
from lorchestra.runlock import lock_holder, lock_path
from lorchestra.stack_clients import EventClient, EventRow, Store, open_store
from lorchestra.stack_clients.clock import new_id, utcnow
from lorchestra.stack_clients.tables import SAFETY_FOLLOWUPS
from lorchestra.warehouse_reader import IN_PROCESS

log = logging.getLogger("lorchestra.followups")

FollowUpOutcome = Literal["recorded", "already", "pending"]
EVENT_TYPE = "safety_flag.followed_up"
TABLE = SAFETY_FOLLOWUPS.name


class FollowUpError(LorcError):
    """A mark that cannot be recorded: an unknown flag or a clinician not configured."""


def allowed_clinicians(config: Config) -> list[str]:
    """Who may be named as having followed up: ``console.clinicians``, or, when that list is
    empty, the user the process runs as (the one person at the machine)."""
    configured = [str(name) for name in config.section("console").get("clinicians") or [] if str(name).strip()]
    return configured or [getpass.getuser()]


def journal_path(home: PhiHome) -> Path:
    return home.root / "pending" / "followups.jsonl"


def mark_followed_up(config: Config, flag_key: str, by: str, *, now: datetime | None = None) -> FollowUpOutcome:
    """Record that ``by`` followed up the safety flag ``flag_key``: "recorded", "already"
    (an earlier mark stands), or "pending" (a run holds the warehouse: journaled, applied
    by the next run). A flag that is not a ``safety_flag`` object, or a clinician not
    configured, raises :class:`FollowUpError` and writes nothing."""
    clinicians = allowed_clinicians(config)
    if by not in clinicians:
        raise FollowUpError(
            f"the clinician chosen is not one of console.clinicians in {config.home.config_path} "
            f"({', '.join(clinicians)}); choose one of them, or add the name there"
        )
    if not flag_key or not flag_key.strip():
        raise FollowUpError("no safety flag named: choose a flag from the list of open flags")
    mark = {"flag_key": flag_key, "by": by, "followed_up_at": (now or utcnow()).isoformat()}
    with IN_PROCESS:  # the console's reader may be reading in another thread
        return _mark(config, mark)


def _mark(config: Config, mark: dict[str, Any]) -> FollowUpOutcome:
    flag_key = mark["flag_key"]
    store = _open_unless_held(config)
    if store is None:
        _append(config.home, mark)
        return "pending"
    try:
        if not store.has_table(TABLE):
            # A warehouse of an earlier version: a mark does not change its schema (that is a
            # run's work, under the run lock); the next run creates the table and applies this.
            _require_flag(store, flag_key)
            _append(config.home, mark)
            return "pending"
        events = EventClient(store, run_id=new_id(), job_name="mark_followed_up", tmp_dir=config.home.tmp_dir)
        apply_pending_followups(store, events, config.home)
        _require_flag(store, flag_key)
        if store.lookup_rows(TABLE, "flag_key", [flag_key], ["flag_key"]):
            return "already"
        _record(store, events, [mark])
        return "recorded"
    finally:
        store.close()


def pending_flag_keys(home: PhiHome) -> frozenset[str]:
    """The flags marked followed up in the journal, not yet recorded by a run (keys only):
    the console shows them as pending, also after a restart."""
    path = journal_path(home)
    if not path.exists():
        return frozenset()
    with _journal_lock(home):
        marks, _ = _read_journal(path)
    return frozenset(_keys(marks))


def _require_flag(store: Store, flag_key: str) -> None:
    if not list(store.read_objects("canonical_objects", "safety_flag", keys=[flag_key])):
        raise FollowUpError(
            f"{flag_key[:160]!r} is not a safety flag in the warehouse; choose a flag from the list of open flags"
        )


def apply_pending_followups(store: Store, events: EventClient, home: PhiHome) -> int:
    """Record the journaled marks (the first of a flag wins, also against the warehouse),
    then empty the journal in one rename; a line that cannot be read is kept. The number
    of marks read. Called by the runner as a run starts, under the run lock."""
    path = journal_path(home)
    if not path.exists():
        return 0
    with _journal_lock(home):
        marks, unreadable = _read_journal(path)
        if not marks and not unreadable:
            return 0
        known = {key for key, _ in store.read_objects("canonical_objects", "safety_flag", keys=_keys(marks))}
        for mark in marks:
            if mark["flag_key"] not in known:
                log.warning("a journaled follow-up names %s, which is no safety flag: not recorded", mark["flag_key"])
        _record(store, events, [m for m in marks if m["flag_key"] in known])
        checkpoint("followups.before_truncate")
        write_atomically(path, b"".join(unreadable))
        if unreadable:
            log.warning("%d line(s) of %s could not be read; kept there", len(unreadable), path)
    return len(marks)


def _record(store: Store, events: EventClient, marks: Sequence[dict[str, Any]]) -> None:
    now = utcnow()
    rows = [
        {
            "flag_key": m["flag_key"],
            "followed_up_by": m["by"],
            "followed_up_at": datetime.fromisoformat(m["followed_up_at"]),
            "recorded_at": now,
        }
        for m in marks
    ]
    audit = [
        EventRow(
            event_id=new_id(),
            event_type=EVENT_TYPE,
            created_at=now,
            correlation_id=events.run_id,
            trace_id=events.trace_id,
            payload={"flag_key": m["flag_key"], "by": m["by"]},
        )
        for m in marks
    ]
    if rows:
        store.insert_first(TABLE, rows, audit)


def _open_unless_held(config: Config) -> Store | None:
    """The store for writing, or None while a run (or another program) holds it: a mark
    never waits for a run, and never makes one wait longer than its own short write."""
    if config.backend == "duckdb" and lock_holder(lock_path(config.home)) is not None:
        return None
    try:
        return open_store(config, grace_seconds=0.0)
    except WarehouseLockedError:
        return None


def _append(home: PhiHome, mark: dict[str, Any]) -> None:
    path = journal_path(home)
    with _journal_lock(home):
        created = not path.exists()
        fd = private_file(path, "ab")
        try:
            os.write(fd, json.dumps(mark, sort_keys=True).encode() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:  # the new file's name is durable too
            directory = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)


@contextmanager
def _journal_lock(home: PhiHome) -> Iterator[None]:
    """Appending and applying exclude each other (the console and a run are two processes)."""
    directory = private_dir(journal_path(home).parent, stop_at=home.root)
    fd = private_file(directory / "followups.lock", "ab")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _read_journal(path: Path) -> tuple[list[dict[str, Any]], list[bytes]]:
    """The marks of the journal, and the lines that are not one (a line cut by a crash)."""
    marks, unreadable = [], []
    for line in path.read_bytes().splitlines(keepends=True):
        try:
            mark = json.loads(line)
            if not all(isinstance(mark.get(k), str) for k in ("flag_key", "by", "followed_up_at")):
                raise ValueError("not a mark")
            datetime.fromisoformat(mark["followed_up_at"])
        except (ValueError, AttributeError):
            if line.strip():
                unreadable.append(line if line.endswith(b"\n") else line + b"\n")
            continue
        marks.append(mark)
    return marks, unreadable


def _keys(marks: Sequence[dict[str, Any]]) -> list[str]:
    return sorted({m["flag_key"] for m in marks})


@dataclass(frozen=True)
class RecordedFollowUp:
    """A row of ``safety_followups``."""

    flag_key: str
    by: str
    at: datetime  # when the clinician followed the flag up
    recorded_at: datetime  # when the warehouse recorded it (a journaled mark: when a run applied it)


def recorded_followups(store: Store) -> dict[str, RecordedFollowUp]:
    """Every recorded follow-up by flag key: the one reader of ``safety_followups``, for the
    console's open flags and the weekly report's notes."""
    return {
        str(r["flag_key"]): RecordedFollowUp(
            flag_key=str(r["flag_key"]),
            by=str(r["followed_up_by"]),
            at=r["followed_up_at"],
            recorded_at=r["recorded_at"],
        )
        for r in store.read_table(TABLE)
    }
