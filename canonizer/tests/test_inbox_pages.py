"""conversation_pages: a build in pages of whole conversations gives exactly the rows and
members of a build of every e-mail at once."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

from canonizer.inbox import InboxBuild
from canonizer.inbox_pages import KEY_FIELDS, conversation_pages
from canonizer.jobs_inbox import NOT_KEY_FIELDS

PRACTICE = ["praxis@praxis-weber.example", "j.weber@praxis-weber.example"]
MAILBOXES = ["praxis@praxis-weber.example", "j.weber@praxis-weber.example", "termine@praxis-weber.example"]
SCHEMA = (
    Path(__file__).resolve().parents[2]
    / "shared-schemas/src/shared_schemas/schemas/org.canonical/email/jsonschema/1-0-0.json"
)


def synthetic_mail(seed: int, messages: int) -> list[tuple[str, dict[str, Any]]]:
    """Threads with replies (some before their parents), copies in several mailboxes with
    their own thread keys and receive times (some tied), messages without a Message-ID."""
    rnd = random.Random(seed)
    emails: list[tuple[str, dict[str, Any]]] = []
    sent: list[str] = []
    for i in range(messages):
        key = f"m{i}@x" if rnd.random() > 0.1 else None
        parent = rnd.choice(sent) if sent and rnd.random() < 0.4 else None
        outbound = rnd.random() < 0.4
        counterpart = f"person{rnd.randrange(messages // 3 + 1)}@example.test"
        at = f"2026-11-{1 + rnd.randrange(20):02d}T{rnd.randrange(24):02d}:00:00Z"
        for copy in range(1 + (rnd.random() < 0.3) + (rnd.random() < 0.1)):
            mailbox = MAILBOXES[(i + copy) % len(MAILBOXES)]
            thread = f"t{rnd.randrange(messages // 2 + 1)}" if rnd.random() < 0.5 else None
            received = at if rnd.random() < 0.3 else f"2026-11-{21 + rnd.randrange(5):02d}T00:00:{copy:02d}Z"
            emails.append(
                (
                    f"email:{mailbox}:{i}:{copy}",
                    {
                        "message_id": f"<{key}>" if key else None,
                        "message_key": key,
                        "source": {"system": "gmail", "mailbox": mailbox, "native_id": f"n{i}-{copy}"},
                        "thread_key": f"gmail:{mailbox}:{thread}" if thread else None,
                        "from": {"name": None, "email": mailbox if outbound else counterpart},
                        "to": [{"name": "P", "email": counterpart if outbound else mailbox}],
                        "cc": [{"name": None, "email": rnd.choice(PRACTICE)}] if rnd.random() < 0.1 else [],
                        "subject": f"s{i}",
                        "sent_at": at,
                        "sent_at_source": "date_header",
                        "received_at": received,
                        "direction": "outbound" if outbound else "inbound",
                        "in_reply_to": parent if rnd.random() < 0.8 else None,
                        "references": [parent] if parent and rnd.random() < 0.5 else [],
                    },
                )
            )
        if key:
            sent.append(key)
    return sorted(emails)  # the store's key order


def canonical(rows: Iterable[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(row, sort_keys=True) for row in rows)


def whole(emails: list[tuple[str, dict[str, Any]]]) -> tuple[list[str], list[str], int]:
    build = InboxBuild(emails, known_clients=["person1@example.test"], practice_addresses=PRACTICE)
    return canonical(build.rows()), canonical(build.members()), build.emails


def paged(emails: list[tuple[str, dict[str, Any]]], page_emails: int) -> tuple[list[str], list[str], int, list[int]]:
    by_key = dict(emails)
    rows: list[dict[str, Any]] = []
    members: list[dict[str, str]] = []
    total = 0
    sizes: list[int] = []

    def keys_only() -> list[tuple[str, dict[str, Any]]]:
        return [(k, {f: e[f] for f in KEY_FIELDS}) for k, e in emails]

    def read_keys(keys: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
        assert list(keys) == sorted(keys)
        return [(k, by_key[k]) for k in keys]

    for page in conversation_pages(keys_only, lambda: emails, read_keys, page_emails=page_emails):
        sizes.append(len(page))
        build = InboxBuild(page, known_clients=["person1@example.test"], practice_addresses=PRACTICE)
        rows += build.rows()
        members += build.members()
        total += build.emails
    return canonical(rows), canonical(members), total, sizes


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("page_emails", [1, 7, 5000])
def test_pages_of_whole_conversations_give_the_rows_and_members_of_one_build(seed: int, page_emails: int) -> None:
    emails = synthetic_mail(seed, 300)
    rows, members, total, sizes = paged(emails, page_emails)
    assert (rows, members, total) == whole(emails)
    assert sum(sizes) == len(emails)  # every e-mail in exactly one page
    if page_emails == 7:
        assert len(sizes) > 1


def test_copies_whose_earliest_is_read_last_take_its_thread() -> None:
    """The representative copy (earliest received) decides the member keys, also when a
    later-received copy with another thread key comes first in key order."""
    emails = synthetic_mail(0, 2)
    late = dict(emails[0][1], received_at="2026-12-01T00:00:00Z", thread_key="gmail:x:shared")
    early = dict(emails[0][1], received_at="2026-11-01T00:00:00Z", thread_key=None, source={**emails[0][1]["source"]})
    other = dict(emails[-1][1], thread_key="gmail:x:shared", message_key="other@x")
    mail = [("a", late), ("b", early), ("c", other)]
    rows, members, total, _ = paged(mail, 1)
    assert (rows, members, total) == whole(mail)
    assert len(rows) == 2  # the late copy's thread does not join "other"


def test_the_key_scan_leaves_out_every_field_but_its_own() -> None:
    fields = set(json.loads(SCHEMA.read_text())["properties"])
    assert set(KEY_FIELDS) | set(NOT_KEY_FIELDS) == fields
    assert not set(KEY_FIELDS) & set(NOT_KEY_FIELDS)
