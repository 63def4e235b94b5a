"""Job ``build_inbox_view``: rebuild the sales pipeline view from canonical e-mails,
when they or the contacts changed since the last build."""

from __future__ import annotations

from collections import Counter

from lorchestra.jobs import JobResult
from lorchestra.projections.freshness import inputs_fingerprint, is_current, mark_current
from lorchestra.projections.inbox import COLUMNS, build_inbox_rows
from lorchestra.stack_clients import JobContext

PROJECTION = ("inbox_view",)
BUILD_VERSION = 1  # raise when build_inbox_rows changes what it computes
UNUSED_FIELDS = ("body_text", "preview", "labels", "has_attachments")  # the bulk of each e-mail


def build_inbox_view(ctx: JobContext) -> JobResult:
    """Rebuild inbox_view: one row per conversation across all mailboxes."""
    practice = sorted(ctx.config.practice_addresses)
    fingerprint = inputs_fingerprint(ctx.store, ("email", "contact"), practice, BUILD_VERSION)
    if is_current(ctx.store, PROJECTION, fingerprint):
        ctx.logger.info("inbox_view is current: no e-mail or contact changed since it was built")
        return JobResult(counts={"emails": 0, "conversations": 0, "rebuilt": 0})
    emails = [payload for _, payload in ctx.store.read_objects("canonical_objects", "email",
                                                                drop_fields=UNUSED_FIELDS)]
    known_clients = {
        str(address).strip().lower()
        for _, contact in ctx.store.read_objects("canonical_objects", "contact")
        for address in _contact_addresses(contact)
    }
    rows = build_inbox_rows(emails, known_clients=known_clients, practice_addresses=practice)
    written = ctx.store.replace_table("inbox_view", COLUMNS, rows)
    mark_current(ctx.store, PROJECTION, fingerprint, run_id=ctx.run_id)
    statuses = Counter(row["status"] for row in rows)
    counts = {"emails": len(emails), "conversations": written, "rebuilt": 1,
              **{f"status_{k.replace(' ', '_')}": v for k, v in sorted(statuses.items())}}
    ctx.events.audit("projection.rebuilt", payload={"table": "inbox_view", **counts})
    return JobResult(counts=counts)


def _contact_addresses(contact: object) -> list[str]:
    if not isinstance(contact, dict):
        return []
    found = [contact.get("email")] + list(contact.get("emails") or [])
    return [a for a in found if isinstance(a, str) and "@" in a]
