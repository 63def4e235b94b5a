"""Edge case 1 of source-payloads.md §6: which MIME part is the body and which parts are
attachments, through the real Gmail transform."""

from __future__ import annotations

from typing import Any

from email_edge_records import BASE, gmail, part, run_gmail


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
