"""Deliver reports by e-mail: the text body carries no PHI, the PDFs are attachments.

Recipients must be on the configured allowlist (checked before connecting). A host that
is not loopback is only spoken to over STARTTLS or SMTPS. Transient failures (4xx
replies, dropped connections) are retried with bounded backoff; 5xx replies fail at once.
In the sample profile the default is an outbox folder of ``.eml`` files instead.
"""

from __future__ import annotations

import ipaddress
import os
import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential


class DeliveryError(Exception):
    """Delivery was refused or failed; the message names hosts, codes and rules only."""

    phi_safe = True


class DeliveryRefusedError(DeliveryError):
    """Refused before connecting (recipient not allowed, TLS required)."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/pdf"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none (none only for loopback)
    timeout_seconds: float = 30.0
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    attempts: int = 4
    max_backoff_seconds: float = 8.0


def build_message(*, sender: str, recipients: Sequence[str], subject: str, body: str,
                  attachments: Sequence[Attachment]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body)
    for attachment in attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return message


def check_recipients(recipients: Sequence[str], allowlist: Sequence[str]) -> None:
    allowed = {a.strip().lower() for a in allowlist}
    refused = [r for r in recipients if r.strip().lower() not in allowed]
    if not recipients:
        raise DeliveryRefusedError("no recipients configured (reports.recipients)")
    if refused:
        raise DeliveryRefusedError(
            f"{len(refused)} recipient(s) not on the allowlist: {', '.join(refused)}; "
            "add them to reports.allowlist in config.yaml if they may receive reports"
        )


def write_outbox(message: EmailMessage, outbox: Path, name: str) -> Path:
    """The message as an ``.eml`` file (0600) in the outbox folder."""
    outbox.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = outbox / f"{name}.eml"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(bytes(message))
    return path


def send_smtp(message: EmailMessage, settings: SmtpSettings, *, allowlist: Sequence[str]) -> None:
    recipients = [r.strip() for r in str(message["To"]).split(",") if r.strip()]
    check_recipients(recipients, allowlist)
    if settings.security not in ("starttls", "ssl", "none"):
        raise DeliveryRefusedError(f"reports.smtp.security must be starttls, ssl or none, not {settings.security!r}")
    if settings.security == "none" and not is_loopback(settings.host):
        raise DeliveryRefusedError(
            f"SMTP to {settings.host} needs TLS: set reports.smtp.security to starttls or ssl "
            "(plain SMTP is allowed to loopback only)"
        )
    retrying = Retrying(retry=retry_if_exception(is_transient), stop=stop_after_attempt(settings.attempts),
                        wait=wait_exponential(multiplier=0.5, max=settings.max_backoff_seconds), reraise=True)
    try:
        retrying(lambda: _send_once(message, settings))
    except smtplib.SMTPResponseException as exc:
        kind = "temporary failure persisted" if 400 <= exc.smtp_code < 500 else "refused"
        raise DeliveryError(f"SMTP server {settings.host}:{settings.port} {kind} (reply {exc.smtp_code})") from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = sorted({code for code, _ in exc.recipients.values()})
        raise DeliveryError(f"SMTP server {settings.host}:{settings.port} refused the recipients (replies {codes})") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(
            f"could not deliver through {settings.host}:{settings.port} ({type(exc).__name__}); "
            "check reports.smtp and the network"
        ) from None


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    return isinstance(exc, (smtplib.SMTPServerDisconnected, ConnectionError, socket.timeout))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _send_once(message: EmailMessage, settings: SmtpSettings) -> None:
    context = ssl.create_default_context()
    if settings.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_seconds,
                                               context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
    with client:
        if settings.security == "starttls":
            client.starttls(context=context)
        if settings.username:
            client.login(settings.username, settings.password or "")
        refused = client.send_message(message)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
