"""The fake Gmail API: users.getProfile, messages.list, messages.get and history.list.

Knobs: ``expire_history`` (404 for older start ids), ``quota_units_per_second`` (429 with
``Retry-After``), ``malformed`` and ``deleted`` messages, ``unsorted_listing``
(``messages.list`` only roughly newest first: Google does not document its order),
``expire_page_tokens`` (400 for any ``messages.list`` page token).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from functools import cache
from typing import Any

from ingestor.fake_apis.gmail_mailbox import Entry, Mailbox, QueryError, matcher
from ingestor.fake_apis.google_oauth import (
    GMAIL_SCOPE,
    GoogleOAuth,
    api_error,
    opaque_key,
    opaque_token,
)
from ingestor.fake_apis.server import FakeRequest, FakeResponse
from sample_taps import mailboxes

# Google's per-method quota units (Gmail API "Usage limits").
COSTS = {"profile": 1, "list": 5, "get": 5, "history": 2}
PAGE_DEFAULT, PAGE_MAX = 100, 500
HIDDEN_LABELS = frozenset({"SPAM", "TRASH"})
# With ``unsorted_listing``, messages.list shuffles each run of this many messages.
UNSORTED_BLOCK = 10


@cache
def _mailbox(address: str, revision: int, synthetic_range: tuple[int, int] | None) -> Mailbox:
    return Mailbox(address, revision=revision, synthetic_range=synthetic_range)


class GmailApi(GoogleOAuth):
    """Gmail's routes; ``revision`` and ``synthetic`` are set by the composed server."""

    revision: int
    synthetic: tuple[int, int] | None

    def _init_gmail(self) -> None:
        self.quota_units_per_second: float | None = None
        self.malformed: dict[str, Any] = {}
        self.deleted: set[str] = set()
        self.unsorted_listing = False
        self.expire_page_tokens = False
        self._history_floor: dict[str, int] = {}
        self._spent: dict[str, deque[tuple[float, int]]] = {}
        self._quota_lock = threading.Lock()
        users = r"/gmail/v1/users/(?P<user>[^/]+)"
        self.route("GET", users + r"/profile", self._profile)
        self.route("GET", users + r"/messages", self._list)
        self.route("GET", users + r"/messages/[^/]+", self._get)
        self.route("GET", users + r"/history", self._history)

    # --- the story --------------------------------------------------------------------------
    def mailbox(self, address: str) -> Mailbox | None:
        if self.synthetic is None and address not in mailboxes.known_mailboxes("gmail"):
            return None
        return _mailbox(address, self.revision, self.synthetic)

    def expire_history(self, mailbox: str | None = None) -> None:
        """Forget history before the mailbox's current history id: older start ids get 404."""
        for address in [mailbox] if mailbox else mailboxes.known_mailboxes("gmail"):
            box = self.mailbox(address)
            if box is not None:
                self._history_floor[address] = box.history_id

    def tap_settings(self, mailbox: str) -> dict[str, str]:
        """Settings of ``tap-lorc-gmail`` for ``mailbox`` (a refresh token for gmail.readonly)."""
        return {"mailbox": mailbox, **self.client_settings(mailbox, (GMAIL_SCOPE,))}

    # --- the Gmail API ------------------------------------------------------------------------
    def _authorize(self, request: FakeRequest, method: str) -> Mailbox | FakeResponse:
        """The caller's mailbox, or the refusal."""
        subject = self.authorize(request, "gmail.googleapis.com", GMAIL_SCOPE)
        if isinstance(subject, FakeResponse):
            return subject
        user = request.path.split("/")[4]
        if user not in ("me", subject):
            return api_error(403, "PERMISSION_DENIED", "Delegation denied.", "forbidden")
        if not self._within_quota(subject, COSTS[method]):
            response = api_error(429, "RESOURCE_EXHAUSTED", "User-rate limit exceeded.", "rateLimitExceeded")
            response.headers["Retry-After"] = "1"
            return response
        box = self.mailbox(subject)
        if box is None:
            return api_error(400, "FAILED_PRECONDITION", "Mail service not enabled", "failedPrecondition")
        return box

    def _within_quota(self, user: str, units: int) -> bool:
        if self.quota_units_per_second is None:
            return True
        now = time.monotonic()
        with self._quota_lock:
            spent = self._spent.setdefault(user, deque())
            while spent and spent[0][0] <= now - 1.0:
                spent.popleft()
            if sum(cost for _, cost in spent) + units > self.quota_units_per_second:
                return False
            spent.append((now, units))
            return True

    def _profile(self, request: FakeRequest) -> FakeResponse:
        box = self._authorize(request, "profile")
        if isinstance(box, FakeResponse):
            return box
        return FakeResponse(
            200,
            {
                "emailAddress": box.address,
                "messagesTotal": len(box.entries),
                "threadsTotal": len({entry.thread_id for entry in box.entries}),
                "historyId": str(box.history_id),
            },
        )

    def _list(self, request: FakeRequest) -> FakeResponse:
        box = self._authorize(request, "list")
        if isinstance(box, FakeResponse):
            return box
        try:
            after, before = matcher(request.param("q") or "")
        except QueryError:
            return api_error(400, "INVALID_ARGUMENT", "Invalid query.", "invalidArgument")
        hide = request.param("includeSpamTrash", "false") != "true"
        size = min(PAGE_MAX, int(request.param("maxResults") or PAGE_DEFAULT))
        matching = [
            entry
            for entry in box.entries
            if (after is None or entry.internal_ms >= after)
            and (before is None or entry.internal_ms < before)
            and not (hide and HIDDEN_LABELS.intersection(entry.labels))
        ]
        if self.unsorted_listing:
            matching = _shuffled_in_blocks(matching)
        start = 0
        if (key := opaque_key(request.param("pageToken"))) is not None:
            if self.expire_page_tokens:
                return api_error(400, "INVALID_ARGUMENT", "Invalid pageToken.", "invalidArgument")
            start = _listing_position(matching, key)
        page = matching[start : start + size]
        body: dict[str, Any] = {"resultSizeEstimate": len(matching)}
        if page:
            body["messages"] = [{"id": entry.id, "threadId": entry.thread_id} for entry in page]
        if start + size < len(matching):
            last = page[-1]
            body["nextPageToken"] = opaque_token(last.id if self.unsorted_listing else [last.internal_ms, last.id])
        return FakeResponse(200, body)

    def _get(self, request: FakeRequest) -> FakeResponse:
        box = self._authorize(request, "get")
        if isinstance(box, FakeResponse):
            return box
        message_id = request.path.rsplit("/", 1)[1]
        if message_id in self.malformed:
            return FakeResponse(200, self.malformed[message_id])
        message = None if message_id in self.deleted else box.message(message_id)
        if message is None:
            return api_error(404, "NOT_FOUND", "Requested entity was not found.", "notFound")
        return FakeResponse(200, message)

    def _history(self, request: FakeRequest) -> FakeResponse:
        box = self._authorize(request, "history")
        if isinstance(box, FakeResponse):
            return box
        start = request.param("startHistoryId") or ""
        if not start.isdigit():
            return api_error(400, "INVALID_ARGUMENT", "Invalid startHistoryId.", "invalidArgument")
        if int(start) < max(box.oldest_history_id, self._history_floor.get(box.address, 0)):
            return api_error(404, "NOT_FOUND", "Requested entity was not found.", "notFound")
        types = request.query.get("historyTypes") or ["messageAdded", "messageDeleted", "labelAdded", "labelRemoved"]
        fields = {"messageAdded": "messagesAdded", "labelAdded": "labelsAdded", "labelRemoved": "labelsRemoved"}
        wanted = [fields[kind] for kind in types if kind in fields]
        after = opaque_key(request.param("pageToken")) or int(start)
        records = []
        for event in box.history:
            if int(event["id"]) <= after:
                continue
            record = {"id": event["id"], "messages": event["messages"]}
            record.update({field: event[field] for field in wanted if event[field]})
            if len(record) > 2:
                records.append(record)
        size = min(PAGE_MAX, int(request.param("maxResults") or PAGE_DEFAULT))
        body: dict[str, Any] = {"historyId": str(box.history_id)}
        if records:
            body["history"] = records[:size]
        if len(records) > size:
            body["nextPageToken"] = opaque_token(int(records[size - 1]["id"]))
        return FakeResponse(200, body)


def _shuffled_in_blocks(entries: list[Entry]) -> list[Entry]:
    """Newest first by block, each block in a fixed order of its own (by a hash of the id)."""
    shuffled: list[Entry] = []
    for start in range(0, len(entries), UNSORTED_BLOCK):
        block = entries[start : start + UNSORTED_BLOCK]
        shuffled += sorted(block, key=lambda entry: hashlib.sha256(entry.id.encode()).digest())
    return shuffled


def _listing_position(matching: list[Entry], key: Any) -> int:
    """Where the page after ``key`` starts: after the entry named by an unsorted listing's
    token (its id), or after the ``[internal_ms, id]`` of a sorted one."""
    if isinstance(key, str):
        return next((i + 1 for i, entry in enumerate(matching) if entry.id == key), len(matching))
    return next((i for i, entry in enumerate(matching) if [entry.internal_ms, entry.id] < key), len(matching))
