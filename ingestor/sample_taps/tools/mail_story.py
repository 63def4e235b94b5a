"""The fixture mailboxes' story: the people, their Message-IDs and every mail, as data.

``make_fixtures.py`` places the mails in the six mailboxes and renders them. Everything
here is invented: people, addresses, ids. Dates lie in the week 2026-11-09 (Mon) ..
2026-11-15 (Sun), Europe/Berlin = CET (UTC+1), no DST change.
"""

from __future__ import annotations

import base64


from mail_shapes import (
    ANMELDUNG,
    at,
    Attachment,
    b,
    crlf,
    digest,
    KLEIN,
    Mail,
    PRAXIS,
    q,
    TEAM,
    TERMINE,
    WEBER,
)


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


def mails() -> dict[str, Mail]:
    m: dict[str, Mail] = {}

    def add(mail: Mail) -> None:
        mail.text = crlf(mail.text)
        m[mail.key] = mail

    anna_text = """Guten Tag Frau Dr. Weber,

ich suche einen Therapieplatz und würde gern ein Erstgespräch vereinbaren.
Ich bin bei der TK versichert. Passt Ihnen Donnerstag, 12.11., vormittags?

Viele Grüße
Anna Müller"""
    add(Mail(
        key="anna_inquiry", sent=at(9, 10, 14, 52),
        from_header=f"{q('Anna Müller')} <{ANNA[1]}>", from_name=ANNA[0], from_address=ANNA[1],
        to_header=f'"Praxis Dr. Weber" <{PRAXIS}>, "Weber, Julia" <{WEBER}>',
        to=[(PRAXIS_NAME, PRAXIS), (WEBER_NAME, WEBER)],
        subject_header=q("Anfrage Therapieplatz – Erstgespräch"), subject="Anfrage Therapieplatz – Erstgespräch",
        date_header="Mon, 9 Nov 2026 10:14:52 +0100", message_id=MID["anna_inquiry"],
        text=anna_text, pad=False,
    ))
    add(Mail(
        key="praxis_reply_anna", sent=at(9, 12, 3, 17, 482),
        from_header=f"{PRAXIS_NAME} <{PRAXIS}>", from_name=PRAXIS_NAME, from_address=PRAXIS,
        to_header=f"{q('Müller, Anna')} <{ANNA[1]}>", to=[("Müller, Anna", ANNA[1])],
        subject_header=q("Re: Anfrage Therapieplatz – Erstgespräch"),
        subject="Re: Anfrage Therapieplatz – Erstgespräch",
        date_header="Mon, 9 Nov 2026 12:03:17 +0100", message_id=MID["praxis_reply_anna"],
        in_reply_to=MID["anna_inquiry"], references=refs("anna_inquiry"),
        text="""Liebe Frau Müller,

vielen Dank für Ihre Nachricht. Für ein Erstgespräch kann ich Ihnen Donnerstag, 12.11.2026, um 09:00 Uhr anbieten.
Bitte bringen Sie Ihre Versichertenkarte mit und geben Sie mir kurz Bescheid, ob der Termin passt.

""" + PRAXIS_SIGNATURE + """

Am Mo., 9. Nov. 2026 um 10:14 Uhr schrieb Anna Müller <anna.mueller84@gmail.com>:
> Guten Tag Frau Dr. Weber,
>
> ich suche einen Therapieplatz und würde gern ein Erstgespräch vereinbaren.
> Ich bin bei der TK versichert. Passt Ihnen Donnerstag, 12.11., vormittags?
>
> Viele Grüße
> Anna Müller""",
    ))
    add(Mail(
        key="anna_confirms", sent=at(9, 14, 40, 3),
        from_header=f"{q('Anna Müller')} <{ANNA[1]}>", from_name=ANNA[0], from_address=ANNA[1],
        to_header=f"{PRAXIS_NAME} <{PRAXIS}>", to=[(PRAXIS_NAME, PRAXIS)],
        subject_header=q("Re: Anfrage Therapieplatz – Erstgespräch"),
        subject="Re: Anfrage Therapieplatz – Erstgespräch",
        date_header="Mon, 9 Nov 2026 14:40:03 +0100 (CET)", message_id=MID["anna_confirms"],
        in_reply_to=MID["praxis_reply_anna"], references=refs("anna_inquiry", "praxis_reply_anna"),
        text="""Hallo Frau Dr. Weber,

der Donnerstag um 9 Uhr passt mir sehr gut, vielen Dank!

Viele Grüße
Anna Müller""",
    ))
    confirm_anna = """Guten Tag Frau Müller,

hiermit bestätigen wir Ihren Termin:

Erstgespräch bei Dr. Julia Weber
Donnerstag, 12.11.2026, 09:00 Uhr
Praxis Dr. Weber, Musterstraße 12, 79098 Freiburg, 2. OG

Falls Sie den Termin nicht wahrnehmen können, sagen Sie bitte spätestens 24 Stunden vorher ab.

Mit freundlichen Grüßen
Ihr Praxisteam"""
    confirm_anna_html = (
        '<div dir="ltr"><div>Guten Tag Frau Müller,</div><div><br></div>'
        "<div>hiermit bestätigen wir Ihren Termin:</div><div><br></div>"
        "<div><b>Erstgespräch bei Dr. Julia Weber</b><br>Donnerstag, 12.11.2026, 09:00 Uhr<br>"
        "Praxis Dr. Weber, Musterstraße 12, 79098 Freiburg, 2. OG</div><div><br></div>"
        "<div>Falls Sie den Termin nicht wahrnehmen können, sagen Sie bitte spätestens 24 Stunden vorher ab.</div>"
        "<div><br></div><div>Mit freundlichen Grüßen<br>Ihr Praxisteam</div>"
        '<div><img src="cid:ii_mh3k9x2a0" alt="Praxis Dr. Weber" width="180" height="48"></div></div>\r\n'
    )
    add(Mail(
        key="termine_confirm_anna", sent=at(10, 9, 10, 44, 90),
        from_header=f"{q('Praxis Dr. Weber – Termine')} <{TERMINE}>", from_name="Praxis Dr. Weber – Termine",
        from_address=TERMINE, to_header=ANNA[1], to=[("", ANNA[1])],
        subject_header=q("Terminbestätigung: Erstgespräch am Do., 12.11.2026, 09:00 Uhr"),
        subject="Terminbestätigung: Erstgespräch am Do., 12.11.2026, 09:00 Uhr",
        date_header="Tue, 10 Nov 2026 09:10:44 +0100", message_id=MID["termine_confirm_anna"],
        text=confirm_anna, html=confirm_anna_html, mime="related",
        attachments=[Attachment("logo.png", "image/png", 6214, inline_cid="ii_mh3k9x2a0")],
    ))
    add(Mail(
        key="joerg_inquiry", sent=at(9, 21, 37, 12),
        from_header=f"{JOERG[0]} <{JOERG[1]}>", from_name=JOERG[0], from_address=JOERG[1],
        to_header=PRAXIS, to=[("", PRAXIS)],
        subject_header="Anfrage für ein Erstgespräch – Verhaltenstherapie",
        subject="Anfrage für ein Erstgespräch – Verhaltenstherapie",
        date_header="Mon, 09 Nov 2026 21:37:12 +0100", message_id=MID["joerg_inquiry"],
        extra_headers=[("Importance", "normal"), ("Sensitivity", "Normal"), ("X-Priority", "3")],
        mime="plain", pad=False,
        text="""Sehr geehrte Frau Dr. Weber,

mein Hausarzt hat mir Ihre Praxis empfohlen. Ich würde gern ein Erstgespräch vereinbaren, da ich seit einigen Monaten sehr schlecht schlafe und mich bei der Arbeit kaum noch konzentrieren kann.
Ich bin privat versichert (Debeka) und zeitlich recht flexibel, am liebsten vormittags.

Mit freundlichen Grüßen
Jörg Groß""",
    ))
    add(Mail(
        key="praxis_reply_joerg", sent=at(10, 8, 52, 30, 117),
        from_header=f"{PRAXIS_NAME} <{PRAXIS}>", from_name=PRAXIS_NAME, from_address=PRAXIS,
        to_header=f"{q('Jörg Groß')} <{JOERG[1]}>", to=[JOERG],
        subject_header=q("Re: Anfrage für ein Erstgespräch – Verhaltenstherapie"),
        subject="Re: Anfrage für ein Erstgespräch – Verhaltenstherapie",
        date_header="Tue, 10 Nov 2026 08:52:30 +0100", message_id=MID["praxis_reply_joerg"],
        in_reply_to=MID["joerg_inquiry"], references=refs("joerg_inquiry"),
        text="""Sehr geehrter Herr Groß,

vielen Dank für Ihre Anfrage. Ich kann Ihnen ein Erstgespräch am Montag, 16.11.2026, um 10:00 Uhr anbieten. Bei Privatversicherten werden die Kosten in der Regel übernommen; bitte klären Sie das vorab kurz mit der Debeka.

Mit freundlichen Grüßen
Dr. Julia Weber
Psychologische Psychotherapeutin""",
    ))
    add(Mail(
        key="joerg_confirms", sent=at(10, 19, 5, 40),
        from_header=f"{JOERG[0]} <{JOERG[1]}>", from_name=JOERG[0], from_address=JOERG[1],
        to_header=f"{PRAXIS_NAME} <{PRAXIS}>", to=[(PRAXIS_NAME, PRAXIS)],
        subject_header="Aw: Re: Anfrage für ein Erstgespräch – Verhaltenstherapie",
        subject="Aw: Re: Anfrage für ein Erstgespräch – Verhaltenstherapie",
        date_header="Tue, 10 Nov 2026 19:05:40 +0100", message_id=MID["joerg_confirms"],
        references=refs("joerg_inquiry", "praxis_reply_joerg"),  # no In-Reply-To
        extra_headers=[("Importance", "normal"), ("Sensitivity", "Normal"), ("X-Priority", "3")],
        text="""Sehr geehrte Frau Dr. Weber,

der Termin am Montag um 10 Uhr passt mir. Die Debeka hat die Kostenübernahme für die probatorischen Sitzungen bestätigt.

Mit freundlichen Grüßen
Jörg Groß""",
    ))
    add(Mail(
        key="termine_confirm_joerg", sent=at(11, 8, 30, 5, 640),
        from_header=f"{q('Praxis Dr. Weber – Termine')} <{TERMINE}>", from_name="Praxis Dr. Weber – Termine",
        from_address=TERMINE, to_header=f"{q('Jörg Groß')} <{JOERG[1]}>", to=[JOERG],
        subject_header=q("Terminbestätigung: Erstgespräch am Mo., 16.11.2026, 10:00 Uhr"),
        subject="Terminbestätigung: Erstgespräch am Mo., 16.11.2026, 10:00 Uhr",
        date_header="Wed, 11 Nov 2026 08:30:05 +0100", message_id=MID["termine_confirm_joerg"], mime="plain",
        text="""Guten Tag Herr Groß,

hiermit bestätigen wir Ihren Termin:

Erstgespräch bei Dr. Julia Weber
Montag, 16.11.2026, 10:00 Uhr
Praxis Dr. Weber, Musterstraße 12, 79098 Freiburg, 2. OG

Falls Sie den Termin nicht wahrnehmen können, sagen Sie bitte spätestens 24 Stunden vorher ab.

Mit freundlichen Grüßen
Ihr Praxisteam""",
    ))
    lena_text = """Guten Morgen,

ich würde mich gern auf die Warteliste für einen Therapieplatz setzen lassen. Ich bin 34 Jahre alt, gesetzlich versichert (AOK) und hatte im Oktober bereits eine psychotherapeutische Sprechstunde bei einer Kollegin; empfohlen wurde eine Verhaltenstherapie.
Wie lange ist die Wartezeit bei Ihnen ungefähr?

Freundliche Grüße
Lena Schmidt"""
    add(Mail(
        key="lena_inquiry", sent=at(9, 7, 45, 21),
        from_header=f"{LENA[0]} <{LENA[1]}>", from_name=LENA[0], from_address=LENA[1],
        to_header=ANMELDUNG, to=[("", ANMELDUNG)],
        subject_header=q("Anfrage Psychotherapie – Warteliste"), subject="Anfrage Psychotherapie – Warteliste",
        date_header="Mon, 9 Nov 2026 07:45:21 +0100", message_id=MID["lena_inquiry"], text=lena_text,
    ))
    add(Mail(
        key="weber_reply_lena", sent=at(10, 13, 12, 8),
        from_header=f'"{WEBER_NAME}" <{WEBER}>', from_name=WEBER_NAME, from_address=WEBER,
        to_header=f"{LENA[0]} <{LENA[1]}>", to=[LENA], cc_header=ANMELDUNG, cc=[("", ANMELDUNG)],
        subject_header=b("AW: Anfrage Psychotherapie – Warteliste", "utf-8"),
        subject="AW: Anfrage Psychotherapie – Warteliste",
        date_header="Tue, 10 Nov 2026 12:12:08 +0000", message_id=MID["weber_reply_lena"],
        in_reply_to=MID["lena_inquiry"], references=refs("lena_inquiry"),
        extra_headers=outlook_extra("Anfrage Psychotherapie - Warteliste"),
        text="""Liebe Frau Schmidt,

vielen Dank für Ihre Anfrage. Ich habe Sie auf unsere Warteliste gesetzt. Die Wartezeit beträgt derzeit etwa drei bis vier Monate; sobald ein Platz frei wird, melde ich mich bei Ihnen.
Wenn Sie mir noch mitteilen, an welchen Wochentagen Sie Zeit haben, kann ich das bei der Planung berücksichtigen.

Herzliche Grüße
Julia Weber

Dr. Julia Weber
Psychologische Psychotherapeutin

Von: Lena Schmidt <lena.schmidt@posteo.de>
Gesendet: Montag, 9. November 2026 07:45
An: anmeldung@praxis-weber.example
Betreff: Anfrage Psychotherapie – Warteliste

Guten Morgen,

ich würde mich gern auf die Warteliste für einen Therapieplatz setzen lassen.""",
    ))
    add(Mail(
        key="lena_followup", sent=at(11, 8, 5, 50),
        from_header=f"{LENA[0]} <{LENA[1]}>", from_name=LENA[0], from_address=LENA[1],
        to_header=f'"{WEBER_NAME}" <{WEBER}>', to=[(WEBER_NAME, WEBER)], cc_header=ANMELDUNG, cc=[("", ANMELDUNG)],
        subject_header=q("Re: AW: Anfrage Psychotherapie – Warteliste"),
        subject="Re: AW: Anfrage Psychotherapie – Warteliste",
        date_header="Wed, 11 Nov 2026 08:05:50 +0100", message_id=MID["lena_followup"],
        in_reply_to=MID["weber_reply_lena"], references=refs("lena_inquiry", "weber_reply_lena"),
        text="""Liebe Frau Dr. Weber,

vielen Dank für die schnelle Rückmeldung! Ich habe dienstags und donnerstags ab 15 Uhr Zeit, montags auch vormittags.
Kann ich in der Wartezeit irgendetwas tun, zum Beispiel eine Gruppe besuchen?

Viele Grüße
Lena Schmidt""",
    ))
    add(Mail(
        key="sabine_question", sent=at(11, 9, 14, 52),
        from_header=f"{SABINE[0]} <{SABINE[1]}>", from_name=SABINE[0], from_address=SABINE[1],
        to_header=PRAXIS, to=[("", PRAXIS)], cc_header=ANMELDUNG, cc=[("", ANMELDUNG)],
        subject_header=b("Frage zur Kostenübernahme (Privatversicherung)"),
        subject="Frage zur Kostenübernahme (Privatversicherung)",
        date_header="11 Nov 2026 08:14:52 GMT", message_id=MID["sabine_question"], mime="mixed-alternative",
        attachments=[Attachment("Kostenzusage_Allianz.pdf", "application/pdf", 48213)],
        text="""Sehr geehrte Damen und Herren,

meine private Krankenversicherung (Allianz) hat mir die anliegende Kostenzusage für 20 Sitzungen Verhaltenstherapie geschickt. Reicht das für einen Therapieplatz bei Ihnen aus & muss ich die Rechnungen selbst einreichen?

Mit freundlichen Grüßen
Sabine Hoffmann""",
    ))
    add(Mail(
        key="mehmet_inquiry", sent=at(9, 18, 22, 40),
        from_header=f"{q('Mehmet Yılmaz')} <{MEHMET[1]}>", from_name=MEHMET[0], from_address=MEHMET[1],
        to_header=ANMELDUNG, to=[("", ANMELDUNG)],
        subject_header=f"{q('Wartezeit für einen ')} {q('Therapieplatz in Freiburg')}",
        subject="Wartezeit für einen Therapieplatz in Freiburg",
        date_header="Mon, 09 Nov 2026 17:22:40 -0000", message_id=MID["mehmet_inquiry"],
        text="""Hallo,

ich bin vor kurzem nach Freiburg gezogen und suche einen Therapieplatz. Meine bisherige Therapie in Köln musste ich wegen des Umzugs abbrechen.
Wie lange muss man bei Ihnen ungefähr warten? Ich bin bei der Barmer versichert.

Viele Grüße
Mehmet Yılmaz""",
    ))
    add(Mail(
        key="anmeldung_reply_mehmet", sent=at(12, 15, 10, 27, 905),
        from_header=f"{q('Praxis Dr. Weber – Anmeldung')} <{ANMELDUNG}>", from_name="Praxis Dr. Weber – Anmeldung",
        from_address=ANMELDUNG, to_header=f"{q('Mehmet Yılmaz')} <{MEHMET[1]}>", to=[MEHMET],
        subject_header=q("Re: Wartezeit für einen Therapieplatz in Freiburg"),
        subject="Re: Wartezeit für einen Therapieplatz in Freiburg",
        date_header="Thu, 12 Nov 2026 15:10:27 +0100", message_id=MID["anmeldung_reply_mehmet"],
        in_reply_to=MID["mehmet_inquiry"], references=refs("mehmet_inquiry"),
        text="""Hallo Herr Yılmaz,

entschuldigen Sie bitte die späte Antwort. Die Wartezeit für einen Therapieplatz beträgt bei uns derzeit etwa drei bis vier Monate. Da Sie eine laufende Therapie wegen eines Umzugs unterbrechen mussten, können wir Sie bevorzugt berücksichtigen. Bitte schicken Sie uns dazu einen kurzen Bericht Ihrer bisherigen Therapeutin.

Mit freundlichen Grüßen
Ihr Praxisteam Dr. Weber""",
    ))
    add(Mail(
        key="hausarzt_referral", sent=at(12, 11, 5, 19),
        from_header=f"{NEUMANN[0]} <{NEUMANN[1]}>", from_name=NEUMANN[0], from_address=NEUMANN[1],
        to_header=f"Weber, Julia <{WEBER}>, {ANMELDUNG}", to=[(WEBER_NAME, WEBER), ("", ANMELDUNG)],
        subject_header=q("Bitte um Rückruf – Überweisung zur Psychotherapie"),
        subject="Bitte um Rückruf – Überweisung zur Psychotherapie",
        date_header="Donnerstag, 12.11.2026 11:05", message_id=MID["hausarzt_referral"], mime="mixed-plain",
        extra_headers=[("X-Mailer", "PraxisNet Mail 3.2")],
        attachments=[Attachment("Ueberweisung_Psychotherapie.pdf", "application/pdf", 112640)],
        text="""Sehr geehrte Frau Kollegin,

anbei die Überweisung für einen gemeinsamen Patienten, der sich in den nächsten Tagen bei Ihnen melden wird. Er hat mich gebeten, den Kontakt herzustellen. Bei Rückfragen erreichen Sie mich in der Sprechstunde.

Mit kollegialen Grüßen
Dr. med. Thomas Neumann
Facharzt für Allgemeinmedizin""",
    ))
    add(Mail(
        key="beratung_groups", sent=at(10, 15, 30, 0),
        from_header=f"{BERATUNG[0]} <{BERATUNG[1]}>", from_name=BERATUNG[0], from_address=BERATUNG[1],
        to_header="undisclosed-recipients:;", to=[],
        subject_header=q("Freie Plätze: Gruppe Stressbewältigung ab 01.12.2026"),
        subject="Freie Plätze: Gruppe Stressbewältigung ab 01.12.2026",
        date_header="Tue, 10 Nov 2026 15:30:00 +0100", message_id=MID["beratung_groups"],
        text="""Liebe Kolleginnen und Kollegen,

in unserer Gruppe „Stressbewältigung im Alltag“ (8 Termine, donnerstags 18–19:30 Uhr) sind ab dem 01.12.2026 wieder Plätze frei. Anmeldungen nehmen wir telefonisch oder per E-Mail entgegen.
Wir freuen uns, wenn Sie die Information an Interessierte weitergeben.

Herzliche Grüße
Ihr Team der Psychosozialen Beratungsstelle""",
    ))
    add(Mail(
        key="tobias_no_subject", sent=at(12, 16, 20, 11),
        from_header=f"{TOBIAS[0]} <{TOBIAS[1]}>", from_name=TOBIAS[0], from_address=TOBIAS[1],
        to_header=PRAXIS, to=[("", PRAXIS)], subject_header=None, subject=None,
        date_header="Thu, 12 Nov 2026 07:20:11 -0800 (PST)", message_id=MID["tobias_no_subject"], mime="plain",
        text="""Hallo,

ich hab's schon zweimal telefonisch versucht, aber nur den Anrufbeantworter erreicht. Ich bin gerade noch beruflich in Kalifornien und ab Dezember wieder in Freiburg. Haben Sie ab Januar Kapazitäten für eine "Kurzzeittherapie"? Meine Krankenkasse ist die DAK.

Gruß
Tobias Becker""",
    ))
    add(Mail(
        key="katrin_cancel", sent=at(13, 10, 2, 33),
        from_header=f"{KATRIN[0]} <{KATRIN[1]}>", from_name=KATRIN[0], from_address=KATRIN[1],
        to_header=f'{PRAXIS}, Dr. "Jule" Weber <{WEBER}>', to=[("", PRAXIS), ("Dr. Jule Weber", WEBER)],
        subject_header=f"Terminabsage und {q('Grüße', 'ISO-8859-1')}", subject="Terminabsage und Grüße",
        date_header="Fri, 13 Nov 2026 10:02:33 MESZ", message_id=MID["katrin_cancel"], charset="ISO-8859-1",
        extra_headers=[("User-Agent", "Mozilla Thunderbird")],
        text="""Liebe Frau Dr. Weber,

ich muss unseren Termin am kommenden Dienstag leider absagen, weil ich auf Dienstreise in München bin. Können wir stattdessen den Donnerstag darauf nehmen?

Viele Grüße und ein schönes Wochenende
Katrin Vogel""",
    ))
    add(Mail(
        key="praxis_reply_katrin", sent=at(13, 11, 30, 9, 263),
        from_header=f"{PRAXIS_NAME} <{PRAXIS}>", from_name=PRAXIS_NAME, from_address=PRAXIS,
        to_header=KATRIN[1], to=[("", KATRIN[1])],
        subject_header=q("Re: Terminabsage und Grüße"), subject="Re: Terminabsage und Grüße",
        date_header="Fri, 13 Nov 2026 11:30:09 +0100", message_id=MID["praxis_reply_katrin"],
        in_reply_to=MID["katrin_cancel"], references=refs("katrin_cancel"),
        text="""Liebe Frau Vogel,

danke für Ihre Nachricht. Der Donnerstag, 19.11., um 16:00 Uhr ist frei; ich habe Sie eingetragen.

Herzliche Grüße und gute Reise
Julia Weber""",
    ))
    form_html = (
        "<html><body>\n<h2>Neue Terminanfrage</h2>\n<table>\n"
        "<tr><td>Name:</td><td>Lukas Brandt</td></tr>\n"
        "<tr><td>E-Mail:</td><td>lukas.brandt@gmx.de</td></tr>\n"
        "<tr><td>Telefon:</td><td>0761 555 0199</td></tr>\n"
        "<tr><td>Anliegen:</td><td>Erstgespräch &ndash; Prüfungsangst, möglichst abends</td></tr>\n"
        "<tr><td>Versicherung:</td><td>gesetzlich (TK)</td></tr>\n</table>\n"
        "<p>Gesendet über das Kontaktformular auf praxis-weber.example</p>\n</body></html>\n"
    )
    add(Mail(
        key="form_request", sent=at(15, 22, 47, 31),
        from_header=f"{FORM[0]} <{FORM[1]}>", from_name=FORM[0], from_address=FORM[1],
        to_header=TERMINE, to=[("", TERMINE)],
        subject_header=q("Neue Terminanfrage über praxis-weber.example"),
        subject="Neue Terminanfrage über praxis-weber.example",
        date_header="Sun, 15 Nov 2026 22:47:31 +0100", message_id=MID["form_request"], mime="html",
        extra_headers=[("Reply-To", "Lukas Brandt <lukas.brandt@gmx.de>")], html=form_html,
        text="""Neue Terminanfrage
Name: Lukas Brandt
E-Mail: lukas.brandt@gmx.de
Telefon: 0761 555 0199
Anliegen: Erstgespräch – Prüfungsangst, möglichst abends
Versicherung: gesetzlich (TK)
Gesendet über das Kontaktformular auf praxis-weber.example""",
    ))
    add(Mail(
        key="marie_reschedule", sent=at(10, 17, 55, 2),
        from_header=f"{MARIE[0]} <{MARIE[1]}>", from_name=MARIE[0], from_address=MARIE[1],
        to_header=TERMINE, to=[("", TERMINE)],
        subject_header="Terminverschiebung 17.11.", subject="Terminverschiebung 17.11.",
        date_header="Tue, 10 Nov 26 17:55:02 +0100", message_id=MID["marie_reschedule"], mime="plain",
        text="""Hallo liebes Praxisteam,

könnte ich meinen Termin am Dienstag, 17.11., um 14 Uhr auf eine andere Uhrzeit am selben Tag oder auf Mittwoch verschieben? Ich habe leider eine Prüfung bekommen.

Liebe Grüße
Marie Engel""",
    ))
    add(Mail(
        key="termine_reply_marie", sent=at(10, 18, 40, 15, 12),
        from_header=f"{q('Praxis Dr. Weber – Termine')} <{TERMINE}>", from_name="Praxis Dr. Weber – Termine",
        from_address=TERMINE, to_header=f"{MARIE[0]} <{MARIE[1]}>", to=[MARIE],
        subject_header="Re: Terminverschiebung 17.11.", subject="Re: Terminverschiebung 17.11.",
        date_header="Tue, 10 Nov 2026 18:40:15 +0100", message_id=MID["termine_reply_marie"],
        in_reply_to=MID["marie_reschedule"], references=refs("marie_reschedule"),
        text="""Hallo Frau Engel,

kein Problem: Wir können den Termin auf Mittwoch, 18.11., 14:00 Uhr verschieben. Bitte bestätigen Sie kurz.

Viele Grüße
Ihr Praxisteam""",
    ))
    add(Mail(
        key="marie_ok", sent=at(11, 7, 12, 48),
        from_header=f"{MARIE[0]} <{MARIE[1]}>", from_name=MARIE[0], from_address=MARIE[1],
        to_header=f"{q('Praxis Dr. Weber – Termine')} <{TERMINE}>", to=[("Praxis Dr. Weber – Termine", TERMINE)],
        subject_header="Aw: Re: Terminverschiebung 17.11.", subject="Aw: Re: Terminverschiebung 17.11.",
        date_header="Wed, 11 Nov 2026 07:12:48 +0100", message_id=MID["marie_ok"], mime="plain",
        in_reply_to=MID["termine_reply_marie"], references=refs("marie_reschedule", "termine_reply_marie"),
        text="""Passt perfekt, vielen Dank! 😊

Marie Engel""",
    ))
    # --- Exchange-side mails ---
    add(Mail(
        key="felix_inquiry", sent=at(9, 11, 30, 27),
        from_header=f"{FELIX[0]} <{FELIX[1]}>", from_name=FELIX[0], from_address=FELIX[1],
        to_header=KLEIN, to=[("", KLEIN)],
        subject_header="Anfrage Erstgespräch (Empfehlung von Dr. Weber)",
        subject="Anfrage Erstgespräch (Empfehlung von Dr. Weber)",
        date_header="Mon, 9 Nov 2026 11:30:27 +0100", message_id=MID["felix_inquiry"],
        text="""Sehr geehrte Frau Klein,

Frau Dr. Weber hat mir empfohlen, mich bei Ihnen zu melden, da bei ihr derzeit kein Platz frei ist. Ich würde gern ein Erstgespräch vereinbaren. Ich bin bei der Techniker Krankenkasse versichert.

Mit freundlichen Grüßen
Felix Albrecht""",
    ))
    add(Mail(
        key="klein_reply_felix", sent=at(9, 16, 5, 44),
        from_header=f'"{KLEIN_NAME}" <{KLEIN}>', from_name=KLEIN_NAME, from_address=KLEIN,
        to_header=f"{FELIX[0]} <{FELIX[1]}>", to=[FELIX],
        subject_header=q("AW: Anfrage Erstgespräch (Empfehlung von Dr. Weber)", "utf-8"),
        subject="AW: Anfrage Erstgespräch (Empfehlung von Dr. Weber)",
        date_header="Mon, 9 Nov 2026 15:05:44 +0000", message_id=MID["klein_reply_felix"],
        in_reply_to=MID["felix_inquiry"], references=refs("felix_inquiry"),
        text="""Sehr geehrter Herr Albrecht,

gern biete ich Ihnen ein Erstgespräch am Mittwoch, 18.11.2026, um 11:00 Uhr an.

Mit freundlichen Grüßen
Miriam Klein
Psychologische Psychotherapeutin

Von: Felix Albrecht <felix.albrecht@gmail.com>
Gesendet: Montag, 9. November 2026 11:30
An: m.klein@praxis-weber.example
Betreff: Anfrage Erstgespräch (Empfehlung von Dr. Weber)

Sehr geehrte Frau Klein,

Frau Dr. Weber hat mir empfohlen, mich bei Ihnen zu melden, da bei ihr derzeit kein Platz frei ist.""",
    ))
    add(Mail(
        key="felix_ok", sent=at(10, 9, 20, 13),
        from_header=f"{FELIX[0]} <{FELIX[1]}>", from_name=FELIX[0], from_address=FELIX[1],
        to_header=f'"{KLEIN_NAME}" <{KLEIN}>', to=[(KLEIN_NAME, KLEIN)],
        subject_header=q("Re: AW: Anfrage Erstgespräch (Empfehlung von Dr. Weber)"),
        subject="Re: AW: Anfrage Erstgespräch (Empfehlung von Dr. Weber)",
        date_header="Tue, 10 Nov 2026 09:20:13 +0100", message_id=MID["felix_ok"],
        in_reply_to=MID["klein_reply_felix"], references=refs("felix_inquiry", "klein_reply_felix"),
        text="""Sehr geehrte Frau Klein,

vielen Dank, der 18.11. um 11 Uhr passt mir gut 😊
Bis dann!

Felix Albrecht""",
    ))
    add(Mail(
        key="schaefer_inquiry", sent=at(10, 16, 45, 12),
        from_header=f"{q('Schäfer, Sandra')} <{SANDRA[1]}>", from_name=SANDRA[0], from_address=SANDRA[1],
        to_header=TEAM, to=[("", TEAM)],
        subject_header="Anfrage Paartherapie", subject="Anfrage Paartherapie",
        date_header="Tue, 10 Nov 2026 16:45:12 +0100", message_id=MID["schaefer_inquiry"],
        text="""Guten Tag,

mein Mann und ich suchen einen Termin für eine Paartherapie. Seit der Geburt unseres zweiten Kindes haben wir viele Konflikte und würden gern professionelle Unterstützung in Anspruch nehmen. Abends nach 18 Uhr wäre ideal.

Mit freundlichen Grüßen
Sandra Schäfer""",
    ))
    add(Mail(
        key="team_forward_schaefer", sent=at(11, 10, 2, 37),
        from_header=f'"{TEAM_NAME}" <{TEAM}>', from_name=TEAM_NAME, from_address=TEAM,
        to_header=f'"{KLEIN_NAME}" <{KLEIN}>', to=[(KLEIN_NAME, KLEIN)],
        subject_header="WG: Anfrage Paartherapie", subject="WG: Anfrage Paartherapie",
        date_header="Wed, 11 Nov 2026 09:02:37 +0000", message_id=MID["team_forward_schaefer"],
        extra_headers=outlook_extra("Anfrage Paartherapie"),
        text="""Hallo Miriam,

kannst Du die Anfrage von Familie Schäfer übernehmen? Paartherapie machst ja Du.

Viele Grüße
Petra

Von: Schäfer, Sandra <schaefer.familie@t-online.de>
Gesendet: Dienstag, 10. November 2026 16:45
An: team@praxis-weber.example
Betreff: Anfrage Paartherapie

Guten Tag,

mein Mann und ich suchen einen Termin für eine Paartherapie.""",
    ))
    add(Mail(
        key="jonas_no_subject", sent=at(14, 20, 14, 9),
        from_header=f"{JONAS[0]} <{JONAS[1]}>", from_name=JONAS[0], from_address=JONAS[1],
        to_header=KLEIN, to=[("", KLEIN)], subject_header=None, subject=None,
        date_header="Sat, 14 Nov 2026 20:14:09 +0100", message_id=MID["jonas_no_subject"],
        text="""Hallo Frau Klein,

ich schaffe es am Montag leider nicht zu unserer Sitzung, ich liege mit Grippe im Bett. Können wir den Termin verschieben?

Viele Grüße
Jonas Fuchs""",
    ))
    add(Mail(
        key="klein_vacation", sent=at(13, 12, 0, 31),
        from_header=f'"{KLEIN_NAME}" <{KLEIN}>', from_name=KLEIN_NAME, from_address=KLEIN,
        to_header=TEAM, to=[("", TEAM)],
        subject_header=q("Urlaubsvertretung 23.–27.11.", "utf-8"), subject="Urlaubsvertretung 23.–27.11.",
        date_header="Fri, 13 Nov 2026 11:00:31 +0000", message_id=MID["klein_vacation"],
        text="""Hallo zusammen,

vom 23. bis 27.11. bin ich im Urlaub. Dringende Anfragen meiner Klientinnen und Klienten übernimmt bitte Julia; alles andere hat Zeit bis zum 30.11.

Danke und viele Grüße
Miriam""",
    ))
    add(Mail(
        key="jana_groups", sent=at(11, 19, 30, 44),
        from_header=f"{JANA[0]} <{JANA[1]}>", from_name=JANA[0], from_address=JANA[1],
        to_header=TEAM, to=[("", TEAM)], cc_header=ANMELDUNG, cc=[("", ANMELDUNG)],
        subject_header="Anfrage Gruppentherapie", subject="Anfrage Gruppentherapie",
        date_header="Wed, 11 Nov 2026 19:30:44 +0100", message_id=MID["jana_groups"],
        message_id_header="Message-Id", graph_message_id="5f2c9a1e-77b4-4d0e-9c3a-0b8e61f0a2d4@posteo.de",
        text="""Hallo,

bieten Sie auch Gruppentherapie an? Ich habe gelesen, dass das bei sozialer Angst gut helfen kann, und würde mich gern informieren.

Viele Grüße
Jana Lorenz""",
    ))
    add(Mail(
        key="seidel_empty_subject", sent=at(12, 8, 3, 55),
        from_header=f"{LUKAS_S[0]} <{LUKAS_S[1]}>", from_name=LUKAS_S[0], from_address=LUKAS_S[1],
        to_header=TEAM, to=[("", TEAM)], subject_header="", subject="",
        date_header="Thu, 12 Nov 2026 08:03:55 +0100", message_id=MID["seidel_empty_subject"], mime="plain",
        text="""Guten Morgen,

bitte rufen Sie mich wegen meines Termins nächste Woche zurück, ich bin unter 0761 555 0173 erreichbar.

Danke
Lukas Seidel""",
    ))
    add(Mail(
        key="team_reply_seidel", sent=at(12, 10, 20, 2),
        from_header=f'"{TEAM_NAME}" <{TEAM}>', from_name=TEAM_NAME, from_address=TEAM,
        to_header=f"{LUKAS_S[0]} <{LUKAS_S[1]}>", to=[LUKAS_S],
        subject_header="AW: ", subject="AW: ",
        date_header="Thu, 12 Nov 2026 09:20:02 +0000", message_id=MID["team_reply_seidel"],
        in_reply_to=MID["seidel_empty_subject"], references=refs("seidel_empty_subject"),
        text="""Guten Tag Herr Seidel,

wir haben versucht, Sie anzurufen, und Ihnen auf die Mailbox gesprochen. Ihr Termin am Dienstag, 17.11., um 15:00 Uhr bleibt bestehen.

Viele Grüße
Petra Sommer
Praxismanagement""",
    ))
    add(Mail(
        key="weber_to_team", sent=at(11, 12, 30, 10),
        from_header=f'"{WEBER_NAME}" <{WEBER}>', from_name=WEBER_NAME, from_address=WEBER,
        to_header=TEAM, to=[("", TEAM)],
        subject_header=q("Bitte eintragen: Erstgespräch Groß, Mo 16.11., 10:00", "utf-8"),
        subject="Bitte eintragen: Erstgespräch Groß, Mo 16.11., 10:00",
        date_header="Wed, 11 Nov 2026 11:30:10 +0000", message_id=MID["weber_to_team"],
        text="""Hallo Petra,

bitte trag Herrn Groß für Montag, 16.11., 10:00 Uhr als Erstgespräch ein (privat versichert, Debeka). Die Terminbestätigung hat er schon.

Danke!
Julia""",
    ))
    return m
