"""Build the fixture mailboxes in ``src/sample_taps/fixtures/`` (one JSON file each).

The JSON files are the fixtures; this script is how they were made, kept so that an edit
(a new message, a changed text) re-encodes every base64url body, size and snippet
consistently. Run it after editing and commit both:

    python ingestor/sample_taps/tools/make_fixtures.py          # rewrite the JSON files
    python ingestor/sample_taps/tools/make_fixtures.py --check  # exit 1 if they differ

The story (people, Message-IDs, every mail) is ``mail_story.py``; here the mails are
placed in the six mailboxes and rendered. Everything is invented.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from typing import Any

from fixture_files import write_or_check
from mail_shapes import (
    ANMELDUNG,
    FIXTURES,
    GMAIL_FILES,
    GRAPH_FILES,
    KLEIN,
    PRAXIS,
    TEAM,
    TERMINE,
    WEBER,
    Mail,
    at,
)
from mail_shapes_gmail import GmailCopy, gmail_id, gmail_record, walk_parts
from mail_shapes_graph import GraphCopy, graph_record
from mail_story import mails

# --- the mailboxes --------------------------------------------------------------------

INBOX_READ = ["IMPORTANT", "CATEGORY_PERSONAL", "INBOX"]
INBOX_UNREAD = ["UNREAD", "IMPORTANT", "CATEGORY_PERSONAL", "INBOX"]
PERSONAL = ["CATEGORY_PERSONAL", "INBOX"]
PERSONAL_UNREAD = ["UNREAD", "CATEGORY_PERSONAL", "INBOX"]


def gmail_mailboxes(m: dict[str, Mail]) -> dict[str, list[GmailCopy]]:
    return {
        PRAXIS: [
            GmailCopy(m["anna_inquiry"], INBOX_READ, "998143"),
            GmailCopy(m["praxis_reply_anna"], ["SENT"], "998297", thread="anna_inquiry"),
            GmailCopy(m["anna_confirms"], INBOX_READ, "998412", thread="anna_inquiry"),
            GmailCopy(m["joerg_inquiry"], INBOX_READ, "998690"),
            GmailCopy(m["praxis_reply_joerg"], ["IMPORTANT", "SENT"], "998954", thread="joerg_inquiry"),
            GmailCopy(m["joerg_confirms"], INBOX_READ, "999218", thread="joerg_inquiry"),
            GmailCopy(m["sabine_question"], INBOX_UNREAD, "999560"),
            GmailCopy(m["tobias_no_subject"], INBOX_UNREAD, "999871"),
            GmailCopy(m["katrin_cancel"], INBOX_READ, "1000412"),
            GmailCopy(m["praxis_reply_katrin"], ["SENT"], "1000530", thread="katrin_cancel"),
        ],
        ANMELDUNG: [
            GmailCopy(m["lena_inquiry"], PERSONAL, "451203"),
            GmailCopy(m["mehmet_inquiry"], PERSONAL, "451388"),
            GmailCopy(m["weber_reply_lena"], PERSONAL, "451642", thread="lena_inquiry"),
            GmailCopy(m["beratung_groups"], ["CATEGORY_UPDATES", "INBOX"], "451707"),
            GmailCopy(m["lena_followup"], PERSONAL_UNREAD, "451951", thread="lena_inquiry"),
            GmailCopy(m["sabine_question"], PERSONAL_UNREAD, "452020"),
            GmailCopy(m["jana_groups"], PERSONAL_UNREAD, "452336"),
            GmailCopy(m["hausarzt_referral"], ["UNREAD", "IMPORTANT", "INBOX"], "452610"),
            GmailCopy(m["anmeldung_reply_mehmet"], ["SENT"], "452788", thread="mehmet_inquiry"),
        ],
        TERMINE: [
            GmailCopy(m["termine_confirm_anna"], ["SENT"], "87321"),
            GmailCopy(m["marie_reschedule"], PERSONAL, "87502"),
            GmailCopy(m["termine_reply_marie"], ["SENT"], "87544", thread="marie_reschedule"),
            GmailCopy(m["marie_ok"], PERSONAL, "87610", thread="marie_reschedule"),
            GmailCopy(m["termine_confirm_joerg"], ["SENT"], "87655"),
            GmailCopy(m["form_request"], ["UNREAD", "CATEGORY_UPDATES", "INBOX"], "88012"),
        ],
    }


# Revision 2, Gmail: the same message re-delivered with a higher historyId and changed
# labelIds (UNREAD removed, the user label "Label_3" added); body and headers unchanged.
GMAIL_REVISION_2 = {PRAXIS: {"tobias_no_subject": ([*INBOX_READ, "Label_3"], "1000977")}}

FLAGGED = {
    "flagStatus": "flagged",
    "startDateTime": {"dateTime": "2026-11-12T00:00:00.0000000", "timeZone": "UTC"},
    "dueDateTime": {"dateTime": "2026-11-13T00:00:00.0000000", "timeZone": "UTC"},
}


def graph_mailboxes(m: dict[str, Mail]) -> dict[str, list[GraphCopy]]:
    return {
        WEBER: [
            GraphCopy(m["anna_inquiry"], "inbox", True, "anna_inquiry", modified_after=timedelta(hours=1, minutes=40)),
            GraphCopy(m["weber_reply_lena"], "sentitems", True, "lena_inquiry", 1),
            GraphCopy(m["lena_followup"], "inbox", True, "lena_inquiry", 2, modified_after=timedelta(minutes=52)),
            GraphCopy(m["hausarzt_referral"], "inbox", False, "hausarzt_referral", flag=FLAGGED),
            GraphCopy(m["katrin_cancel"], "inbox", True, "katrin_cancel", modified_after=timedelta(minutes=71)),
            GraphCopy(m["weber_to_team"], "sentitems", True, "weber_to_team"),
        ],
        KLEIN: [
            GraphCopy(m["felix_inquiry"], "inbox", True, "felix_inquiry", modified_after=timedelta(hours=4)),
            GraphCopy(m["klein_reply_felix"], "sentitems", True, "felix_inquiry", 1),
            GraphCopy(m["felix_ok"], "inbox", True, "felix_inquiry", 2, modified_after=timedelta(minutes=25)),
            GraphCopy(m["team_forward_schaefer"], "inbox", False, "schaefer_inquiry", 1),
            GraphCopy(m["jonas_no_subject"], "inbox", False, "jonas_no_subject", inference="other"),
            GraphCopy(m["klein_vacation"], "sentitems", True, "klein_vacation"),
        ],
        TEAM: [
            GraphCopy(
                m["schaefer_inquiry"],
                "inbox",
                True,
                "schaefer_inquiry",
                categories=["Neue Anfrage"],
                modified_after=timedelta(hours=17),
            ),
            GraphCopy(m["team_forward_schaefer"], "sentitems", True, "schaefer_inquiry", 1),
            GraphCopy(m["jana_groups"], "inbox", False, "jana_groups", categories=["Neue Anfrage"]),
            GraphCopy(
                m["seidel_empty_subject"], "inbox", True, "seidel_empty_subject", modified_after=timedelta(hours=2)
            ),
            GraphCopy(m["team_reply_seidel"], "sentitems", True, "seidel_empty_subject", 1),
            GraphCopy(m["weber_to_team"], "inbox", True, "weber_to_team", modified_after=timedelta(minutes=30)),
            GraphCopy(m["klein_vacation"], "inbox", False, "klein_vacation"),
        ],
    }


# Revision 2, Graph: j.weber moved Lena's follow-up from the Inbox into the folder
# "Warteliste". Exchange gives the moved item a new `id` (and so a new `webLink`), a new
# `parentFolderId`, a later `lastModifiedDateTime` and a new `changeKey`; the
# `internetMessageId` and everything else stay.
GRAPH_REVISION_2 = {
    WEBER: {
        "lena_followup": {
            "item": "lena_followup/moved-to-Warteliste",
            "folder": "Warteliste",
            "modified": at(13, 9, 41, 7),
        }
    },
}


def build() -> dict[str, dict[str, Any]]:
    m = mails()
    documents: dict[str, dict[str, Any]] = {}
    for mailbox, copies in gmail_mailboxes(m).items():
        ids = {}
        for copy in copies:
            sent_copy = "SENT" in copy.labels
            delivery = timedelta(0) if sent_copy else timedelta(seconds=1, milliseconds=371)
            when = copy.received or copy.mail.sent + delivery
            ids[copy.mail.key] = gmail_id(mailbox, copy.mail, when)
        records = [gmail_record(mailbox, copy, ids) for copy in copies]
        records.sort(key=lambda r: int(r["internalDate"]))
        changes = []
        for key, (labels, history) in GMAIL_REVISION_2.get(mailbox, {}).items():
            old = next(r for r in records if r["id"] == ids[key])
            changes.append({"replaces": old["id"], "record": {**old, "labelIds": labels, "historyId": history}})
        documents[GMAIL_FILES[mailbox]] = {
            "source": "gmail",
            "mailbox": mailbox,
            "messages": records,
            "revision_2": changes,
        }
    for mailbox, graph_copies in graph_mailboxes(m).items():
        records = [graph_record(mailbox, copy) for copy in graph_copies]
        records.sort(key=lambda r: r["receivedDateTime"])
        changes = []
        for key, change in GRAPH_REVISION_2.get(mailbox, {}).items():
            copy = next(c for c in graph_copies if c.mail.key == key)
            old = graph_record(mailbox, copy)
            new = graph_record(mailbox, GraphCopy(**{**copy.__dict__, **change}))
            changes.append({"replaces": old["id"], "record": new})
        documents[GRAPH_FILES[mailbox]] = {
            "source": "graph",
            "mailbox": mailbox,
            "messages": records,
            "revision_2": changes,
        }
    check(m, documents)
    return documents


def check(m: dict[str, Mail], documents: dict[str, dict[str, Any]]) -> None:
    """Sanity checks on what the fixtures must show (see EDGE_CASES.md)."""
    from email.header import decode_header, make_header

    for mail in m.values():
        if mail.subject_header:
            decoded = str(make_header(decode_header(mail.subject_header)))
            assert decoded == mail.subject, (mail.key, decoded)
        assert at(9, 0, 0) <= mail.sent < at(16, 0, 0), mail.key
    parts = [
        p
        for d in documents.values()
        if d["source"] == "gmail"
        for r in d["messages"]
        for p in walk_parts(r["payload"])
        if "data" in p.get("body", {})
    ]
    assert any("-" in p["body"]["data"] and "_" in p["body"]["data"] for p in parts), "base64url - and _"
    assert any(len(p["body"]["data"]) % 4 for p in parts), "unpadded base64url"
    assert any(p["body"]["data"].endswith("=") for p in parts), "padded base64url"
    for name, document in documents.items():
        assert 6 <= len(document["messages"]) <= 12, name
        ids = [r["id"] for r in document["messages"]]
        assert len(set(ids)) == len(ids), name


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str]) -> int:
    return write_or_check(build(), FIXTURES, render, argv, "tools/make_fixtures.py")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
