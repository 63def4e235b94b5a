"""How one mailbox is read: a listing the first time, ``users.history.list`` afterwards.

The state (the stream's Singer bookmark) is a resume point at every checkpoint (through
target-jsonl only a run's last STATE reaches Meltano, so a killed chunk is read again whole):

``mailbox``
    The mailbox the state was saved for; a state of another mailbox (or of none) is
    dropped and the configured mailbox is read from the start.
``history_id``
    Read history after this id next. Taken from ``users.getProfile`` *before* the first
    listing, so whatever changes while a backfill runs is picked up by history afterwards.
``backfill``
    Present while a listing is unfinished: ``after`` and ``before`` (epoch s, the listing's
    query; ``before`` only after a fallback), ``page_token`` (the next page of the listing),
    ``pending`` (ids of the listed page not fetched yet; fetched first by the next run),
    ``exhausted`` (the last page has been listed) and ``resume_before`` (the newest second
    of the last batch emitted). Resuming by page token and ``pending`` is exact whatever
    order ``messages.list`` uses (Google does not document it as newest first). A page token
    Google no longer accepts (400) is replaced by a new listing ``before:<resume_before +
    one day>``: that refetches what the day holds, deduped by the warehouse, and catches
    mail the listing had placed out of date order.
``newest_internal_date``
    The newest ``internalDate`` (ms) emitted, where the fallback listing starts when the
    history id has expired (404).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Generator, Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lorc_taps.gmail.client import GmailClient, HistoryExpiredError, Malformed
from lorc_taps.http import ApiError
from lorc_taps.start_date import start_moment

# The fallback listings re-read this much around where they resume: mail delivered late (or
# imported) can carry an older internalDate, and a listing is only roughly in date order.
# Re-emitted messages are deduped by id.
FALLBACK_OVERLAP_SECONDS = 86_400
SKIPPED_LABELS = frozenset({"SPAM"})
# What the state holds for one mailbox; dropped when the configured mailbox changes.
CURSOR_KEYS = ("history_id", "backfill", "newest_internal_date")

logger = logging.getLogger(__name__)
Record = dict[str, Any]


def epoch_seconds(start_date: str | None) -> int | None:
    """``start_date`` as epoch seconds (the listing's ``after:``); None when not set."""
    return int(start_moment(start_date).timestamp()) if start_date else None


def _internal_date(record: Record) -> int | None:
    value = record.get("internalDate")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class MailboxSync:
    """Yields the mailbox's new and changed messages and keeps ``state`` a valid resume point.

    ``checkpoint()`` is called after every batch, once the batch's records have been
    yielded (so written by the SDK): it must emit ``state`` as a Singer STATE message.
    ``limit`` > 0 stops after at least that many records, at a checkpoint.
    """

    def __init__(
        self,
        client: GmailClient,
        state: MutableMapping[str, Any],
        *,
        mailbox: str,
        start_epoch: int | None,
        limit: int,
        concurrency: int,
        checkpoint: Callable[[], None],
    ) -> None:
        self._client = client
        self._state = state
        self._mailbox = mailbox
        self._start_epoch = start_epoch
        self._limit = limit
        self._concurrency = max(1, concurrency)
        self._batch_size = max(20, 4 * self._concurrency)
        self._checkpoint = checkpoint
        self.emitted = 0
        self.skipped: Counter[str] = Counter()

    def _budget_spent(self) -> bool:
        return self._limit > 0 and self.emitted >= self._limit

    def records(self) -> Iterator[Record]:
        with ThreadPoolExecutor(self._concurrency, thread_name_prefix="gmail-get") as pool:
            self._pool = pool
            self._forget_other_mailbox()
            if not self._state.get("history_id"):
                self._restart_listing(self._start_epoch)
            fell_back = False
            while True:
                if "backfill" in self._state:
                    yield from self._backfill()
                    if self._budget_spent():
                        return
                    del self._state["backfill"]
                    self._checkpoint()
                try:
                    yield from self._history()
                    return
                except HistoryExpiredError:
                    if fell_back:
                        raise
                    fell_back = True
                    newest = self._state.get("newest_internal_date")
                    after = int(newest) // 1000 - FALLBACK_OVERLAP_SECONDS if newest else self._start_epoch
                    if self._start_epoch is not None and after is not None:
                        after = max(after, self._start_epoch)
                    logger.warning("history id expired: listing the mailbox again from its newest mail")
                    self._restart_listing(after)

    def _forget_other_mailbox(self) -> None:
        """Drop a state saved for another mailbox: its history id means nothing here."""
        if self._state.get("mailbox") == self._mailbox:
            return
        if any(key in self._state for key in CURSOR_KEYS):
            logger.warning("the saved state is for another mailbox: reading this mailbox from the start")
        for key in CURSOR_KEYS:
            self._state.pop(key, None)
        self._state["mailbox"] = self._mailbox

    def _restart_listing(self, after: int | None) -> None:
        """Remember where history continues, then list everything after ``after``."""
        self._state["history_id"] = str(self._client.profile()["historyId"])
        self._state["backfill"] = {"after": after}
        self._checkpoint()

    # --- the listing ----------------------------------------------------------------------
    def _backfill(self) -> Iterator[Record]:
        """Fetch the ids left over from the last run, then the listing's next pages."""
        cursor = self._state["backfill"]
        while True:
            while cursor.get("pending"):
                pending = cursor["pending"]
                batch = pending[: self._batch_size]
                if self._limit > 0:
                    batch = batch[: self._limit - self.emitted]
                emitted = yield from self._fetch(batch)
                cursor["pending"] = pending[len(batch) :]
                dates = [date // 1000 for record in emitted if (date := _internal_date(record)) is not None]
                if dates:
                    cursor["resume_before"] = max(dates) + 1
                self._checkpoint()
                if self._budget_spent():
                    return
            if cursor.get("exhausted"):
                return
            cursor["pending"], cursor["page_token"] = self._list_next_page(cursor)
            cursor["exhausted"] = cursor["page_token"] is None

    def _list_next_page(self, cursor: MutableMapping[str, Any]) -> tuple[list[str], str | None]:
        """The ids of the listing's next page and the token of the page after it."""
        page_token = cursor.get("page_token")
        try:
            return self._client.list_page(_query(cursor), page_token)
        except ApiError as exc:
            if exc.status != 400 or not page_token:
                raise
        logger.warning("the listing's page token was refused: listing again before the last chunk, one day back")
        if cursor.get("resume_before") is not None:
            cursor["before"] = int(cursor["resume_before"]) + FALLBACK_OVERLAP_SECONDS
        return self._client.list_page(_query(cursor), None)

    # --- history ----------------------------------------------------------------------------
    def _history(self) -> Iterator[Record]:
        page_token: str | None = None
        while True:
            page = self._client.history_page(self._state["history_id"], page_token)
            changes = _changed_messages(page.get("history") or [])
            position = 0
            while position < len(changes):
                end = min(position + self._batch_size, len(changes))
                if self._limit > 0:
                    end = min(end, position + max(1, self._limit - self.emitted))
                while end < len(changes) and changes[end][0] == changes[end - 1][0]:
                    end += 1  # a checkpoint must fall between history records
                yield from self._fetch([message_id for _, message_id in changes[position:end]])
                self._state["history_id"] = changes[end - 1][0]
                self._checkpoint()
                position = end
                if self._budget_spent() and (position < len(changes) or page.get("nextPageToken")):
                    return
            page_token = page.get("nextPageToken") or None
            if page_token is None:
                self._state["history_id"] = str(page["historyId"])
                self._checkpoint()
                return
            records = page.get("history") or []
            if records and records[-1].get("id"):
                self._state["history_id"] = str(records[-1]["id"])
                self._checkpoint()

    # --- fetching ---------------------------------------------------------------------------
    def _fetch(self, ids: list[str]) -> Generator[Record, None, list[Record]]:
        """Get ``ids`` concurrently, yield them in the order given; return what was yielded."""
        emitted: list[Record] = []
        for message_id, message in zip(ids, self._pool.map(self._client.get, ids), strict=True):
            if message is None:
                self.skipped["deleted"] += 1
                continue
            if isinstance(message, Malformed):
                self.skipped["malformed"] += 1
                logger.warning("messages.get for id %s returned no JSON object: skipped", message_id)
                continue
            labels = message.get("labelIds")
            if isinstance(labels, list) and SKIPPED_LABELS.intersection(labels):
                self.skipped["spam"] += 1
                continue
            date = _internal_date(message)
            newest = self._state.get("newest_internal_date")
            if date is not None and (newest is None or date > int(newest)):
                self._state["newest_internal_date"] = str(date)
            self.emitted += 1
            emitted.append(message)
            yield message
        return emitted


def _query(cursor: MutableMapping[str, Any]) -> str:
    """The listing's Gmail search: ``after:``/``before:`` in epoch seconds, as far as set."""
    return " ".join(f"{term}:{cursor[term]}" for term in ("after", "before") if cursor.get(term) is not None)


def _changed_messages(history: list[Any]) -> list[tuple[str, str]]:
    """``(history record id of its last change, message id)`` for each message the records
    add or relabel, ordered by that last change."""
    last_change: dict[str, str] = {}
    for record in history:
        if not isinstance(record, dict) or not record.get("id"):
            continue
        for kind in ("messagesAdded", "labelsAdded", "labelsRemoved"):
            for entry in record.get(kind) or []:
                message = entry.get("message") if isinstance(entry, dict) else None
                if isinstance(message, dict) and message.get("id"):
                    last_change.pop(str(message["id"]), None)
                    last_change[str(message["id"])] = str(record["id"])
    return sorted(((change, message_id) for message_id, change in last_change.items()), key=lambda item: int(item[0]))
