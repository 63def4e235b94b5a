"""Backup and replay: every raw and canonical write, also appended to JSONL files.

``backup/{raw|canonical}/YYYY-MM-DD/run_<run_id>.jsonl`` (0600) in the PHI home hold one
envelope per object: enough to write it again. :func:`replay` re-emits such files through
the normal write path, so replaying twice, or replaying what the warehouse already
holds, changes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import groupby
from pathlib import Path
from typing import Any

import orjson

from lorchestra.errors_safe import disk_full_under
from lorchestra.exceptions import LorcError
from lorchestra.home import private_dir, private_file
from lorchestra.stack_clients.jsonl_scan import GoodLine, scan_jsonl
from lorchestra.stack_clients.model import CanonicalRow, ObjectSpec, Source, WriteCounts


class Backup:
    def __init__(self, root: Path, run_id: str) -> None:
        self.root = root
        self.run_id = run_id

    def _file(self, kind: str, now: datetime) -> Path:
        folder = private_dir(self.root / kind / now.strftime("%Y-%m-%d"), stop_at=self.root.parent)
        return folder / f"run_{self.run_id}.jsonl"

    def _append(self, kind: str, now: datetime, lines: Iterable[bytes]) -> None:
        path = self._file(kind, now)
        with disk_full_under(path.parent), os.fdopen(private_file(path, "ab"), "ab") as handle:
            for line in lines:
                handle.write(line + b"\n")

    def raw_file(self, path: Path, spec: ObjectSpec, now: datetime) -> None:
        head = {"kind": "raw", "source_system": spec.source.system, "connection_name": spec.source.connection,
                "object_type": spec.object_type, "id_field": spec.id_field, "schema_ref": spec.schema_ref}
        self._append("raw", now, (orjson.dumps({**head, "payload": orjson.Fragment(item.text)})
                                  for item in scan_jsonl(path) if isinstance(item, GoodLine)))

    def canonical_rows(self, rows: Iterable[CanonicalRow], now: datetime) -> None:
        self._append("canonical", now, (orjson.dumps({"kind": "canonical", **row.__dict__}) for row in rows))


def replay(paths: Iterable[Path], events: Any) -> dict[str, WriteCounts]:
    """Re-emit backup files through ``events`` (an EventClient); counts per kind."""
    totals = {"raw": WriteCounts(), "canonical": WriteCounts()}
    for path in paths:
        envelopes = list(_read(path))
        raw = sorted((e for e in envelopes if e["kind"] == "raw"), key=_stream)  # stable: file order kept
        for _, group in groupby(raw, key=_stream):
            records = list(group)
            first = records[0]
            spec = ObjectSpec(Source(first["source_system"], first["connection_name"]), first["object_type"],
                              id_field=first["id_field"], schema_ref=first["schema_ref"])
            totals["raw"].add(events.emit_batch("replay.completed", (e["payload"] for e in records), spec=spec))
        canonical = [CanonicalRow(**{k: v for k, v in e.items() if k != "kind"})
                     for e in envelopes if e["kind"] == "canonical"]
        if canonical:
            totals["canonical"].add(events.emit_canonical("replay.completed", canonical))
    return totals


def _stream(envelope: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(envelope[k]) for k in ("source_system", "connection_name", "object_type", "id_field",
                                             "schema_ref"))


def _read(path: Path) -> Iterator[dict[str, Any]]:
    for item in scan_jsonl(path):
        if not isinstance(item, GoodLine) or item.record.get("kind") not in ("raw", "canonical"):
            raise LorcError(f"{path}: record {item.ordinal} is not a backup envelope; lorc replay takes files from $LORC_HOME/backup/")
        yield item.record
