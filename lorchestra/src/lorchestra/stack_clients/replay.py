"""``lorc replay``: backup files written back through the live write path, as strictly as it.

A raw envelope goes back as the exact payload text the live path stored (so what the
warehouse already holds is ``unchanged``) and through the store's own checks; a
canonical envelope is checked against its ``schema_ref`` first. A line that holds no
readable envelope, or an envelope that fails a check, is a reject naming the rule and
the field, and the rest is restored. A file of JSON lines that are not envelopes at
all is no backup: it is refused before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO, Any

from lorchestra.exceptions import LorcError
from lorchestra.stack_clients.backup import RAW_HEAD, raw_payload_text
from lorchestra.stack_clients.event_client import EventClient
from lorchestra.stack_clients.json_rules import MAX_DEPTH
from lorchestra.stack_clients.jsonl_scan import BadLine, GoodLine, scan_jsonl
from lorchestra.stack_clients.model import (
    RULE_SCHEMA,
    CanonicalRow,
    ObjectSpec,
    RejectRow,
    Source,
    WriteCounts,
    dumps,
    payload_hash,
)
from lorchestra.stack_clients.spill import spill_file
from shared_schemas import SchemaNotFoundError, compile_validator

EVENT_TYPE = "replay.completed"
RULE_ENVELOPE = "envelope"
_CANONICAL_FIELDS = tuple(f.name for f in fields(CanonicalRow))


@dataclass
class ReplayCounts:
    raw: WriteCounts = field(default_factory=WriteCounts)
    canonical: WriteCounts = field(default_factory=WriteCounts)
    unreadable_lines: int = 0  # lines that held no readable envelope: rejects of their own

    def as_dict(self) -> dict[str, int]:
        return {
            **{f"raw_{k}": v for k, v in self.raw.as_dict().items()},
            **{f"canonical_{k}": v for k, v in self.canonical.as_dict().items()},
            "unreadable_lines": self.unreadable_lines,
        }


@dataclass
class _BackupFile:
    """One backup file, read and checked: raw payloads spilled per stream, canonical rows, rejects."""

    raw: dict[ObjectSpec, tuple[Path, IO[bytes]]] = field(default_factory=dict)
    canonical: list[CanonicalRow] = field(default_factory=list)
    rejects: list[RejectRow] = field(default_factory=list)
    counts: ReplayCounts = field(default_factory=ReplayCounts)


def replay(paths: Sequence[Path], events: EventClient) -> ReplayCounts:
    """Write backup files back through ``events``; every file is read and checked before
    anything is written."""
    totals = ReplayCounts()
    with ExitStack() as spills:
        backups = [_read(path, events, spills) for path in paths]
        for backup in backups:
            for spec, (path, _) in backup.raw.items():
                totals.raw.add(events.emit_jsonl(EVENT_TYPE, path, spec=spec))
            if backup.canonical:
                totals.canonical.add(events.emit_canonical(EVENT_TYPE, backup.canonical))
            events.reject(backup.rejects)
            totals.raw.rejected += backup.counts.raw.rejected
            totals.canonical.rejected += backup.counts.canonical.rejected
            totals.unreadable_lines += backup.counts.unreadable_lines
    return totals


def _read(path: Path, events: EventClient, spills: ExitStack) -> _BackupFile:
    backup = _BackupFile()
    # an envelope holds its payload one level deeper than the payload's own limit
    for item in scan_jsonl(path, max_depth=MAX_DEPTH + 1):
        if isinstance(item, BadLine):
            backup.rejects.append(_reject(events, path, item.ordinal, item.digest, item.rule, item.field))
            backup.counts.unreadable_lines += 1
        elif item.record.get("kind") == "raw":
            _add_raw(backup, path, item, events, spills)
        elif item.record.get("kind") == "canonical":
            _add_canonical(backup, path, item, events)
        else:
            raise LorcError(
                f"{path}: record {item.ordinal} is not a backup envelope; "
                "lorc replay takes files from $LORC_HOME/backup/"
            )
    for _, handle in backup.raw.values():
        handle.close()
    return backup


def _add_raw(backup: _BackupFile, path: Path, item: GoodLine, events: EventClient, spills: ExitStack) -> None:
    envelope = item.record
    fault = _envelope_fault(envelope, [k for k in RAW_HEAD if k != "schema_ref"], nullable=["schema_ref"])
    if fault is not None:
        backup.rejects.append(_reject(events, path, item.ordinal, payload_hash(item.text), *fault))
        backup.counts.raw.rejected += 1
        return
    spec = ObjectSpec(
        Source(envelope["source_system"], envelope["connection_name"]),
        envelope["object_type"],
        id_field=envelope["id_field"],
        schema_ref=envelope["schema_ref"],
    )
    if spec not in backup.raw:
        backup.raw[spec] = spills.enter_context(spill_file(events.tmp_dir))
    backup.raw[spec][1].write(raw_payload_text(item.text, envelope) + b"\n")


def _add_canonical(backup: _BackupFile, path: Path, item: GoodLine, events: EventClient) -> None:
    envelope = item.record
    fault = _envelope_fault(envelope, [k for k in _CANONICAL_FIELDS if k != "payload"])
    if fault is None:
        fault = _schema_fault(envelope["schema_ref"], envelope["payload"])
    if fault is not None:
        key = envelope.get("idem_key") if isinstance(envelope.get("idem_key"), str) else None
        digest = payload_hash(dumps(envelope["payload"])) if "payload" in envelope else payload_hash(item.text)
        backup.rejects.append(
            _reject(events, path, item.ordinal, digest, *fault, key=key, object_type=envelope.get("object_type"))
        )
        backup.counts.canonical.rejected += 1
        return
    backup.canonical.append(CanonicalRow(**{k: envelope[k] for k in _CANONICAL_FIELDS}))


def _envelope_fault(
    envelope: dict[str, Any], texts: Sequence[str], nullable: Sequence[str] = ()
) -> tuple[str, str] | None:
    """The first field an envelope lacks or holds with the wrong type, as (rule, field):
    ``texts`` must be non-empty text, ``nullable`` text or null; every envelope has a payload."""
    for name in (*texts, *nullable, "payload"):
        if name not in envelope:
            return f"{RULE_ENVELOPE}.required", name
    for name in (*texts, *nullable):
        value = envelope[name]
        if not (isinstance(value, str) and value) and not (value is None and name in nullable):
            return f"{RULE_ENVELOPE}.type", name
    return None


def _schema_fault(schema_ref: str, payload: Any) -> tuple[str, str] | None:
    try:
        check = compile_validator(schema_ref)
    except SchemaNotFoundError:
        return f"{RULE_SCHEMA}.unknown", "schema_ref"
    violation = check(payload)
    return None if violation is None else (f"{RULE_SCHEMA}.{violation.rule}", violation.field)


def _reject(
    events: EventClient,
    path: Path,
    line: int,
    digest: str,
    rule: str,
    field_name: str,
    *,
    key: str | None = None,
    object_type: str | None = None,
) -> RejectRow:
    """A reject of a backup line: named by the object's key when it has one, else by its content."""
    return RejectRow(
        job_name=events.job_name,
        input_key=key or f"backup:{path.name}#md5:{digest}",
        input_idem_key=key,
        rule=rule,
        field=field_name,
        message=f"backup {path.name} line {line}: field {field_name!r} violates rule {rule!r}",
        payload_hash=digest,
        object_type=object_type if isinstance(object_type, str) else None,
    )
