"""The fixture mailboxes' story: every mail, as data (the cast is in ``mail_cast``).

``make_fixtures.py`` places the mails in the six mailboxes and renders them. Everything
here is invented: people, addresses, ids. Dates lie in the week 2026-11-09 (Mon) ..
2026-11-15 (Sun), Europe/Berlin = CET (UTC+1), no DST change.
"""

from __future__ import annotations

from mail_shapes import Mail, crlf
from mail_story_exchange import exchange_side_mails
from mail_story_gmail import gmail_side_mails


def mails() -> dict[str, Mail]:
    """Every mail by key, Gmail-side first (the order the fixtures are written in)."""
    found: dict[str, Mail] = {}
    for mail in [*gmail_side_mails(), *exchange_side_mails()]:
        mail.text = crlf(mail.text)
        found[mail.key] = mail
    return found
