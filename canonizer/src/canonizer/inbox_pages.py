"""A full build of ``inbox_view`` in pages of whole conversations, so its memory follows
the page and a compact key index, not the history.

Which e-mails form a conversation is known only once every e-mail has been seen. So:

1. one scan of the e-mails' keys only (``KEY_FIELDS``): per message its representative
   copy (the earliest received, as :class:`~canonizer.inbox.InboxBuild` picks it) and
   that copy's member keys; then union-find over the keys. Keys are held as 16-byte
   digests, a few dozen bytes per message instead of the whole e-mail;
2. a second scan yields the e-mails of single-e-mail conversations in pages as they
   come, and notes the keys of the others by conversation;
3. the e-mails of those are read back by key, whole conversations per page.

Each page holds every e-mail of each conversation in it, so building it with
:class:`~canonizer.inbox.InboxBuild` gives exactly the rows and members a build of the
whole history gives for those conversations. Both scans must deliver the e-mails in the
same order (the store's key order), so that ties between copies resolve the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from hashlib import blake2b
from typing import Any

from canonizer.inbox import member_keys, message_identity

PAGE_EMAILS = 5000
DIGEST_SIZE = 16
# what step 1 reads of an e-mail: its identity, its member keys, its receive time
KEY_FIELDS = ("message_key", "source", "thread_key", "in_reply_to", "references", "received_at")

Email = tuple[str, Mapping[str, Any]]  # (idem_key, canonical e-mail)
Scan = Callable[[], Iterable[Email]]
ReadKeys = Callable[[Sequence[str]], Iterable[Email]]


def _digest(key: str) -> bytes:
    return blake2b(key.encode(), digest_size=DIGEST_SIZE).digest()


class _KeyIndex:
    """Union-find over member-key digests, and the conversations of more than one e-mail
    with their size (most conversations are a single e-mail: they are not listed)."""

    def __init__(self, keys_only: Iterable[Email]) -> None:
        # per message digest its representative copy as one bytes object: the receive
        # time's length (a schema-checked date-time, far under 256 bytes), the receive
        # time, its other member keys' digests: a few dozen bytes where a tuple of
        # objects took a few hundred
        representatives: dict[bytes, bytes | None] = {}
        copies: dict[bytes, int] = {}  # messages stored more than once: how many times
        for _, email in keys_only:
            identity = message_identity(email)
            own = _digest(f"msg:{identity}")
            received = str(email["received_at"]).encode()
            current = representatives.get(own)
            if current is not None:
                copies[own] = copies.get(own, 1) + 1
            if current is None or received < current[1 : 1 + current[0]]:
                others = b"".join(_digest(k) for k in member_keys(email, identity)[1:])
                representatives[own] = bytes((len(received),)) + received + others
        self.parent: dict[bytes, bytes] = {}
        for own, representative in representatives.items():
            assert representative is not None
            self._find(own)
            for start in range(1 + representative[0], len(representative), DIGEST_SIZE):
                self._union(own, representative[start : start + DIGEST_SIZE])
            representatives[own] = None  # its memory goes to the union-find as it grows
        sizes: dict[bytes, int] = {}
        for own in representatives:
            root = self._find(own)
            sizes[root] = sizes.get(root, 0) + copies.get(own, 1)
        self.larger = {root: size for root, size in sizes.items() if size > 1}

    def conversation(self, email: Mapping[str, Any]) -> bytes:
        return self._find(_digest(f"msg:{message_identity(email)}"))

    def _find(self, item: bytes) -> bytes:
        parent = self.parent
        root = parent.setdefault(item, item)
        while parent[root] != root:
            root = parent[root]
        while parent[item] != root:
            parent[item], item = root, parent[item]
        return root

    def _union(self, a: bytes, b: bytes) -> None:
        root_a, root_b = self._find(a), self._find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


def conversation_pages(
    keys_only: Scan, emails: Scan, read_keys: ReadKeys, *, page_emails: int | None = None
) -> Iterator[list[Email]]:
    """Pages of about ``page_emails`` (default ``PAGE_EMAILS``) e-mails, each holding whole conversations.
    ``keys_only`` and ``emails`` scan every e-mail in the same order (the first may leave
    out all but ``KEY_FIELDS``); ``read_keys`` reads the e-mails under some keys."""
    page_emails = page_emails or PAGE_EMAILS
    index = _KeyIndex(keys_only())
    later: dict[bytes, list[str]] = {}
    page: list[Email] = []
    for email_key, email in emails():
        root = index.conversation(email)
        if root not in index.larger:
            page.append((email_key, email))
            if len(page) >= page_emails:
                yield page
                page = []
        else:
            later.setdefault(root, []).append(email_key)
    if page:
        yield page
    keys: list[str] = []
    for conversation in later.values():
        keys += conversation
        if len(keys) >= page_emails:
            yield list(read_keys(sorted(keys)))
            keys = []
    if keys:
        yield list(read_keys(sorted(keys)))
