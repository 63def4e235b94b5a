"""Edge case 9 of source-payloads.md §6: body charsets, base64url bodies (a body that is
not base64url is a reject) and entities in snippets, through the real transforms; and a
rejected record names rule and field, never the value."""

from __future__ import annotations

import base64

import pytest

from canonizer import TransformError, canonicalize_many
from email_edge_records import BASE, GMAIL_BOX, b64url, gmail, graph, part, run_gmail, run_graph


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


def test_a_rejected_record_names_rule_and_field_never_the_value() -> None:
    secret = "Erika-Mustermann-Geheim"
    with pytest.raises(TransformError) as err:
        run_gmail(gmail(BASE, internalDate=secret))
    assert (err.value.rule, err.value.field) == ("input.pattern", "internalDate")
    assert secret not in str(err.value)
