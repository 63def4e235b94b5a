"""Delivery through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import hashlib
import stat
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from smtp_sink import Sink
from reporter.delivery import (
    Attachment,
    DeliveryError,
    DeliveryRefusedError,
    SmtpSettings,
    build_message,
    send_smtp,
    write_outbox,
)

ALLOWED = ["j.weber@praxis-weber.example", "m.klein@praxis-weber.example"]
PDF = b"%PDF-1.7 test bytes \x00\x01"


def message(recipients: list[str]) -> Any:
    return build_message(sender="reports@praxis-weber.example", recipients=recipients,
                         subject="Wochenbericht 2026-W46", body="Der Wochenbericht 2026-W46 liegt bei.",
                         attachments=[Attachment("praxisbericht-2026-W46.pdf", PDF)])


def settings(port: int, **extra: Any) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, security="none", max_backoff_seconds=0.01, **extra)


def test_a_report_arrives_with_recipients_subject_body_and_the_exact_attachment(smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    send_smtp(message(ALLOWED), settings(port), allowlist=ALLOWED)
    [(recipients, raw)] = sink.messages
    assert recipients == ALLOWED
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsed["Subject"] == "Wochenbericht 2026-W46"
    assert parsed.get_body(preferencelist=("plain",)).get_content().strip() == "Der Wochenbericht 2026-W46 liegt bei."
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_filename() == "praxisbericht-2026-W46.pdf"
    assert hashlib.sha256(attachment.get_content()).hexdigest() == hashlib.sha256(PDF).hexdigest()


def test_a_recipient_off_the_allowlist_is_refused_before_connecting(smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    with pytest.raises(DeliveryRefusedError, match="1 recipient\\(s\\) not on the allowlist: someone@example.test"):
        send_smtp(message([ALLOWED[0], "someone@example.test"]), settings(port), allowlist=ALLOWED)
    assert sink.data_calls == 0


def test_plain_smtp_to_a_remote_host_is_refused() -> None:
    with pytest.raises(DeliveryRefusedError, match="needs TLS"):
        send_smtp(message(ALLOWED), SmtpSettings(host="mail.praxis-weber.example", port=25, security="none"),
                  allowlist=ALLOWED)


def test_temporary_4xx_replies_are_retried_until_delivered(smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    sink.replies = ["451 4.3.0 try again later", "421 4.4.2 busy"]
    send_smtp(message(ALLOWED), settings(port), allowlist=ALLOWED)
    assert sink.data_calls == 3 and len(sink.messages) == 1


def test_a_permanent_5xx_fails_at_once_with_the_code(smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    sink.replies = ["554 5.7.1 rejected"]
    with pytest.raises(DeliveryError, match=r"refused \(reply 554\)"):
        send_smtp(message(ALLOWED), settings(port), allowlist=ALLOWED)
    assert sink.data_calls == 1


def test_4xx_that_persists_gives_up_after_the_bounded_attempts(smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    sink.replies = ["451 later"] * 10
    with pytest.raises(DeliveryError, match=r"temporary failure persisted \(reply 451\)"):
        send_smtp(message(ALLOWED), settings(port, attempts=3), allowlist=ALLOWED)
    assert sink.data_calls == 3


def test_the_outbox_file_is_private(tmp_path: Path) -> None:
    path = write_outbox(message(ALLOWED), tmp_path / "outbox", "2026-W46")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert b"Wochenbericht 2026-W46" in path.read_bytes()
