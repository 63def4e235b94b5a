"""Invented example data in the warehouse's row shapes, for notebooks, demos and tests.

Every name, address and score here is made up; no real person is described. The
measurement rows (``example_data.json``) are what final_form scores and builds from
invented answers: ``reporter/tools/example_data.py`` writes them, and a test regenerates
and compares them (reporter itself never imports final_form).

``example_inputs()`` returns the keyword arguments of ``assemble_practice_report``.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

EXAMPLE_WEEK = "2026-W46"  # Mon 2026-11-09 .. Sun 2026-11-15

CLIENTS: dict[str, dict[str, str]] = {
    "c-001": {"name": "Anna Beispiel", "email": "anna.beispiel@example.org"},
    "c-002": {"name": "Bernd Muster", "email": "bernd.muster@example.org"},
    "c-003": {"name": "Clara Fiktiv", "email": "clara.fiktiv@example.org"},
    "c-004": {"name": "David Erfunden", "email": "david.erfunden@example.org"},
    "c-005": {"name": "Eva Platzhalter", "email": "eva.platzhalter@example.org"},
}


def example_inputs() -> dict[str, Any]:
    """``week``, ``inbox_rows``, ``timeseries_rows``, ``paired_rows`` and ``clients``."""
    rows = json.loads(files("reporter").joinpath("example_data.json").read_text(encoding="utf-8"))
    return {
        "week": EXAMPLE_WEEK,
        "inbox_rows": example_inbox_rows(),
        "timeseries_rows": rows["timeseries_rows"],
        "paired_rows": rows["paired_rows"],
        "clients": {k: dict(v) for k, v in CLIENTS.items()},
    }


def example_inbox_rows() -> list[dict[str, Any]]:
    """Conversations around the example week (all addresses on example.org/.net)."""

    def conv(
        key: str,
        name: str | None,
        email: str | None,
        subject: str,
        first_in: str | None,
        last_in: str | None,
        last_out: str | None,
        status: str,
        response: int | None,
        known: bool = False,
        count: int = 2,
    ) -> dict[str, Any]:
        times = [t for t in (first_in, last_in, last_out) if t]
        awaiting = last_in is not None and (last_out is None or last_in > last_out) and status != "internal"
        return {
            "conversation_key": key,
            "counterpart_email": email,
            "counterpart_name": name,
            "subject": subject,
            "mailboxes": ["praxis@example.net"],
            "message_count": count,
            "first_message_at": min(times),
            "last_message_at": max(times),
            "first_inbound_at": first_in,
            "last_inbound_at": last_in,
            "last_outbound_at": last_out,
            "awaiting_reply": awaiting,
            "first_response_minutes": response,
            "is_known_client": known,
            "status": status,
        }

    return [
        conv(
            "msg-0101",
            "Anna Beispiel",
            "anna.beispiel@example.org",
            "Termin nächste Woche",
            "2026-11-09T07:40:00Z",
            "2026-11-09T07:40:00Z",
            "2026-11-09T09:05:00Z",
            "client",
            85,
            known=True,
        ),
        conv(
            "msg-0102",
            "Felix Neumann",
            "felix.neumann@example.org",
            "Anfrage Psychotherapieplatz",
            "2026-11-09T19:12:00Z",
            "2026-11-10T08:30:00Z",
            "2026-11-10T07:55:00Z",
            "awaiting reply",
            763,
            count=3,
        ),
        conv(
            "msg-0103",
            "Greta Vogel",
            "greta.vogel@example.org",
            "Erstgespräch – freie Termine?",
            "2026-11-10T10:02:00Z",
            "2026-11-10T10:02:00Z",
            "2026-11-10T11:20:00Z",
            "in conversation",
            78,
        ),
        conv(
            "msg-0104",
            "Hannah Sommer",
            "hannah.sommer@example.org",
            "Kostenübernahme Privatversicherung",
            "2026-11-11T14:45:00Z",
            "2026-11-11T14:45:00Z",
            "2026-11-12T16:15:00Z",
            "in conversation",
            1530,
        ),
        conv(
            "msg-0105",
            "Ilse Winter",
            "ilse.winter@example.org",
            "Suche Therapieplatz (Angst)",
            "2026-11-13T17:30:00Z",
            "2026-11-13T17:30:00Z",
            None,
            "new inquiry",
            None,
            count=1,
        ),
        conv(
            "msg-0106",
            "David Erfunden",
            "david.erfunden@example.org",
            "Anmeldung",
            "2026-11-10T06:50:00Z",
            "2026-11-10T06:50:00Z",
            "2026-11-10T08:10:00Z",
            "client",
            80,
            known=True,
        ),
        conv(
            "msg-0107",
            "Jonas Falk",
            "jonas.falk@example.org",
            "Rückfrage Wartezeit",
            "2026-11-02T09:00:00Z",
            "2026-11-06T15:20:00Z",
            "2026-11-03T10:00:00Z",
            "awaiting reply",
            1500,
            count=3,
        ),
        conv(
            "msg-0108",
            None,
            "team@example.net",
            "Urlaubsvertretung Dezember",
            None,
            None,
            "2026-11-11T12:00:00Z",
            "internal",
            None,
            count=1,
        ),
        conv(
            "msg-0109",
            "Karla Berg",
            "karla.berg@example.org",
            "Anfrage Gruppentherapie",
            "2026-11-16T08:00:00Z",
            "2026-11-16T08:00:00Z",
            None,
            "new inquiry",
            None,
            count=1,
        ),
    ]
