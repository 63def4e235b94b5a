"""Delivery through a real SMTP server on loopback (aiosmtpd): per recipient, retry-safe,
refusals named by config position."""

from __future__ import annotations

import hashlib
from email import policy
from email.parser import BytesParser
from typing import Any

import pytest

from reporter.delivery import (
    Attachment,
    Recipient,
    SmtpSettings,
    build_message,
    check_smtp,
    recipients_of,
    send_smtp,
)
from reporter.exceptions import DeliveryError, DeliveryRefusedError
from smtp_sink import Sink

ALLOWED = ["j.weber@praxis-weber.example", "m.klein@praxis-weber.example"]
PDF = b"%PDF-1.7 test bytes \x00\x01"
MESSAGE_ID = "<wochenbericht-2026-W46.1@praxis-weber.example>"


def raw(recipients: list[str]) -> bytes:
    return build_message(
        sender="reports@praxis-weber.example",
        recipients=recipients,
        subject="Wochenbericht 2026-W46",
        body="Der Wochenbericht 2026-W46 liegt bei.",
        attachments=[Attachment("praxisbericht-2026-W46.pdf", PDF * 100)],
        message_id=MESSAGE_ID,
    )


def settings(port: int, **extra: Any) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, security="none", max_backoff_seconds=0.01, **extra)


def send(port: int, addresses: list[str], **extra: Any) -> list[str]:
    """Send to ``addresses``; the addresses the sender was told were accepted, in order."""
    accepted: list[str] = []
    send_smtp(
        raw(addresses),
        sender="reports@praxis-weber.example",
        recipients=recipients_of(addresses, "reports.recipients"),
        settings=settings(port, **extra),
        allowlist=ALLOWED,
        on_accepted=lambda r: accepted.append(r.address),
    )
    return accepted


def test_each_recipient_gets_the_message_with_subject_body_attachment_and_its_message_id(
    smtp: tuple[Sink, int],
) -> None:
    sink, port = smtp
    assert send(port, ALLOWED) == ALLOWED
    assert [recipients for recipients, _ in sink.messages] == [[ALLOWED[0]], [ALLOWED[1]]]
    for _, message in sink.messages:
        parsed = BytesParser(policy=policy.default).parsebytes(message)
        assert parsed["Subject"] == "Wochenbericht 2026-W46" and parsed["Message-ID"] == MESSAGE_ID
        assert (
            parsed.get_body(preferencelist=("plain",)).get_content().strip() == "Der Wochenbericht 2026-W46 liegt bei."
        )
        [attachment] = list(parsed.iter_attachments())
        assert attachment.get_filename() == "praxisbericht-2026-W46.pdf"
        assert hashlib.sha256(attachment.get_content()).hexdigest() == hashlib.sha256(PDF * 100).hexdigest()


def test_a_recipient_off_the_allowlist_is_refused_before_connecting_and_named_by_position(
    smtp: tuple[Sink, int],
) -> None:
    sink, port = smtp
    with pytest.raises(
        DeliveryRefusedError, match=r"1 recipient\(s\) not on the allowlist: reports.recipients item 2;"
    ) as exc:
        send(port, [ALLOWED[0], "someone@example.test"])
    assert "someone@example.test" not in str(exc.value)
    assert sink.data_calls == 0


def test_plain_smtp_to_a_remote_host_is_refused() -> None:
    with pytest.raises(DeliveryRefusedError, match="needs TLS"):
        check_smtp(SmtpSettings(host="mail.praxis-weber.example", port=25, security="none"))


def test_temporary_4xx_replies_are_retried_until_delivered(smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    sink.replies = ["451 4.3.0 try again later", "421 4.4.2 busy"]
    assert send(port, ALLOWED[:1]) == ALLOWED[:1]
    assert sink.data_calls == 3 and len(sink.messages) == 1


def test_a_permanent_5xx_fails_at_once_with_the_code(smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    sink.replies = ["554 5.7.1 rejected"]
    with pytest.raises(DeliveryError, match=r"refused reports.recipients item 1 \(reply 554\)"):
        send(port, ALLOWED[:1])
    assert sink.data_calls == 1


def test_4xx_that_persists_gives_up_after_the_bounded_attempts(smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    sink.replies = ["451 later"] * 10
    with pytest.raises(DeliveryError, match=r"temporary failure persisted \(reply 451\)"):
        send(port, ALLOWED[:1], attempts=3)
    assert sink.data_calls == 3


def test_one_refused_recipient_does_not_stop_the_other_and_is_named_by_position_not_address(
    smtp: tuple[Sink, int],
) -> None:
    sink, port = smtp
    sink.refuse[ALLOWED[0]] = "550 5.1.1 mailbox unavailable"
    accepted: list[str] = []
    with pytest.raises(DeliveryError) as exc:
        send_smtp(
            raw(ALLOWED),
            sender="reports@praxis-weber.example",
            recipients=recipients_of(ALLOWED, "reports.recipients"),
            settings=settings(port),
            allowlist=ALLOWED,
            on_accepted=lambda r: accepted.append(r.address),
        )
    assert accepted == [ALLOWED[1]] and [r for r, _ in sink.messages] == [[ALLOWED[1]]]
    assert "reports.recipients item 1 (reply 550)" in str(exc.value)
    assert not any(address in str(exc.value) for address in ALLOWED)


def test_a_connection_dropped_after_the_server_accepted_sends_no_second_copy(smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    sink.drop_after_accept = 2  # after each of the two messages the server hangs up
    assert send(port, ALLOWED) == ALLOWED
    assert sorted(r for recipients, _ in sink.messages for r in recipients) == sorted(ALLOWED)  # one copy each


def test_a_server_that_never_answers_is_reported_as_a_timeout(silent_smtp: int) -> None:
    with pytest.raises(DeliveryError, match=r"did not answer within 0.3 s \(2 attempts\)"):
        send(silent_smtp, ALLOWED[:1], timeout_seconds=0.3, attempts=2)


def test_recipients_are_labelled_by_their_place_in_the_config() -> None:
    assert recipients_of([" a@x.example", "b@x.example"], "reports.safety_alerts.recipients") == [
        Recipient("a@x.example", "reports.safety_alerts.recipients item 1"),
        Recipient("b@x.example", "reports.safety_alerts.recipients item 2"),
    ]
