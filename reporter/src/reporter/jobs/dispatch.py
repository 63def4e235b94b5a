"""Prepare a delivery once, then complete it: the job side of ``reporter.delivery``.

A :class:`Channel` is the ``reports`` config, checked before any work (recipients on the
allowlist, TLS to anything but loopback). :func:`prepare` stores the message (with its
Message-ID) in the PHI home and records the delivery in the ledger; :func:`complete`
sends that stored message to every configured target that has not accepted it yet and
records each acceptance as it happens.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from lorchestra.jobkit import JobContext, checkpoint, utcnow
from reporter.delivery import (
    Recipient,
    SmtpSettings,
    build_message,
    check_recipients,
    check_smtp,
    recipients_of,
    send_smtp,
)
from reporter.exceptions import ReportSettingsError
from reporter.jobs.ledger import ACCEPTED, ALERT, PENDING, WEEKLY, Delivery, Ledger
from reporter.safety import CarriedFlag

OUTBOX = "outbox"
DELIVERED_EVENT = {WEEKLY: "report.delivered", ALERT: "safety_alert.delivered"}


@dataclass(frozen=True)
class Channel:
    """Where deliveries go: the outbox, or these recipients by SMTP."""

    method: str
    sender: str
    recipients: tuple[Recipient, ...]
    allowlist: tuple[str, ...]
    smtp: SmtpSettings | None

    @classmethod
    def from_config(
        cls,
        reports: Mapping[str, Any],
        secrets: Any,
        *,
        recipients_key: str = "reports.recipients",
        recipients: Sequence[str] | None = None,
    ) -> Channel:
        method = str(reports.get("delivery") or OUTBOX)
        if method not in (OUTBOX, "smtp"):
            raise ReportSettingsError(f"reports.delivery must be outbox or smtp, not {method!r}")
        listed = recipients if recipients is not None else [str(r) for r in reports.get("recipients") or []]
        channel = cls(
            method=method,
            sender=str(reports.get("from") or "reports@localhost"),
            recipients=tuple(recipients_of(listed, recipients_key)),
            allowlist=tuple(str(a) for a in reports.get("allowlist") or []),
            smtp=SmtpSettings.from_config(reports.get("smtp") or {}, secrets) if method == "smtp" else None,
        )
        check_recipients(channel.recipients, channel.allowlist, key=recipients_key)
        if channel.smtp is not None:
            check_smtp(channel.smtp)
        return channel

    @property
    def targets(self) -> list[str]:
        if self.method == OUTBOX:
            return [OUTBOX]
        return [r.address.lower() for r in self.recipients]


def prepare(
    ctx: JobContext,
    ledger: Ledger,
    channel: Channel,
    *,
    delivery_id: str,
    kind: str,
    week: str | None,
    folder: Path,
    stem: str,
    subject: str,
    body: str,
    attachments: Sequence[Any],
    flags: Sequence[CarriedFlag],
    prepared_at: datetime | None = None,
) -> Delivery:
    """Build and store the message (0600, whole or not at all), then record the delivery
    with its targets pending and its flags claimed, in one step; ``prepared_at``: the
    moment its contents were read as of (default: now)."""
    message_id = make_msgid(idstring=stem, domain=channel.sender.rpartition("@")[2] or None)
    path = folder / f"{stem}.eml"
    ctx.home.write_file(
        path,
        build_message(
            sender=channel.sender,
            recipients=[r.address for r in channel.recipients],
            subject=subject,
            body=body,
            attachments=attachments,
            message_id=message_id,
        ),
    )
    delivery = Delivery(
        delivery_id=delivery_id,
        kind=kind,
        week=week,
        method=channel.method,
        message_id=message_id,
        message_path=str(path.relative_to(ctx.home.root)),
        prepared_at=prepared_at or utcnow(),
        run_id=ctx.run_id,
        targets=dict.fromkeys(channel.targets, PENDING),
    )
    ledger.prepare(delivery, flags)
    return delivery


def complete(ctx: JobContext, ledger: Ledger, channel: Channel, delivery: Delivery) -> Delivery:
    """Send the stored message to the configured targets that have not accepted it, then
    leave a ``report.delivered`` / ``safety_alert.delivered`` event (ids and counts only).

    Targets that left the config while the delivery was pending are withdrawn, new ones
    are added; each acceptance is recorded the moment the server (or the outbox) has it.
    """
    done = _send(ctx, ledger, channel, delivery)
    ctx.events.audit(
        DELIVERED_EVENT[done.kind],
        payload={
            "week": done.week,
            "delivery_id": done.delivery_id,
            "method": done.method,
            "recipients": sum(1 for status in done.targets.values() if status == ACCEPTED),
            "resumed": done.run_id != ctx.run_id,
        },
    )
    return done


def _send(ctx: JobContext, ledger: Ledger, channel: Channel, delivery: Delivery) -> Delivery:
    wanted = channel.targets
    delivery = ledger.settle(
        delivery,
        withdrawn=[t for t in delivery.targets if t not in wanted],
        added=[t for t in wanted if t not in delivery.targets],
    )
    path = ctx.home.root / delivery.message_path
    raw = path.read_bytes()
    if channel.method == OUTBOX:  # the sample profile's default: .eml files, each whole or not at all
        ctx.home.write_file(ctx.home.subdir("outbox") / path.name, raw)
        checkpoint("delivery.accepted")  # in the outbox, not yet recorded: a rerun writes the same file again
        return ledger.settle(delivery, accepted=[OUTBOX])
    open_targets = set(delivery.open_targets(wanted))
    if not open_targets:
        return delivery
    settled = [delivery]

    def accepted(recipient: Recipient) -> None:
        settled[0] = ledger.settle(settled[0], accepted=[recipient.address.lower()])
        checkpoint("delivery.accepted")  # one recipient has it, the next not yet

    assert channel.smtp is not None
    send_smtp(
        raw,
        sender=channel.sender,
        settings=channel.smtp,
        allowlist=channel.allowlist,
        recipients=[r for r in channel.recipients if r.address.lower() in open_targets],
        on_accepted=accepted,
    )
    return settled[0]


def finish_unfinished(ctx: JobContext, ledger: Ledger, channel: Channel, kind: str) -> list[Delivery]:
    """Complete every earlier delivery of ``kind`` that is still pending (a crash, a refusal):
    its flags are claimed by it, so nothing new goes out before it has."""
    finished = []
    for delivery in ledger.unfinished(kind):
        ctx.logger.warning("completing delivery %s prepared by run %s", delivery.delivery_id, delivery.run_id)
        finished.append(complete(ctx, ledger, channel, delivery))
    return finished
