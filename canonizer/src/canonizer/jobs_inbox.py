"""Job adapter ``build_inbox_view``: the sales pipeline view from canonical e-mails
(the rows: :mod:`canonizer.inbox`).

The first build (and any build after the contacts, the practice addresses or this
code changed) reads every e-mail, in pages of whole conversations
(:mod:`canonizer.inbox_pages`), so it never holds the history. Later builds read only the e-mails written since the
last one and rebuild only the conversations those join, found through the member
index ``inbox_view_members``; both tables change in one transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from canonizer.inbox import COLUMNS as VIEW_COLUMNS
from canonizer.inbox import MEMBER_COLUMNS as INDEX_COLUMNS
from canonizer.inbox import InboxBuild, member_keys
from canonizer.inbox_pages import conversation_pages
from lorchestra.jobkit import (
    Column,
    JobContext,
    JobResult,
    RowsChange,
    basis_fingerprint,
    build_projection,
    spilled_rows,
)

VIEW, MEMBERS = "inbox_view", "inbox_view_members"
BUILD_VERSION = 2  # raise when InboxBuild changes what it computes: the next build is a full one
UNUSED_FIELDS = ("body_text", "preview", "labels", "has_attachments")  # the bulk of each e-mail
# every field but inbox_pages.KEY_FIELDS: what the scan that groups the e-mails into conversations leaves out
NOT_KEY_FIELDS = (*UNUSED_FIELDS, "message_id", "from", "to", "cc", "subject", "sent_at", "sent_at_source", "direction")
COLUMNS = [Column(*column) for column in VIEW_COLUMNS]
MEMBER_COLUMNS = [Column(*column) for column in INDEX_COLUMNS]


def build_inbox_view(ctx: JobContext) -> JobResult:
    """Build inbox_view: one row per conversation across all mailboxes (only what new e-mails touch)."""
    practice = sorted(ctx.config.practice_addresses)
    return build_projection(
        ctx,
        (VIEW, MEMBERS),
        views=(VIEW,),
        basis=basis_fingerprint(ctx.store, ("contact",), practice, BUILD_VERSION),
        object_type="email",
        rebuild=lambda: _rebuild(ctx, practice),
        update=lambda since: _update(ctx, practice, since),
        idle_counts={"emails": 0, "conversations": 0, "full_rebuild": 0},
    )


def _rebuild(ctx: JobContext, practice: list[str]) -> dict[str, int]:
    clients = _known_clients(ctx)
    statuses: Counter[str] = Counter()
    emails = 0

    def read(**filters: Any) -> Iterable[tuple[str, Any]]:
        return ctx.read_objects("canonical_objects", "email", **filters)

    with spilled_rows(ctx.home.tmp_dir) as members:

        def rows() -> Iterator[dict[str, Any]]:
            nonlocal emails
            for page in conversation_pages(
                lambda: read(drop_fields=NOT_KEY_FIELDS),
                lambda: read(drop_fields=UNUSED_FIELDS),
                lambda keys: read(keys=keys, drop_fields=UNUSED_FIELDS),
            ):
                build = InboxBuild(page, known_clients=clients, practice_addresses=practice)
                yield from _counted(build.rows(), statuses)
                members.write(build.members())
                emails += build.emails

        written = ctx.store.replace_table(VIEW, COLUMNS, rows(), cluster_by=("conversation_key",))
        ctx.store.replace_table(MEMBERS, MEMBER_COLUMNS, members.read(), cluster_by=("member_key",))
    return {"emails": emails, "conversations": written, "full_rebuild": 1, **_status_counts(statuses)}


def _update(ctx: JobContext, practice: list[str], since: Any) -> dict[str, int]:
    """Rebuild the conversations that the e-mails written since ``since`` join."""
    changed = list(ctx.read_objects("canonical_objects", "email", updated_after=since, drop_fields=UNUSED_FIELDS))
    keys = sorted({key for _, email in changed for key in member_keys(email)})
    affected = sorted(
        {r["conversation_key"] for r in ctx.store.lookup_rows(MEMBERS, "member_key", keys, ["conversation_key"])}
    )
    changed_keys = {key for key, _ in changed}
    earlier = sorted(
        {r["email_key"] for r in ctx.store.lookup_rows(MEMBERS, "conversation_key", affected, ["email_key"])}
        - changed_keys
    )
    emails = list(ctx.read_objects("canonical_objects", "email", keys=earlier, drop_fields=UNUSED_FIELDS))
    build = InboxBuild(emails + changed, known_clients=_known_clients(ctx), practice_addresses=practice)
    statuses: Counter[str] = Counter()
    rows = list(_counted(build.rows(), statuses))
    ctx.store.replace_rows(
        [
            RowsChange(VIEW, COLUMNS, "conversation_key", affected, rows),
            RowsChange(MEMBERS, MEMBER_COLUMNS, "conversation_key", affected, list(build.members())),
        ]
    )
    return {"emails": build.emails, "conversations": len(rows), "full_rebuild": 0, **_status_counts(statuses)}


def _known_clients(ctx: JobContext) -> set[str]:
    return {
        str(address).strip().lower()
        for _, contact in ctx.read_objects("canonical_objects", "contact")
        for address in _contact_addresses(contact)
    }


def _counted(rows: Iterable[dict[str, Any]], statuses: Counter[str]) -> Iterator[dict[str, Any]]:
    for row in rows:
        statuses[str(row["status"])] += 1
        yield row


def _status_counts(statuses: Counter[str]) -> dict[str, int]:
    return {f"status_{k.replace(' ', '_')}": v for k, v in sorted(statuses.items())}


def _contact_addresses(contact: object) -> list[str]:
    if not isinstance(contact, dict):
        return []
    found = [contact.get("email")] + list(contact.get("emails") or [])
    return [a for a in found if isinstance(a, str) and "@" in a]
