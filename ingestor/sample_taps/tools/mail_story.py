"""The fixture mailboxes' story: every mail, as data (the cast is in ``mail_cast``).

``make_fixtures.py`` places the mails in the six mailboxes and renders them. Everything
here is invented: people, addresses, ids. Dates lie in the week 2026-11-09 (Mon) ..
2026-11-15 (Sun), Europe/Berlin = CET (UTC+1), no DST change.
"""

from __future__ import annotations

from mail_shapes import Mail, crlf
from mail_story_exchange import exchange_side_mails
from mail_story_gmail_appointments import gmail_appointment_mails
from mail_story_gmail_inquiries import gmail_inquiry_mails


def mails() -> dict[str, Mail]:
    """Every mail by key: the Gmail side's (appointments, inquiries), then the Exchange side's."""
    found: dict[str, Mail] = {}
    for mail in [*gmail_appointment_mails(), *gmail_inquiry_mails(), *exchange_side_mails()]:
        mail.text = crlf(mail.text)
        found[mail.key] = mail
    return found
