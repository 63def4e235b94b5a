"""The mailboxes the fake Gmail API serves: the practice story's fixtures at a revision, or
deterministic synthetic mail, with the history records that lead from revision 1 to it.

A message's ``historyId`` is the id of the history record that last changed it. A message
of revision 1 was added at its revision-1 ``historyId``; a message re-delivered at
revision 2 with other labels shows up as a ``labelsAdded``/``labelsRemoved`` record at
its revision-2 ``historyId``; a message new in a revision as ``messagesAdded``. Synthetic
message ``i`` is added at its own ``historyId``, so a mailbox of ``first + count``
messages answers history after message ``first - 1`` with exactly the ``count`` new ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sample_taps import mailboxes, synthetic

SOURCE = "gmail"


@dataclass(frozen=True)
class Entry:
    id: str
    thread_id: str
    internal_ms: int
    labels: tuple[str, ...]


class QueryError(ValueError):
    """A ``q`` the fake does not understand (it knows ``after:`` and ``before:`` only)."""


class Mailbox:
    """One mailbox: its messages newest first, its history records in ``id`` order."""

    def __init__(self, address: str, *, revision: int, synthetic_range: tuple[int, int] | None) -> None:
        self.address = address
        self.entries: list[Entry] = []
        self._records: dict[str, dict[str, Any]] = {}
        self._synthetic_index: dict[str, int] = {}
        events: dict[int, dict[str, Any]] = {}
        if synthetic_range is not None:
            count, first = synthetic_range
            for index, record in enumerate(synthetic.messages(SOURCE, address, first + count, 0)):
                self._synthetic_index[record["id"]] = index
                self._add(record, int(record["historyId"]), None, events)
        else:
            before = {record["id"]: record for record in mailboxes.load_messages(SOURCE, address, 1)}
            for record in mailboxes.load_messages(SOURCE, address, revision):
                self._records[record["id"]] = record
                earlier = before.get(record["id"])
                added = int(earlier["historyId"]) if earlier else int(record["historyId"])
                self._add(record, added, earlier, events)
        self.history = [events[key] for key in sorted(events)]
        self.history_id = max(events, default=1)
        self.oldest_history_id = min(events, default=1) - 1
        self.entries.sort(key=lambda entry: (entry.internal_ms, entry.id), reverse=True)

    def _add(
        self, record: dict[str, Any], added: int, earlier: dict[str, Any] | None, events: dict[int, dict[str, Any]]
    ) -> None:
        labels = tuple(record.get("labelIds") or ())
        self.entries.append(Entry(record["id"], record["threadId"], int(record["internalDate"]), labels))
        ref = {"id": record["id"], "threadId": record["threadId"]}
        first_labels = list(earlier.get("labelIds") or ()) if earlier else list(labels)
        _event(events, added, ref)["messagesAdded"].append({"message": {**ref, "labelIds": first_labels}})
        changed = int(record["historyId"])
        if changed > added:
            event = _event(events, changed, ref)
            gained = [label for label in labels if label not in first_labels]
            lost = [label for label in first_labels if label not in labels]
            message = {**ref, "labelIds": list(labels)}
            if gained:
                event["labelsAdded"].append({"message": message, "labelIds": gained})
            if lost:
                event["labelsRemoved"].append({"message": message, "labelIds": lost})

    def message(self, message_id: str) -> dict[str, Any] | None:
        if message_id in self._synthetic_index:
            return next(synthetic.messages(SOURCE, self.address, 1, self._synthetic_index[message_id]))
        record = self._records.get(message_id)
        return dict(record) if record is not None else None


def _event(events: dict[int, dict[str, Any]], history_id: int, ref: dict[str, str]) -> dict[str, Any]:
    event = events.setdefault(
        history_id, {"id": str(history_id), "messages": [], "messagesAdded": [], "labelsAdded": [], "labelsRemoved": []}
    )
    if ref not in event["messages"]:
        event["messages"].append(ref)
    return event


def matcher(query: str) -> tuple[int | None, int | None]:
    """``(after_ms, before_ms)`` of a Gmail search of ``after:``/``before:`` terms.

    A term takes epoch seconds or ``YYYY/MM/DD`` (taken as UTC midnight here; Gmail uses
    the account's time zone). ``after`` is inclusive, ``before`` exclusive.
    """
    after = before = None
    for term in query.split():
        name, _, value = term.partition(":")
        if name not in ("after", "before") or not value:
            raise QueryError(term)
        if value.isdigit():
            moment = int(value) * 1000
        else:
            try:
                moment = int(datetime.strptime(value, "%Y/%m/%d").replace(tzinfo=UTC).timestamp()) * 1000
            except ValueError:
                raise QueryError(term) from None
        if name == "after":
            after = moment if after is None else max(after, moment)
        else:
            before = moment if before is None else min(before, moment)
    return after, before
