"""``inbox_view``: one row per conversation across every mailbox of the practice.

- The same message in several mailboxes (equal ``message_key``) counts once; a message
  without a Message-ID is keyed by its mailbox and native id.
- Messages join into conversations through In-Reply-To and References (across
  mailboxes and sources) and through the source's own thread (Gmail threadId, Graph
  conversationId). A reply that arrives before its parent still joins once it lands.
- Times are the messages' ``sent_at`` (the Date header, or the receive time when the
  header is missing or unusable).
- A message from the practice to the practice only (a forward to a colleague, a note to
  the team) is internal: it counts as a message but not as a reply to the counterpart.
  A conversation of internal messages only has status ``internal``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

# (name, type, description) of each column; the job adapter declares the tables from them
COLUMNS: list[tuple[str, str, str]] = [
    ("conversation_key", "string", "message_key of the conversation's first message"),
    ("counterpart_email", "string", "who the practice is talking to (lower-case)"),
    ("counterpart_name", "string", ""),
    ("subject", "string", "subject of the first message"),
    ("mailboxes", "string[]", "practice mailboxes holding any message of the conversation"),
    ("message_count", "int", "distinct messages (copies in several mailboxes count once)"),
    ("first_message_at", "timestamp", ""),
    ("last_message_at", "timestamp", ""),
    ("first_inbound_at", "timestamp", ""),
    ("last_inbound_at", "timestamp", ""),
    ("last_outbound_at", "timestamp", ""),
    ("awaiting_reply", "bool", "the last message is inbound and unanswered"),
    ("first_response_minutes", "int", "from the first inbound message to the first reply after it"),
    ("is_known_client", "bool", "the counterpart's address matches a contact"),
    ("status", "string", "client | new inquiry | awaiting reply | in conversation | internal"),
]


MEMBER_COLUMNS: list[tuple[str, str, str]] = [
    ("member_key", "string", "msg:<message key> or thread:<thread key> a conversation joins on"),
    ("conversation_key", "string", ""),
    ("email_key", "string", "idem_key of a canonical e-mail (each copy) in the conversation"),
]


class _Message:
    """One message (its copies in several mailboxes count once), with what the build asks of it
    computed once (plain slots: ``cached_property`` takes a lock on every first access)."""

    __slots__ = ("_at", "_at_iso", "email", "email_keys", "key", "keys", "mailboxes")

    def __init__(self, key: str, email: Mapping[str, Any], mailboxes: set[str], email_keys: set[str]) -> None:
        self.key, self.email, self.mailboxes, self.email_keys = key, email, mailboxes, email_keys
        self.keys: list[str] = []
        self._at: datetime | None = None
        self._at_iso: str | None = None

    @property
    def at(self) -> datetime:
        if self._at is None:
            self._at = datetime.fromisoformat(str(self.email["sent_at"]).replace("Z", "+00:00"))
        return self._at

    @property
    def at_iso(self) -> str:
        if self._at_iso is None:
            self._at_iso = _iso(self.at)
        return self._at_iso

    @property
    def inbound(self) -> bool:
        return bool(self.email["direction"] == "inbound")


class _Components:
    """Union-find over message keys and thread keys."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


def message_identity(email: Mapping[str, Any]) -> str:
    source = email["source"]
    return email.get("message_key") or f"{source['system']}:{source['mailbox']}:{source['native_id']}"


def member_keys(email: Mapping[str, Any], identity: str | None = None) -> list[str]:
    """The keys an e-mail joins its conversation on: its own, its parents', its thread's."""
    keys = [f"msg:{identity or message_identity(email)}"]
    keys += [f"msg:{parent}" for parent in [email.get("in_reply_to"), *(email.get("references") or [])] if parent]
    if email.get("thread_key"):
        keys.append(f"thread:{email['thread_key']}")
    return list(dict.fromkeys(keys))


def build_inbox_rows(
    emails: Iterable[Mapping[str, Any]], *, known_clients: Iterable[str] = (), practice_addresses: Iterable[str] = ()
) -> list[dict[str, Any]]:
    return sorted(
        InboxBuild(
            ((str(i), e) for i, e in enumerate(emails)),
            known_clients=known_clients,
            practice_addresses=practice_addresses,
        ).rows(),
        key=lambda r: r["conversation_key"],
    )


