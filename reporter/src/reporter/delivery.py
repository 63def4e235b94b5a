"""Deliver reports by e-mail: the text body carries no PHI, the PDFs are attachments.

Recipients must be on the configured allowlist and a host that is not loopback is only
spoken to over STARTTLS or SMTPS; both are checked before any work (``check_*``).
Each recipient gets the message in a transaction of their own, and is reported to the
caller the moment the server accepts it, so a retry (transient failures: 4xx replies,
timeouts, dropped connections, with bounded backoff) or a rerun never sends to someone
who already has it; a 5xx reply refuses that recipient only. Errors name recipients by
their position in the config, never by address.
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, Self

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from reporter.exceptions import DeliveryError, DeliveryRefusedError, ReportSettingsError

SECURITY_MODES = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/pdf"


@dataclass(frozen=True)
class Recipient:
    address: str
    label: str  # where the config names it, e.g. "reports.recipients item 2"


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

    @classmethod
    def from_config(cls, smtp: Mapping[str, Any], secrets: Mapping[str, str | None]) -> SmtpSettings:
        """``reports.smtp`` of the config; credentials from ``LORC_SMTP_USERNAME`` / ``_PASSWORD``."""
        if not smtp.get("host"):
            raise ReportSettingsError(
                "reports.delivery is smtp but reports.smtp.host is not set; "
                "add reports.smtp: {host: ..., port: 587, security: starttls}"
            )
        return cls(
            host=str(smtp["host"]),
            port=int(smtp.get("port", 587)),
            security=str(smtp.get("security", "starttls")),
            timeout_seconds=float(smtp.get("timeout_seconds", 30)),
            username=secrets.get("LORC_SMTP_USERNAME"),
            password=secrets.get("LORC_SMTP_PASSWORD"),
        )


def recipients_of(addresses: Sequence[str], key: str) -> list[Recipient]:
    """One recipient per address (an address listed twice, in any case, gets one copy),
    labelled by where the config names it first."""
    found: dict[str, Recipient] = {}
    for number, address in enumerate(addresses, start=1):
        found.setdefault(address.strip().lower(), Recipient(address.strip(), f"{key} item {number}"))
    return list(found.values())


def check_recipients(recipients: Sequence[Recipient], allowlist: Sequence[str], *, key: str) -> None:
    """Refuse before any work when nobody is configured or anyone is off the allowlist."""
    allowed = {a.strip().lower() for a in allowlist}
    if not recipients:
        raise DeliveryRefusedError(f"no recipients configured ({key})")
    refused = [r.label for r in recipients if r.address.lower() not in allowed]
    if refused:
        raise DeliveryRefusedError(
            f"{len(refused)} recipient(s) not on the allowlist: {', '.join(refused)}; add them to "
            "reports.allowlist in config.yaml if they may receive reports, or correct the address"
        )


def check_smtp(settings: SmtpSettings) -> None:
    """Refuse a plain connection to anything but loopback, before any work is done."""
    if settings.security not in SECURITY_MODES:
        raise DeliveryRefusedError(f"reports.smtp.security must be starttls, ssl or none, not {settings.security!r}")
    if settings.security == "none" and not is_loopback(settings.host):
        raise DeliveryRefusedError(
            f"SMTP to {settings.host} needs TLS: set reports.smtp.security to starttls or ssl "
            "(plain SMTP is allowed to loopback only)"
        )


def build_message(
    *,
    sender: str,
    recipients: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[Attachment],
    message_id: str,
) -> bytes:
    """The message as it goes over the wire (CRLF line ends), with a Message-ID fixed by
    the caller: every copy of one delivery, retries and reruns included, carries the same
    one, so mail clients can tell."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id
    message.set_content(body)
    for attachment in attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return message.as_bytes(policy=policy.SMTP)


def send_smtp(
    raw: bytes,
    *,
    sender: str,
    recipients: Sequence[Recipient],
    settings: SmtpSettings,
    allowlist: Sequence[str],
    on_accepted: Callable[[Recipient], None],
) -> None:
    """Send ``raw`` to each recipient in a transaction of its own; ``on_accepted`` is called
    as soon as the server has accepted it for one. Raises DeliveryError when any recipient
    was refused (the others are still tried) or a transient failure outlasted the retries."""
    check_recipients(recipients, allowlist, key="reports.recipients")
    check_smtp(settings)
    pending = list(recipients)
    refused: list[tuple[Recipient, int]] = []

    def attempt() -> None:
        with _Connection(settings) as client:
            for recipient in list(pending):
                try:
                    client.sendmail(sender, [recipient.address], raw)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
                    if is_transient(exc):
                        raise  # retried, with this recipient still pending
                    refused.append((recipient, _reply_code(exc)))  # smtplib has reset the session
                    pending.remove(recipient)
                else:
                    pending.remove(recipient)  # first: a failing callback must not send it again
                    on_accepted(recipient)

    retrying = Retrying(
        retry=retry_if_exception(is_transient),
        stop=stop_after_attempt(settings.attempts),
        wait=wait_exponential(multiplier=0.5, max=settings.max_backoff_seconds),
        reraise=True,
    )
    where = f"SMTP server {settings.host}:{settings.port}"
    try:
        retrying(attempt)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = sorted({code for code, _ in exc.recipients.values()})
        raise DeliveryError(
            f"{where}: temporary failure persisted for {_labels(pending)} (replies {codes}); run again later"
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"{where}: temporary failure persisted (reply {exc.smtp_code}); run again later") from None
    except (OSError, smtplib.SMTPException) as exc:
        if _timed_out(exc):
            raise DeliveryError(
                f"{where} did not answer within {settings.timeout_seconds:g} s "
                f"({settings.attempts} attempts); check the server or raise reports.smtp.timeout_seconds"
            ) from None
        raise DeliveryError(
            f"could not deliver through {settings.host}:{settings.port} ({type(exc).__name__}); "
            "check reports.smtp and the network"
        ) from None
    if refused:
        shown = ", ".join(f"{r.label} (reply {code})" for r, code in refused)
        raise DeliveryError(
            f"{where} refused {shown}; the others have the report. Correct or remove the "
            "refused address in config.yaml and run again: only it is sent to"
        )


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Connection:
    """An SMTP session; closing it never fails a delivery that the server has accepted."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.client: smtplib.SMTP | None = None

    def __enter__(self) -> Self:
        settings = self.settings
        context = ssl.create_default_context()
        if settings.security == "ssl":
            self.client = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout_seconds, context=context
            )
        else:
            self.client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
        try:
            if settings.security == "starttls":
                self.client.starttls(context=context)
            if settings.username:
                self.client.login(settings.username, settings.password or "")
        except BaseException:
            self.client.close()
            raise
        return self

    def sendmail(self, sender: str, to: list[str], raw: bytes) -> None:
        assert self.client is not None
        self.client.sendmail(sender, to, raw)

    def __exit__(self, *exc_info: object) -> None:
        if self.client is None:
            return
        try:
            self.client.quit()
        except (OSError, smtplib.SMTPException):
            self.client.close()  # what was accepted stays accepted; a lost QUIT changes nothing


def _reply_code(exc: smtplib.SMTPException) -> int:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return min(code for code, _ in exc.recipients.values())
    return int(getattr(exc, "smtp_code", 0))


def _timed_out(exc: BaseException) -> bool:
    """A timeout, also where smtplib reports it as a closed connection."""
    return isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError)


def _labels(recipients: Sequence[Recipient]) -> str:
    return ", ".join(r.label for r in recipients) or "the recipients"
