"""The fixture mailboxes (standard library only, so tests can read them without the SDK).

One JSON file per mailbox in ``fixtures/``::

    {"source": "gmail" | "graph",
     "mailbox": "praxis@praxis-weber.example",
     "messages": [ ...records exactly as the API returns them, at revision 1... ],
     "revision_2": [ {"replaces": "<id at revision 1>", "record": { ...the record at revision 2... }} ]}

At revision 2 each ``replaces`` record is swapped, in place, for its ``record`` (the
same message re-delivered with changed mutable fields, or a Graph message whose ``id``
changed after a folder move). Everything else is identical between revisions.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
SOURCES = ("gmail", "graph")
REVISIONS = (1, 2)


class UnknownMailboxError(ValueError):
    """The requested mailbox has no fixture file."""


@cache
def _documents(source: str) -> dict[str, dict[str, Any]]:
    documents: dict[str, dict[str, Any]] = {}
    for path in sorted(FIXTURES_DIR.glob(f"{source}-*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("source") != source:
            raise ValueError(f"{path.name}: source is not {source!r}")
        documents[document["mailbox"]] = document
    return documents


def known_mailboxes(source: str) -> list[str]:
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; known: {', '.join(SOURCES)}")
    return sorted(_documents(source))


def load_messages(source: str, mailbox: str, revision: int = 1) -> list[dict[str, Any]]:
    """The records of one fixture mailbox at ``revision`` (1 or 2), as fresh copies."""
    if revision not in REVISIONS:
        raise ValueError(f"revision must be one of {REVISIONS}, got {revision!r}")
    documents = _documents(source)
    if mailbox not in documents:
        raise UnknownMailboxError(
            f"no {source} fixtures for mailbox {mailbox!r}; known: {', '.join(sorted(documents))}"
        )
    document = documents[mailbox]
    records: list[dict[str, Any]] = copy.deepcopy(document["messages"])
    if revision == 2:
        position = {record["id"]: index for index, record in enumerate(records)}
        for change in document.get("revision_2", []):
            records[position[change["replaces"]]] = copy.deepcopy(change["record"])
    return records
