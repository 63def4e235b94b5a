"""The mailboxes the fake Graph API serves: the practice story's fixtures at a revision, or
deterministic synthetic mail, as folders with the messages of a first delta round and the
changes since an earlier *generation* (the fixture revision, or the number of synthetic
messages).

Folders follow the fixtures' ``parentFolderId``: messages sent from the mailbox are in
Sent Items, the other folder at revision 1 is the Inbox, and any further folder (the one a
revision-2 message was moved to) is a user folder addressable by its id only. Synthetic
mailboxes hold messages ``0 .. first + count - 1``, all in the Inbox.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from functools import cache
from typing import Any

from sample_taps import synthetic
from sample_taps.mailboxes import REVISIONS, known_mailboxes, load_messages

SYNTHETIC_INBOX = "AAMkAGSynInbox"
SYNTHETIC_SENT = "AAMkAGSynSentItems"


class FixtureMail:
    """The practice story: the fixture mailboxes at a revision (generation = revision)."""

    def __init__(self, revision: int) -> None:
        self.generation = revision

    def mailboxes(self) -> list[str]:
        return known_mailboxes("graph")

    @cache  # noqa: B019 - one instance per server, a handful of mailboxes
    def _records(self, mailbox: str, generation: int, immutable: bool) -> tuple[dict[str, Any], ...]:
        first = load_messages("graph", mailbox, 1)
        records = load_messages("graph", mailbox, generation)
        if immutable:  # an immutable id survives a move: keep the revision-1 id
            for original, record in zip(first, records, strict=True):
                record["id"] = original["id"]
        return tuple(records)

    @cache  # noqa: B019
    def folder_ids(self, mailbox: str) -> dict[str, str]:
        records = load_messages("graph", mailbox, 1)
        sent = {r["parentFolderId"] for r in records if _sender(r) == mailbox.lower()}
        inbox = {r["parentFolderId"] for r in records} - sent
        return {
            "inbox": inbox.pop() if inbox else f"{mailbox}-inbox",
            "sentitems": sent.pop() if sent else f"{mailbox}-sentitems",
        }

    def has_folder(self, mailbox: str, folder_id: str) -> bool:
        """A folder exists whichever revision is served (the move target too)."""
        return folder_id in {r["parentFolderId"] for n in REVISIONS for r in load_messages("graph", mailbox, n)}

    def folder_view(self, mailbox: str, folder_id: str, generation: int, immutable: bool) -> dict[str, dict[str, Any]]:
        generation = min(max(generation, 1), self.generation)
        return {r["id"]: r for r in self._records(mailbox, generation, immutable) if r["parentFolderId"] == folder_id}

    def initial(self, mailbox: str, folder_id: str, immutable: bool) -> list[Any]:
        return list(self.folder_view(mailbox, folder_id, self.generation, immutable).values())

    def changes(self, mailbox: str, folder_id: str, since: int, immutable: bool) -> list[Any]:
        before = self.folder_view(mailbox, folder_id, since, immutable)
        now = self.folder_view(mailbox, folder_id, self.generation, immutable)
        changed: list[Any] = [r for i, r in now.items() if before.get(i) != r]
        return changed + [_removed(i) for i in before if i not in now]

    def render(self, mailbox: str, key: Any, immutable: bool) -> dict[str, Any]:
        record: dict[str, Any] = key  # the keys of the stored mail are its records
        return record

    def received(self, key: Any) -> str:
        return str(key.get("receivedDateTime") or "")

    def find(self, mailbox: str, message_id: str, immutable: bool) -> dict[str, Any] | None:
        return next((r for r in self._records(mailbox, self.generation, immutable) if r["id"] == message_id), None)


class SyntheticMail:
    """Synthetic mailboxes of ``first + count`` messages (generation = that number); every
    mailbox name exists. Keys are message indices, rendered only for the page served."""

    def __init__(self, count: int, first: int) -> None:
        self.generation = first + count

    def mailboxes(self) -> list[str] | None:
        return None

    def folder_ids(self, mailbox: str) -> dict[str, str]:
        return {"inbox": SYNTHETIC_INBOX, "sentitems": SYNTHETIC_SENT}

    def has_folder(self, mailbox: str, folder_id: str) -> bool:
        return folder_id in self.folder_ids(mailbox).values()

    def initial(self, mailbox: str, folder_id: str, immutable: bool) -> Sequence[Any]:
        return range(self.generation) if folder_id == SYNTHETIC_INBOX else []

    def changes(self, mailbox: str, folder_id: str, since: int, immutable: bool) -> Sequence[Any]:
        return range(max(since, 0), self.generation) if folder_id == SYNTHETIC_INBOX else []

    def render(self, mailbox: str, key: Any, immutable: bool) -> dict[str, Any]:
        return next(synthetic.messages("graph", mailbox, 1, key))

    def received(self, key: Any) -> str:
        moment = synthetic.WEEK_START + synthetic.WEEK * synthetic.spread(key)
        return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")

    def find(self, mailbox: str, message_id: str, immutable: bool) -> dict[str, Any] | None:
        if not message_id.startswith("AAMkAGSyn"):
            return None
        try:
            index = int.from_bytes(base64.b64decode(message_id.removeprefix("AAMkAGSyn"))[-4:], "big")
        except ValueError:
            return None
        record = self.render(mailbox, index, immutable) if index < self.generation else None
        return record if record is not None and record["id"] == message_id else None


def _sender(record: dict[str, Any]) -> str:
    return str(((record.get("from") or {}).get("emailAddress") or {}).get("address") or "").lower()


def _removed(message_id: str) -> dict[str, Any]:
    return {"@odata.type": "#microsoft.graph.message", "id": message_id, "@removed": {"reason": "deleted"}}
