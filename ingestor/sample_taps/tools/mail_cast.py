"""The fixture story's cast: the people, the practice's names and signature, every
Message-ID (see ``mail_story``), and ``story_mail``, which writes one of their mails."""

from __future__ import annotations

import base64
from typing import Any

from mail_shapes import Mail, digest

# --- the people and the mails ---------------------------------------------------------

ANNA = ("Anna Müller", "anna.mueller84@gmail.com")
JOERG = ("Jörg Groß", "joerg.gross@web.de")
LENA = ("Lena Schmidt", "lena.schmidt@posteo.de")
SABINE = ("Sabine Hoffmann", "s.hoffmann@t-online.de")
MEHMET = ("Mehmet Yılmaz", "mehmet.yilmaz@outlook.de")
TOBIAS = ("Tobias Becker", "t.becker@gmx.de")
KATRIN = ("Katrin Vogel", "katrin.vogel@mailbox.org")
MARIE = ("Marie Engel", "marie.engel@web.de")
FELIX = ("Felix Albrecht", "felix.albrecht@gmail.com")
JONAS = ("Jonas Fuchs", "jonas.fuchs@posteo.de")
SANDRA = ("Schäfer, Sandra", "schaefer.familie@t-online.de")
JANA = ("Jana Lorenz", "jana.lorenz@posteo.de")
LUKAS_S = ("Lukas Seidel", "lukas.seidel@gmx.de")
NEUMANN = ("Hausarztpraxis Dr. Neumann", "info@hausarzt-neumann.example")
BERATUNG = ("Psychosoziale Beratungsstelle Freiburg", "info@beratung-freiburg.example")
FORM = ("Kontaktformular praxis-weber.example", "noreply@praxis-weber.example")
PRAXIS_NAME = "Praxis Dr. Weber"
WEBER_NAME = "Weber, Julia"
KLEIN_NAME = "Klein, Miriam"
TEAM_NAME = "Team Praxis Dr. Weber"

PRAXIS_SIGNATURE = (
    "Mit freundlichen Grüßen\nPraxis Dr. Julia Weber\n"
    "Psychologische Psychotherapeutin (Verhaltenstherapie)\nMusterstraße 12, 79098 Freiburg"
)

