"""Job ``build_inbox_view``: rebuild the sales pipeline view from canonical e-mails."""

from __future__ import annotations

from collections import Counter

from lorchestra.jobs import JobResult
from lorchestra.projections.inbox import COLUMNS, build_inbox_rows
from lorchestra.stack_clients import JobContext


def build_inbox_view(ctx: JobContext) -> JobResult:
    """Rebuild inbox_view: one row per conversation across all mailboxes."""
    emails = [payload for _, payload in ctx.store.read_objects("canonical_objects", "email")]
    known_clients = {
        str(address).strip().lower()
        for _, contact in ctx.store.read_objects("canonical_objects", "contact")
        for address in _contact_addresses(contact)
    }
    rows = build_inbox_rows(emails, known_clients=known_clients, practice_addresses=ctx.config.practice_addresses)
    written = ctx.store.replace_table("inbox_view", COLUMNS, rows)
    statuses = Counter(row["status"] for row in rows)
    counts = {"emails": len(emails), "conversations": written,
              **{f"status_{k.replace(' ', '_')}": v for k, v in sorted(statuses.items())}}
    ctx.events.audit("projection.rebuilt", payload={"table": "inbox_view", **counts})
    return JobResult(counts=counts)


def _contact_addresses(contact: object) -> list[str]:
    if not isinstance(contact, dict):
        return []
    found = [contact.get("email")] + list(contact.get("emails") or [])
    return [a for a in found if isinstance(a, str) and "@" in a]