class InboxBuild:
    """Rows of ``inbox_view`` and of its member index from ``(idem_key, canonical e-mail)``.

    The member index (member key -> conversation -> e-mail) lets a later run rebuild only
    the conversations that new e-mails join: any conversation sharing a key with them.
    Both come out as generators, so a build of 100k e-mails never holds every row at once.
    """

    def __init__(
        self,
        emails: Iterable[tuple[str, Mapping[str, Any]]],
        *,
        known_clients: Iterable[str] = (),
        practice_addresses: Iterable[str] = (),
    ) -> None:
        messages: dict[str, _Message] = {}
        for email_key, email in emails:
            key = message_identity(email)
            current = messages.get(key)
            # Copies of one message agree on everything but labels and receive time; keep the
            # earliest-received copy as the representative.
            if current is None or email["received_at"] < current.email["received_at"]:
                current = _Message(
                    key, email, current.mailboxes if current else set(), current.email_keys if current else set()
                )
                messages[key] = current
            current.mailboxes.add(email["source"]["mailbox"])
            current.email_keys.add(email_key)
        self.emails = sum(len(m.email_keys) for m in messages.values())

        components = _Components()
        for message in messages.values():
            message.keys = member_keys(message.email, message.key)
            own, *others = message.keys
            components.find(own)
            for other in others:
                components.union(own, other)
        conversations: dict[str, list[_Message]] = {}
        for key, message in messages.items():
            conversations.setdefault(components.find(f"msg:{key}"), []).append(message)
        self._groups = [
            group if len(group) == 1 else sorted(group, key=lambda m: (m.at, m.key)) for group in conversations.values()
        ]
        self._clients = {c.strip().lower() for c in known_clients}
        self._own = {a.strip().lower() for a in practice_addresses}

    def rows(self) -> Iterator[dict[str, Any]]:
        for ordered in self._groups:
            yield _row(ordered, self._clients, self._own)

    def members(self) -> Iterator[dict[str, str]]:
        for ordered in self._groups:
            conversation = ordered[0].key  # the row's conversation_key
            for message in ordered:
                for member in message.keys:
                    for email_key in sorted(message.email_keys):
                        yield {"member_key": member, "conversation_key": conversation, "email_key": email_key}


def _internal(message: _Message, own: set[str]) -> bool:
    email = message.email
    recipients = [r["email"] for r in list(email.get("to") or []) + list(email.get("cc") or [])]
    return not message.inbound and all(r in own for r in recipients)


def _row(ordered: list[_Message], clients: set[str], own: set[str]) -> dict[str, Any]:
    first, last_message = ordered[0], ordered[-1]
    external = [m for m in ordered if not _internal(m, own)]
    inbound = [m for m in external if m.inbound]
    outbound = [m for m in external if not m.inbound]
    email, name = _counterpart(external, own)
    first_response = None
    if inbound:
        replies = [m for m in outbound if m.at >= inbound[0].at]
        if replies:
            first_response = int((replies[0].at - inbound[0].at).total_seconds() // 60)
    known = email is not None and email in clients
    awaiting = bool(external) and external[-1].inbound
    if not external:
        status = "internal"
    elif known:
        status = "client"
    elif not outbound:
        status = "new inquiry"
    elif awaiting:
        status = "awaiting reply"
    else:
        status = "in conversation"
    return {
        "conversation_key": first.key,
        "counterpart_email": email,
        "counterpart_name": name,
        "subject": first.email["subject"],
        "mailboxes": sorted(set().union(*(m.mailboxes for m in ordered))),
        "message_count": len(ordered),
        "first_message_at": first.at_iso,
        "last_message_at": last_message.at_iso,
        "first_inbound_at": inbound[0].at_iso if inbound else None,
        "last_inbound_at": inbound[-1].at_iso if inbound else None,
        "last_outbound_at": outbound[-1].at_iso if outbound else None,
        "awaiting_reply": awaiting,
        "first_response_minutes": first_response,
        "is_known_client": known,
        "status": status,
    }


def _counterpart(ordered: list[_Message], own: set[str]) -> tuple[str | None, str | None]:
    for message in ordered:
        sender = message.email.get("from")
        if message.inbound and sender:
            return sender["email"], sender.get("name")
    for message in ordered:
        for recipient in list(message.email.get("to") or []) + list(message.email.get("cc") or []):
            if recipient["email"] not in own:
                return recipient["email"], recipient.get("name")
    return None, None


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
