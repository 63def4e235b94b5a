"""Every edge case of source-payloads.md §6, named, through the real transforms."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from canonizer import TransformError, canonicalize, canonicalize_many

PRACTICE = ["praxis@praxis-weber.example", "j.weber@praxis-weber.example"]
GMAIL_BOX = {"mailbox": "praxis@praxis-weber.example", "practice_addresses": PRACTICE}
GRAPH_BOX = {"mailbox": "j.weber@praxis-weber.example", "practice_addresses": PRACTICE}


def b64url(text: str, charset: str = "utf-8", padded: bool = True) -> str:
    encoded = base64.urlsafe_b64encode(text.encode(charset)).decode()
    return encoded if padded else encoded.rstrip("=")


def part(
    mime: str,
    text: str | None = None,
    *,
    charset: str = "utf-8",
    filename: str = "",
    parts: list[dict[str, Any]] | None = None,
    padded: bool = True,
) -> dict[str, Any]:
    body: dict[str, Any] = {"size": 0}
    if text is not None:
        body = {"size": len(text.encode(charset)), "data": b64url(text, charset, padded)}
    if filename:
        body = {"size": 52000, "attachmentId": "ANGjdJ8-attachment"}
    headers = [{"name": "Content-Type", "value": f'{mime}; charset="{charset}"'}] if not parts else []
    found: dict[str, Any] = {"mimeType": mime, "filename": filename, "headers": headers, "body": body}
    if parts is not None:
        found["parts"] = parts
    return found


def gmail(headers: dict[str, str], payload: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    payload = dict(payload or part("text/plain", "Hallo"))
    payload["headers"] = [{"name": k, "value": v} for k, v in headers.items()] + payload.get("headers", [])
    return {
        "id": "18f0000000000001",
        "threadId": "18f0000000000001",
        "labelIds": ["INBOX"],
        "snippet": "",
        "historyId": "1000",
        "internalDate": "1762941600000",
        "payload": payload,
        **top,
    }


BASE = {
    "From": "Anna <anna@example.test>",
    "To": "praxis@praxis-weber.example",
    "Subject": "Anfrage",
    "Date": "Wed, 12 Nov 2025 10:00:00 +0100",
    "Message-ID": "<a1@example.test>",
}


def graph(**fields: Any) -> dict[str, Any]:
    record = {
        "id": "AAMkAG-1",
        "internetMessageId": "<a1@example.test>",
        "conversationId": "AAQk-1",
        "subject": "Anfrage",
        "receivedDateTime": "2025-11-12T09:00:05Z",
        "sentDateTime": "2025-11-12T09:00:00Z",
        "bodyPreview": "Hallo",
        "hasAttachments": False,
        "categories": [],
        "body": {"contentType": "text", "content": "Hallo"},
        "from": {"emailAddress": {"name": "Anna", "address": "anna@example.test"}},
        "toRecipients": [{"emailAddress": {"name": "Julia Weber", "address": "j.weber@praxis-weber.example"}}],
        "ccRecipients": [],
        "internetMessageHeaders": [],
    }
    record.update(fields)
    return record


def run_gmail(record: dict[str, Any]) -> dict[str, Any]:
    return canonicalize(record, "email/gmail", GMAIL_BOX)


def run_graph(record: dict[str, Any]) -> dict[str, Any]:
    return canonicalize(record, "email/graph", GRAPH_BOX)


# 1. MIME structure -------------------------------------------------------------------
def test_edge_1_multipart_alternative_prefers_text_plain() -> None:
    payload = part(
        "multipart/alternative", parts=[part("text/plain", "Plain\r\nText"), part("text/html", "<p>HTML</p>")]
    )
    assert run_gmail(gmail(BASE, payload))["body_text"] == "Plain\nText"


def test_edge_1_nested_mixed_alternative_and_attachment_reads_any_depth() -> None:
    payload = part(
        "multipart/mixed",
        parts=[
            part(
                "multipart/alternative", parts=[part("text/plain", "Tief verschachtelt"), part("text/html", "<b>x</b>")]
            ),
            part("application/pdf", filename="Befund.pdf"),
        ],
    )
    out = run_gmail(gmail(BASE, payload))
    assert out["body_text"] == "Tief verschachtelt"
    assert out["has_attachments"] is True


def test_edge_1_multipart_related_with_inline_image() -> None:
    payload = part(
        "multipart/related",
        parts=[
            part("text/html", "<div>Mit Bild<br>unten</div><img src='cid:logo'>"),
            part("image/png", filename="logo.png"),
        ],
    )
    assert run_gmail(gmail(BASE, payload))["body_text"] == "Mit Bild\nunten"


def test_edge_1_html_only_single_part_becomes_text() -> None:
    payload = part("text/html", "<html><body><p>Nur&nbsp;HTML &amp; sonst nichts</p></body></html>")
    out = run_gmail(gmail(BASE, payload))
    assert out["body_text"] == "Nur\xa0HTML & sonst nichts"
    assert out["has_attachments"] is False


def with_headers(found: dict[str, Any], *headers: tuple[str, str]) -> dict[str, Any]:
    found["headers"] = found["headers"] + [{"name": n, "value": v} for n, v in headers]
    return found


def test_edge_1_an_unnamed_text_attachment_is_not_the_body_but_is_an_attachment() -> None:
    attached = with_headers(part("text/plain", "Anhang"), ("Content-Disposition", "attachment"))
    payload = part("multipart/mixed", parts=[attached, part("text/html", "<p>Der Text</p>")])
    out = run_gmail(gmail(BASE, payload))
    assert (out["body_text"], out["has_attachments"]) == ("Der Text", True)


def test_edge_1_an_inline_image_is_not_an_attachment_and_a_name_only_file_is() -> None:
    logo = with_headers(part("image/png", filename="logo.png"), ("Content-Disposition", 'inline; filename="logo.png"'))
    related = part("multipart/related", parts=[part("text/html", "<p>Mit Logo</p>"), logo])
    assert run_gmail(gmail(BASE, related))["has_attachments"] is False
    named = part("application/pdf", filename="Befund.pdf")  # Content-Type name=, no Content-Disposition
    assert run_gmail(gmail(BASE, part("multipart/mixed", parts=[related, named])))["has_attachments"] is True


def test_edge_1_only_the_root_of_a_multipart_related_is_read() -> None:
    related = part("multipart/related", parts=[part("text/html", "<p>Wurzel</p>"), part("text/plain", "Ressource")])
    assert run_gmail(gmail(BASE, related))["body_text"] == "Wurzel"


@pytest.mark.parametrize(
    ("charset", "data", "text"),
    [
        ("iso-8859-1", "Preis: 80 € – fällig".encode("cp1252"), "Preis: 80 € – fällig"),
        ("us-ascii", "Grüße".encode("cp1252"), "Grüße"),
        ("x-unbekannt", "Grüße".encode(), "Grüße"),  # unknown label: UTF-8 when the bytes are UTF-8 ...
        ("x-unbekannt", "Grüße".encode("cp1252"), "Grüße"),  # ... else windows-1252
    ],
)
def test_edge_9_body_charset_labels_read_as_whatwg_reads_them(charset: str, data: bytes, text: str) -> None:
    body = {
        "mimeType": "text/plain",
        "filename": "",
        "headers": [{"name": "Content-Type", "value": f"text/plain; charset={charset}"}],
        "body": {"size": len(data), "data": base64.urlsafe_b64encode(data).decode()},
    }
    assert run_gmail(gmail(BASE, body))["body_text"] == text


# 2. Non-ASCII headers ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("=?UTF-8?Q?Anfrage_Therapieplatz_=E2=80=93_Erstgespr=C3=A4ch?=", "Anfrage Therapieplatz – Erstgespräch"),
        ("=?UTF-8?B?QW5mcmFnZSBmw7xyIEZyYXUgRHIuIFdlYmVy?=", "Anfrage für Frau Dr. Weber"),
        ("=?ISO-8859-1?Q?Gr=FC=DFe?=", "Grüße"),
        ("=?UTF-8?Q?Termin_f=C3=BC?= =?UTF-8?Q?r_Montag?=", "Termin für Montag"),  # split encoded word
        ("Rückfrage zur Überweisung", "Rückfrage zur Überweisung"),  # raw UTF-8 header
    ],
)
def test_edge_2_rfc2047_subjects_decode(raw: str, decoded: str) -> None:
    assert run_gmail(gmail({**BASE, "Subject": raw}))["subject"] == decoded


def test_edge_2_graph_strings_are_already_decoded_and_stay_unchanged() -> None:
    assert run_graph(graph(subject="Grüße – =?x?"))["subject"] == "Grüße – =?x?"


# 3. Missing subject -------------------------------------------------------------------
def test_edge_3_missing_subject_is_empty_string_everywhere() -> None:
    no_subject = {k: v for k, v in BASE.items() if k != "Subject"}
    assert run_gmail(gmail(no_subject))["subject"] == ""
    assert run_graph(graph(subject=None))["subject"] == ""
    assert run_graph(graph(subject=""))["subject"] == ""


# 4. Address lists -----------------------------------------------------------------------
def test_edge_4_address_lists_with_quotes_encoded_commas_groups_and_cc() -> None:
    to = (
        '"Weber, Julia" <j.weber@praxis-weber.example>, Dr. "Jule" Weber <jule@praxis-weber.example>, '
        "=?UTF-8?Q?M=C3=BCller=2C_Anna?= <Anna.Mueller@Example.test>, bare@example.test, "
        "undisclosed-recipients:;"
    )
    out = run_gmail(gmail({**BASE, "To": to, "Cc": "Weber, Julia <j.weber@praxis-weber.example>"}))
    assert out["to"] == [
        {"name": "Weber, Julia", "email": "j.weber@praxis-weber.example"},
        {"name": "Dr. Jule Weber", "email": "jule@praxis-weber.example"},
        {"name": "Müller, Anna", "email": "anna.mueller@example.test"},
        {"name": None, "email": "bare@example.test"},
    ]
    # Unquoted "Weber, Julia <…>" splits into a name-only half, which is dropped.
    assert out["cc"] == [{"name": "Julia", "email": "j.weber@praxis-weber.example"}]


def test_edge_4_graph_name_equal_to_address_means_no_name() -> None:
    out = run_graph(graph(**{"from": {"emailAddress": {"name": "kim@example.test", "address": "Kim@Example.test"}}}))
    assert out["from"] == {"name": None, "email": "kim@example.test"}


@pytest.mark.parametrize(
    ("to", "expected"),
    [
        ("anna@example.test (Anna Weber)", [{"name": None, "email": "anna@example.test"}]),  # a comment is no name
        ("Anna (Praxis) <anna@example.test>", [{"name": "Anna", "email": "anna@example.test"}]),
        ('"Anna (Praxis)" <anna@example.test> (privat)', [{"name": "Anna (Praxis)", "email": "anna@example.test"}]),
        (
            "Team: a@example.test (A), B <b@example.test>;",
            [{"name": None, "email": "a@example.test"}, {"name": "B", "email": "b@example.test"}],
        ),
    ],
)
def test_edge_4_comments_in_address_lists_are_not_names(to: str, expected: list[dict[str, Any]]) -> None:
    assert run_gmail(gmail({**BASE, "To": to}))["to"] == expected


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("=?iso-8859-1?Q?=80_und_=96?=", "€ und –"),  # windows-1252 bytes under a latin-1 label (WHATWG)
        ("=?us-ascii?Q?Gr=FC=DFe?=", "Grüße"),  # and under an ASCII label
        ("Rückfrage =?UTF-8?Q?zur_=C3=9Cberweisung?=", "Rückfrage zur Überweisung"),  # raw UTF-8 beside a word
        ("李雷 =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=", "李雷 Grüße"),
        ("=?UTF-8?Q?Gr=C3?= =?UTF-8?Q?=BC=C3=9Fe?=", "Grüße"),  # a character split across two words
        ("=?utf-8*de?Q?Hallo?=", "Hallo"),  # RFC 2231 language tag
    ],
)
def test_edge_2_encoded_words_beside_raw_text_and_labels_read_as_whatwg_reads_them(raw: str, decoded: str) -> None:
    assert run_gmail(gmail({**BASE, "Subject": raw}))["subject"] == decoded


def test_edge_2_graph_subjects_are_not_decoded_a_second_time() -> None:
    assert run_graph(graph(subject="Re: =?utf-8?q?Hallo?=  x"))["subject"] == "Re: =?utf-8?q?Hallo?= x"


# 5. Date headers --------------------------------------------------------------------------
RECEIVED = "2025-11-12T10:00:00Z"  # internalDate 1762941600000


@pytest.mark.parametrize(
    ("date", "sent_at", "source"),
    [
        ("Tue, 11 Nov 2025 11:14:52 +0200", "2025-11-11T09:14:52Z", "date_header"),
        ("Tue, 11 Nov 2025 11:14:52 +0200 (CEST)", "2025-11-11T09:14:52Z", "date_header"),
        ("Tue, 11 Nov 2025 02:14:52 -0700 (PDT)", "2025-11-11T09:14:52Z", "date_header"),
        ("11 Nov 2025 09:14:52 GMT", "2025-11-11T09:14:52Z", "date_header"),
        ("Tue, 11 Nov 25 11:14:52 +0200", "2025-11-11T09:14:52Z", "date_header"),
        ("Tue, 11 Nov 2025 09:14:52 -0000", RECEIVED, "received_fallback"),
        ("Tue, 11 Nov 2025 11:14:52 MESZ", RECEIVED, "received_fallback"),
        ("gestern Abend", RECEIVED, "received_fallback"),
    ],
)
def test_edge_5_date_variants_and_bad_zones(date: str, sent_at: str, source: str) -> None:
    out = run_gmail(gmail({**BASE, "Date": date}))
    assert (out["sent_at"], out["sent_at_source"], out["received_at"]) == (sent_at, source, RECEIVED)


def test_edge_5_missing_date_falls_back_to_the_receive_time() -> None:
    out = run_gmail(gmail({k: v for k, v in BASE.items() if k != "Date"}))
    assert (out["sent_at"], out["sent_at_source"]) == (RECEIVED, "received_fallback")


# 6. The same Message-ID in several mailboxes ---------------------------------------------
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


# 7. Threads ---------------------------------------------------------------------------------
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


# 8. Re-delivery ----------------------------------------------------------------------------
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


# 9. Encoding -------------------------------------------------------------------------------
def test_edge_9_base64url_unpadded_latin1_part_crlf_and_snippet_entities() -> None:
    text = "Grüße aus Köln\r\nZeile zwei"
    payload = part("text/plain", text, charset="iso-8859-1", padded=False)
    assert len(payload["body"]["data"]) % 4 != 0
    out = run_gmail(gmail(BASE, payload, snippet="Gr&uuml;&szlig;e &amp; &quot;Danke&quot; &#39;x&#39;"))
    assert out["body_text"] == "Grüße aus Köln\nZeile zwei"
    assert out["preview"] == "Grüße & \"Danke\" 'x'"


def test_edge_9_url_safe_alphabet_and_graph_emoji() -> None:
    text = "?>>?~~ Ende"  # encodes with '-' and '_' in base64url
    data = b64url(text)
    assert "-" in data or "_" in data
    assert run_gmail(gmail(BASE, part("text/plain", text)))["body_text"] == text
    out = run_graph(
        graph(
            body={
                "contentType": "html",
                "content": "<p>Danke \ud83d\ude0a</p>".encode("utf-16", "surrogatepass").decode("utf-16"),
            }
        )
    )
    assert out["body_text"] == "Danke 😊"


# A Gmail body is read from base64url; a body that is not base64url is a reject (issue 11, item 4).
@pytest.mark.parametrize(
    "data",
    [
        "SGFs!bG8",  # a character outside the alphabet (the decoder used to drop it silently)
        "SGFs bG8",  # a space
        "SGFsbG8\n",  # a line break
        "SGFsb",  # 1 more than a multiple of 4: no byte string encodes to it
        "SGFsbG8==",  # padding beyond the block
        "QQ==QQ==",  # data after the padding
        "a+b/",  # the standard alphabet, not base64url
        "SGFsbG8ü",  # not ASCII
    ],
)
def test_edge_9_a_body_that_is_not_base64url_is_a_reject_naming_rule_and_field(data: str) -> None:
    broken = part("text/plain", "Hallo")
    broken["body"]["data"] = data
    payload = part(
        "multipart/mixed",
        parts=[
            part("multipart/alternative", parts=[broken, part("text/html", "<p>Hallo</p>")]),
            part("application/pdf", filename="Befund.pdf"),
        ],
    )
    with pytest.raises(TransformError) as err:
        run_gmail(gmail(BASE, payload))
    assert (err.value.rule, err.value.field) == ("input.base64url", "payload.parts[0].parts[0].body.data")
    assert data not in str(err.value)


def test_edge_9_a_single_part_body_that_is_not_base64url_is_a_reject_and_the_batch_goes_on() -> None:
    broken = part("text/plain", "Hallo")
    broken["body"]["data"] = "Zm9v$YmFy"
    outcomes = list(
        canonicalize_many([gmail(BASE, broken), gmail(BASE, part("text/plain", "Hallo"))], "email/gmail", GMAIL_BOX)
    )
    assert outcomes[0].error is not None and outcomes[1].output is not None
    assert (outcomes[0].error.rule, outcomes[0].error.field) == ("input.base64url", "payload.body.data")
    assert outcomes[1].output["body_text"] == "Hallo"


@pytest.mark.parametrize("text", ["", "H", "Ha", "Hal", "Grüße ?>>?~~"])
def test_edge_9_base64url_with_and_without_padding_stays_valid(text: str) -> None:
    for padded in (True, False):
        assert run_gmail(gmail(BASE, part("text/plain", text, padded=padded)))["body_text"] == text


def test_edge_9_only_the_part_that_is_read_must_be_base64url() -> None:
    unread = part("text/html", "<p>x</p>")
    unread["body"]["data"] = "not base64!"
    payload = part("multipart/alternative", parts=[part("text/plain", "Hallo"), unread])
    assert run_gmail(gmail(BASE, payload))["body_text"] == "Hallo"


# 10. Type quirks ---------------------------------------------------------------------------
def test_edge_10_internal_date_is_compared_as_a_number_not_text() -> None:
    early = run_gmail(gmail(BASE, internalDate="999"))
    late = run_gmail(gmail(BASE, internalDate="1000"))
    assert early["received_at"] == "1970-01-01T00:00:00.999Z"
    assert late["received_at"] == "1970-01-01T00:00:01Z"


# Rejects ---------------------------------------------------------------------------------------
def test_a_rejected_record_names_rule_and_field_never_the_value() -> None:
    secret = "Erika-Mustermann-Geheim"
    with pytest.raises(TransformError) as err:
        run_gmail(gmail(BASE, internalDate=secret))
    assert (err.value.rule, err.value.field) == ("input.pattern", "internalDate")
    assert secret not in str(err.value)


def test_an_unparseable_from_gives_no_sender_but_still_an_email() -> None:
    out = run_gmail(gmail({**BASE, "From": "nur ein Name"}))
    assert out["from"] is None and out["direction"] == "inbound"
