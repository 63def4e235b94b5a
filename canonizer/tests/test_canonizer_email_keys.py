"""Edge cases 6 to 8 of source-payloads.md §6: one message key for every copy of a
message, thread keys from reply headers, and re-deliveries that change only labels."""

from __future__ import annotations

from canonizer import canonicalize
from email_edge_records import BASE, GMAIL_BOX, gmail, graph, run_gmail, run_graph


def test_edge_6_same_message_id_in_gmail_and_graph_and_differing_case_gives_one_key() -> None:
    gmail_copy = run_gmail(gmail({**BASE, "Message-ID": "<CAJ7xq3Z0k@Mail.Gmail.com>"}))
    other_gmail_copy = canonicalize(
        gmail({**BASE, "Message-ID": "CAJ7xq3Z0k@mail.gmail.com"}, id="18f0000000000099"),
        "email/gmail",
        {**GMAIL_BOX, "mailbox": "anmeldung@praxis-weber.example"},
    )
    graph_copy = run_graph(graph(internetMessageId="<caj7xq3z0k@mail.gmail.com>"))
    assert gmail_copy["message_key"] == other_gmail_copy["message_key"] == graph_copy["message_key"]
    assert {gmail_copy["source"]["mailbox"], other_gmail_copy["source"]["mailbox"]} == {
        "praxis@praxis-weber.example",
        "anmeldung@praxis-weber.example",
    }


def test_edge_7_reply_headers_become_keys_and_practice_replies_are_outbound() -> None:
    reply = run_gmail(
        gmail(
            {
                **BASE,
                "From": "Praxis Dr. Weber <Praxis@praxis-weber.example>",
                "Subject": "AW: Anfrage",
                "In-Reply-To": "<A1@example.test>",
                "References": "<root@example.test> <A1@example.test>",
            }
        )
    )
    assert reply["direction"] == "outbound"
    assert reply["in_reply_to"] == "a1@example.test"
    assert reply["references"] == ["root@example.test", "a1@example.test"]
    assert reply["subject"] == "AW: Anfrage"


def test_edge_7_graph_threading_comes_from_internet_message_headers() -> None:
    out = run_graph(
        graph(
            internetMessageHeaders=[{"name": "references", "value": "<root@example.test>"}],
            **{"from": {"emailAddress": {"name": "Julia Weber", "address": "j.weber@praxis-weber.example"}}},
        )
    )
    assert (out["in_reply_to"], out["references"], out["direction"]) == (None, ["root@example.test"], "outbound")
    assert out["thread_key"] == "exchange:j.weber@praxis-weber.example:AAQk-1"


def test_edge_8_redelivery_with_new_history_id_changes_only_labels() -> None:
    first = run_gmail(gmail(BASE, historyId="1000", labelIds=["UNREAD", "INBOX"]))
    again = run_gmail(gmail(BASE, historyId="1200", labelIds=["INBOX", "TRASH"]))
    assert again["labels"] == ["INBOX", "TRASH"]
    assert {k: v for k, v in first.items() if k != "labels"} == {k: v for k, v in again.items() if k != "labels"}


def test_edge_8_graph_id_changed_after_a_move_keeps_the_message_key() -> None:
    before = run_graph(graph(id="AAMkAG-old"))
    after = run_graph(graph(id="AAMkAG-new", parentFolderId="AAMkArchiv"))
    assert before["source"]["native_id"] != after["source"]["native_id"]
    assert before["message_key"] == after["message_key"]
