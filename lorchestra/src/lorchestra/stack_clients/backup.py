"""Backups: every raw and canonical write, also appended to JSONL files, and their format.

``backup/{raw|canonical}/YYYY-MM-DD/run_<run_id>.jsonl`` (0600) in the PHI home hold one
envelope per object: enough to write it again (:mod:`replay`). A raw envelope carries
the payload text exactly as the live path stored it, so it can be restored byte for byte.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from lorchestra.errors_safe import disk_full_under
from lorchestra.home import private_dir, private_file
from lorchestra.stack_clients.jsonl_scan import GoodLine, scan_jsonl
from lorchestra.stack_clients.model import CanonicalRow, ObjectSpec, dumps

RAW_HEAD = ("source_system", "connection_name", "object_type", "id_field", "schema_ref")


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
        head = _raw_head([spec.source.system, spec.source.connection, spec.object_type, spec.id_field, spec.schema_ref])
        self._append(
            "raw",
            now,
            (
                orjson.dumps({**head, "payload": orjson.Fragment(item.text)})
                for item in scan_jsonl(path)
                if isinstance(item, GoodLine)
            ),
        )

    def canonical_rows(self, rows: Iterable[CanonicalRow], now: datetime) -> None:
        self._append("canonical", now, (orjson.dumps({"kind": "canonical", **row.__dict__}) for row in rows))


def raw_payload_text(line: bytes, envelope: dict[str, Any]) -> bytes:
    """The payload text of a raw envelope ``line`` exactly as :meth:`Backup.raw_file`
    embedded it (the envelope's payload serialised again only for an envelope written
    some other way)."""
    prefix = orjson.dumps(_raw_head([envelope.get(k) for k in RAW_HEAD]))[:-1] + b',"payload":'
    if line.startswith(prefix) and line.endswith(b"}"):
        text = line[len(prefix) : -1]
        try:
            if orjson.loads(text) == envelope["payload"]:
                return text
        except orjson.JSONDecodeError:
            pass  # more members after the payload: not this writer's envelope
    return dumps(envelope["payload"])


def _raw_head(values: Sequence[Any]) -> dict[str, Any]:
    return {"kind": "raw", **dict(zip(RAW_HEAD, values, strict=True))}