MID = {
    "anna_inquiry": "<CAJ7xq3Z0k+pV9=f4sGJ2m_Q8bXyTt1vQ@mail.gmail.com>",
    "praxis_reply_anna": "<CAPw7xK2mWq0Hc9rT4vL1sN8eYbZ3uJ6dFg5aR2oPq7iXk0m@mail.gmail.com>",
    "anna_confirms": "<CAJ7xq3Zk1Lm8Np4Qr2St6Uv0Wx3Yz5Ab7Cd9Ef@mail.gmail.com>",
    "termine_confirm_anna": "<CAPw7xK3nTr5Wq1Hd8sU2vM9fYcA4kJ7eGh6bS3pQr8jYl1n@mail.gmail.com>",
    "joerg_inquiry": "<trinity-4c1d7e2a-9b3f-4e8a-a1c2-5d6e7f809a1b-1794256632154@3c-app-webde-bs12>",
    "praxis_reply_joerg": "<CAPw7xK4pUs6Xr2Ie9tV3wN0gZdB5lK8fHi7cT4qRs9kZm2o@mail.gmail.com>",
    "joerg_confirms": "<trinity-8e2f4a6b-1c3d-4e5f-9a7b-2c4d6e8f0a1b-1794305140873@3c-app-webde-bs12>",
    "termine_confirm_joerg": "<CAPw7xK5qVt7Ys3Jf0uW4xO1hAeC6mL9gIj8dU5rSt0lAn3p@mail.gmail.com>",
    "lena_inquiry": "<a3f1c0de-2b7e-4f5c-9d18-6e0b4c2a7f31@posteo.de>",
    "weber_reply_lena": "<DU2PR08MB10234A7C3E5F19B2D4C6E8A0B1C3D5E7F9A1B2@DU2PR08MB10234.eurprd08.prod.outlook.com>",
    "lena_followup": "<7b9e2d14-0c6a-4f3e-8a51-d2c4e6f8a0b3@posteo.de>",
    "sabine_question": "<1d8f3b5a-9c2e-4a7b-b6d0-3e5f7a9c1b2d@t-online.de>",
    "mehmet_inquiry": "<AS8P193MB1492C4E7A1F3B5D7E9A2C4E6F8A0B2D4@AS8P193MB1492.EURP193.PROD.OUTLOOK.COM>",
    "anmeldung_reply_mehmet": "<CAHs2mP8xYt4Qw7Er1Ty5Ui9Op3As6Df0Gh2Jk4Lz@mail.gmail.com>",
    "hausarzt_referral": "<20261112110519.4F2A.info@hausarzt-neumann.example>",
    "beratung_groups": "<6d2a1f0e8b7c4e9a.20261110143000@beratung-freiburg.example>",
    "tobias_no_subject": "<trinity-b7c3e9a1-5d2f-4a8e-b1c6-9e3d7f5a2c8b-1794500411225@3c-app-gmx-bap55>",
    "katrin_cancel": "<1248075316.48213.1794560553901@office.mailbox.org>",
    "praxis_reply_katrin": "<CAPw7xK6rWu8Zt4Kg1vX5yP2iBfD7nM0hJk9eV6sTu1mBo4q@mail.gmail.com>",
    "form_request": "<f3e2d1c0b9a8.1794786451@praxis-weber.example>",
    "marie_reschedule": "<trinity-0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d-1794333302117@3c-app-webde-bs34>",
    "termine_reply_marie": "<CAPw7xK7sXv9Au5Lh2wY6zQ3jCgE8oN1iKl0fW7tUv2nCp5r@mail.gmail.com>",
    "marie_ok": "<trinity-1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e-1794380768530@3c-app-webde-bs34>",
    "felix_inquiry": "<CAF3nB7xQ2mW9vR4tY6uL8pZ0aS1dE5gH3jK7oPq@mail.gmail.com>",
    "klein_reply_felix": "<AM9PR08MB6723B4D2F1E3A5C7B9D1F3A5C7E9B1D3F5A7@AM9PR08MB6723.eurprd08.prod.outlook.com>",
    "felix_ok": "<CAF3nB7xR3nX0wS5uZ7vM9qA1bT2eF6hI4kL8pQr@mail.gmail.com>",
    "team_forward_schaefer": "<DB9PR08MB7161E2A4C6B8D0F2A4C6E8B0D2F4A6C8E0B2@DB9PR08MB7161.eurprd08.prod.outlook.com>",
    "jonas_no_subject": "<c81e728d-9d4c-4f63-a7e1-2f0b5d9c3e84@posteo.de>",
    "klein_vacation": "<AM9PR08MB6723C5E3A2F4B6D8F0A2C4E6A8C0E2A4C6E8@AM9PR08MB6723.eurprd08.prod.outlook.com>",
    "schaefer_inquiry": "<9e107d9d372bb6826bd81d3542a419d6@t-online.de>",
    "jana_groups": "<5F2C9A1E-77B4-4D0E-9C3A-0B8E61F0A2D4@posteo.de>",
    "seidel_empty_subject": "<trinity-5d41402a-bc4b-4a76-b971-9d911017c592-1794380635441@3c-app-gmx-bs52>",
    "team_reply_seidel": "<DB9PR08MB7161F3B5D7C9E1A3B5D7F9C1E3A5B7D9F1C3@DB9PR08MB7161.eurprd08.prod.outlook.com>",
    "weber_to_team": "<DU2PR08MB10234B8D4F6A20C3E5D7F9B1C2D4E6F8A0B2C3@DU2PR08MB10234.eurprd08.prod.outlook.com>",
}


def refs(*keys: str) -> str:
    return " ".join(MID[k] for k in keys)


def outlook_extra(topic_key: str) -> list[tuple[str, str]]:
    return [
        ("Thread-Topic", topic_key),
        ("Thread-Index", base64.b64encode(digest("thread-index", topic_key, size=22)).decode()),
        ("Content-Language", "de-DE"),
        ("X-MS-Has-Attach", ""),
        ("X-MS-TNEF-Correlator", ""),
    ]


def story_mail(
    key: str, sender: tuple[str, str], *, from_header: str | None = None, reply_to: tuple[str, ...] = (), **fields: Any
) -> Mail:
    """The story's mail ``key`` with its Message-ID from ``MID``. ``sender`` is the decoded
    (name, address); the raw From header is ``name <address>`` unless the sender's mailer
    wrote it otherwise (``from_header``). ``reply_to`` is the thread the mail answers, oldest
    first: In-Reply-To names the last, References all of them."""
    name, address = sender
    if reply_to:
        fields.update(in_reply_to=MID[reply_to[-1]], references=refs(*reply_to))
    return Mail(
        key=key,
        from_header=from_header or f"{name} <{address}>",
        from_name=name,
        from_address=address,
        message_id=MID[key],
        **fields,
    )
