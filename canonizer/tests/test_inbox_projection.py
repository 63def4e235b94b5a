"""build_inbox_rows: the conversation logic of inbox_view, on canonical e-mails."""

from __future__ import annotations

from typing import Any

from canonizer.inbox import build_inbox_rows

PRACTICE = ["praxis@praxis-weber.example", "j.weber@praxis-weber.example"]


def email(
    key: str | None,
    *,
    at: str,
    mailbox: str = "praxis@praxis-weber.example",
    frm: str = "anna@example.test",
    to: str = "praxis@praxis-weber.example",
    reply_to: str | None = None,
    refs: list[str] | None = None,
    thread: str | None = None,
    native: str | None = None,
    subject: str = "Anfrage",
    received: str | None = None,
) -> dict[str, Any]:
    outbound = frm in PRACTICE
    return {
        "message_id": f"<{key}>" if key else None,
        "message_key": key,
        "source": {"system": "gmail", "mailbox": mailbox, "native_id": native or f"n-{key}", "thread_id": thread},
        "thread_key": f"gmail:{mailbox}:{thread}" if thread else None,
        "from": {"name": frm.split("@")[0].title(), "email": frm},
        "to": [{"name": None, "email": to}],
        "cc": [],
        "subject": subject,
        "sent_at": at,
        "sent_at_source": "date_header",
        "received_at": received or at,
        "direction": "outbound" if outbound else "inbound",
        "preview": "",
        "body_text": "",
        "labels": [],
        "has_attachments": False,
        "in_reply_to": reply_to,
        "references": refs or [],
    }


def rows(emails: list[dict[str, Any]], clients: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return build_inbox_rows(emails, known_clients=clients, practice_addresses=PRACTICE)


def test_the_same_message_in_two_mailboxes_counts_once() -> None:
    copies = [
        email("m1@x", at="2026-11-09T08:00:00Z"),
        email(
            "m1@x", at="2026-11-09T08:00:00Z", mailbox="j.weber@praxis-weber.example", received="2026-11-09T08:00:05Z"
        ),
    ]
    [row] = rows(copies)
    assert row["message_count"] == 1
    assert row["mailboxes"] == ["j.weber@praxis-weber.example", "praxis@praxis-weber.example"]
    assert row["status"] == "new inquiry" and row["awaiting_reply"] is True


def test_a_reply_from_another_mailbox_joins_by_in_reply_to_and_sets_response_time() -> None:
    inquiry = email("m1@x", at="2026-11-09T08:00:00Z")
    reply = email(
        "r1@p",
        at="2026-11-09T10:30:00Z",
        mailbox="j.weber@praxis-weber.example",
        frm="j.weber@praxis-weber.example",
        to="anna@example.test",
        reply_to="m1@x",
        refs=["m1@x"],
        subject="AW: Anfrage",
    )
    [row] = rows([reply, inquiry])
    assert row["conversation_key"] == "m1@x" and row["subject"] == "Anfrage"
    assert (row["counterpart_email"], row["counterpart_name"]) == ("anna@example.test", "Anna")
    assert row["first_response_minutes"] == 150
    assert (row["awaiting_reply"], row["status"]) == (False, "in conversation")
    assert row["last_outbound_at"] == "2026-11-09T10:30:00Z" and row["last_inbound_at"] == "2026-11-09T08:00:00Z"


def test_a_reply_that_arrives_before_its_parent_joins_once_the_parent_lands() -> None:
    follow_up = email("m2@x", at="2026-11-10T09:00:00Z", refs=["m0@x", "m1@x"])
    alone = rows([follow_up])
    assert len(alone) == 1 and alone[0]["conversation_key"] == "m2@x"
    together = rows([follow_up, email("m1@x", at="2026-11-09T09:00:00Z")])
    assert len(together) == 1 and together[0]["conversation_key"] == "m1@x"
    assert together[0]["message_count"] == 2


def test_a_follow_up_after_an_answer_is_awaiting_reply() -> None:
    thread = [
        email("m1@x", at="2026-11-09T08:00:00Z", thread="t1"),
        email(
            "r1@p", at="2026-11-09T09:00:00Z", frm="praxis@praxis-weber.example", to="anna@example.test", thread="t1"
        ),
        email("m2@x", at="2026-11-11T09:00:00Z", thread="t1"),
    ]
    [row] = rows(thread)
    assert (row["status"], row["awaiting_reply"], row["message_count"]) == ("awaiting reply", True, 3)
    assert row["first_response_minutes"] == 60


def test_messages_without_message_id_and_separate_threads_stay_apart() -> None:
    found = rows(
        [
            email(None, at="2026-11-09T08:00:00Z", native="g1"),
            email(None, at="2026-11-09T08:05:00Z", native="g2", frm="bert@example.test"),
        ]
    )
    assert [r["conversation_key"] for r in found] == [
        "gmail:praxis@praxis-weber.example:g1",
        "gmail:praxis@praxis-weber.example:g2",
    ]


def test_a_known_client_is_marked_and_outbound_only_threads_name_the_recipient() -> None:
    [client] = rows(
        [email("m1@x", at="2026-11-09T08:00:00Z", frm="Joerg.Gross@web.de".lower())], clients=("joerg.gross@web.de",)
    )
    assert (client["is_known_client"], client["status"]) == (True, "client")
    [outbound] = rows(
        [email("o1@p", at="2026-11-09T08:00:00Z", frm="praxis@praxis-weber.example", to="kim@example.test")]
    )
    assert outbound["counterpart_email"] == "kim@example.test"
    assert (outbound["first_inbound_at"], outbound["status"], outbound["awaiting_reply"]) == (
        None,
        "in conversation",
        False,
    )


def test_a_forward_to_a_colleague_is_not_a_reply_and_team_notes_are_internal() -> None:
    inquiry = email("m1@x", at="2026-11-10T15:45:00Z", thread="t9")
    forward = email(
        "f1@p",
        at="2026-11-11T09:02:00Z",
        frm="praxis@praxis-weber.example",
        to="j.weber@praxis-weber.example",
        thread="t9",
        subject="WG: Anfrage",
    )
    [row] = rows([inquiry, forward])
    assert row["message_count"] == 2
    assert (row["status"], row["awaiting_reply"], row["first_response_minutes"], row["last_outbound_at"]) == (
        "new inquiry",
        True,
        None,
        None,
    )
    [note] = rows(
        [email("n1@p", at="2026-11-11T11:30:00Z", frm="j.weber@praxis-weber.example", to="praxis@praxis-weber.example")]
    )
    assert (note["status"], note["counterpart_email"], note["awaiting_reply"]) == ("internal", None, False)
