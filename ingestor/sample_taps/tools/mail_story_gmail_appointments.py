"""The mails of the story that reach the practice's Gmail mailboxes first and are about
appointments: Anna's and Jörg's first appointments, Katrin's cancellation, the web form's
request and Marie's rescheduling. The inquiries are in ``mail_story_gmail_inquiries``."""

from __future__ import annotations

from mail_cast import (
    ANNA,
    FORM,
    JOERG,
    KATRIN,
    MARIE,
    PRAXIS_NAME,
    PRAXIS_SIGNATURE,
    WEBER_NAME,
    refs,
    story_mail,
)
from mail_shapes import (
    PRAXIS,
    TERMINE,
    WEBER,
    Attachment,
    Mail,
    at,
    q,
)


def gmail_appointment_mails() -> list[Mail]:
    mails: list[Mail] = []
    add = mails.append

    anna_text = """Guten Tag Frau Dr. Weber,

ich suche einen Therapieplatz und würde gern ein Erstgespräch vereinbaren.
Ich bin bei der TK versichert. Passt Ihnen Donnerstag, 12.11., vormittags?

Viele Grüße
Anna Müller"""
    add(
        story_mail(
            "anna_inquiry",
            ANNA,
            sent=at(9, 10, 14, 52),
            from_header=f"{q('Anna Müller')} <{ANNA[1]}>",
            to_header=f'"Praxis Dr. Weber" <{PRAXIS}>, "Weber, Julia" <{WEBER}>',
            to=[(PRAXIS_NAME, PRAXIS), (WEBER_NAME, WEBER)],
            subject_header=q("Anfrage Therapieplatz – Erstgespräch"),
            subject="Anfrage Therapieplatz – Erstgespräch",
            date_header="Mon, 9 Nov 2026 10:14:52 +0100",
            text=anna_text,
            pad=False,
        )
    )
    add(
        story_mail(
            "praxis_reply_anna",
            (PRAXIS_NAME, PRAXIS),
            sent=at(9, 12, 3, 17, 482),
            to_header=f"{q('Müller, Anna')} <{ANNA[1]}>",
            to=[("Müller, Anna", ANNA[1])],
            subject_header=q("Re: Anfrage Therapieplatz – Erstgespräch"),
            subject="Re: Anfrage Therapieplatz – Erstgespräch",
            date_header="Mon, 9 Nov 2026 12:03:17 +0100",
            reply_to=("anna_inquiry",),
            text="""Liebe Frau Müller,

vielen Dank für Ihre Nachricht. Für ein Erstgespräch kann ich Ihnen Donnerstag, 12.11.2026, um 09:00 Uhr anbieten.
Bitte bringen Sie Ihre Versichertenkarte mit und geben Sie mir kurz Bescheid, ob der Termin passt.

"""
            + PRAXIS_SIGNATURE
            + """

Am Mo., 9. Nov. 2026 um 10:14 Uhr schrieb Anna Müller <anna.mueller84@gmail.com>:
> Guten Tag Frau Dr. Weber,
>
> ich suche einen Therapieplatz und würde gern ein Erstgespräch vereinbaren.
> Ich bin bei der TK versichert. Passt Ihnen Donnerstag, 12.11., vormittags?
>
> Viele Grüße
> Anna Müller""",
        )
    )
    add(
        story_mail(
            "anna_confirms",
            ANNA,
            sent=at(9, 14, 40, 3),
            from_header=f"{q('Anna Müller')} <{ANNA[1]}>",
            to_header=f"{PRAXIS_NAME} <{PRAXIS}>",
            to=[(PRAXIS_NAME, PRAXIS)],
            subject_header=q("Re: Anfrage Therapieplatz – Erstgespräch"),
            subject="Re: Anfrage Therapieplatz – Erstgespräch",
            date_header="Mon, 9 Nov 2026 14:40:03 +0100 (CET)",
            reply_to=("anna_inquiry", "praxis_reply_anna"),
            text="""Hallo Frau Dr. Weber,

der Donnerstag um 9 Uhr passt mir sehr gut, vielen Dank!

Viele Grüße
Anna Müller""",
        )
    )
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
    add(
        story_mail(
            "termine_confirm_anna",
            ("Praxis Dr. Weber – Termine", TERMINE),
            sent=at(10, 9, 10, 44, 90),
            from_header=f"{q('Praxis Dr. Weber – Termine')} <{TERMINE}>",
            to_header=ANNA[1],
            to=[("", ANNA[1])],
            subject_header=q("Terminbestätigung: Erstgespräch am Do., 12.11.2026, 09:00 Uhr"),
            subject="Terminbestätigung: Erstgespräch am Do., 12.11.2026, 09:00 Uhr",
            date_header="Tue, 10 Nov 2026 09:10:44 +0100",
            text=confirm_anna,
            html=confirm_anna_html,
            mime="related",
            attachments=[Attachment("logo.png", "image/png", 6214, inline_cid="ii_mh3k9x2a0")],
        )
    )
    add(
        story_mail(
            "joerg_inquiry",
            JOERG,
            sent=at(9, 21, 37, 12),
            to_header=PRAXIS,
            to=[("", PRAXIS)],
            subject_header="Anfrage für ein Erstgespräch – Verhaltenstherapie",
            subject="Anfrage für ein Erstgespräch – Verhaltenstherapie",
            date_header="Mon, 09 Nov 2026 21:37:12 +0100",
            extra_headers=[("Importance", "normal"), ("Sensitivity", "Normal"), ("X-Priority", "3")],
            mime="plain",
            pad=False,
            text="""Sehr geehrte Frau Dr. Weber,

mein Hausarzt hat mir Ihre Praxis empfohlen. Ich würde gern ein Erstgespräch vereinbaren, da ich seit einigen Monaten sehr schlecht schlafe und mich bei der Arbeit kaum noch konzentrieren kann.
Ich bin privat versichert (Debeka) und zeitlich recht flexibel, am liebsten vormittags.

Mit freundlichen Grüßen
Jörg Groß""",
        )
    )
    add(
        story_mail(
            "praxis_reply_joerg",
            (PRAXIS_NAME, PRAXIS),
            sent=at(10, 8, 52, 30, 117),
            to_header=f"{q('Jörg Groß')} <{JOERG[1]}>",
            to=[JOERG],
            subject_header=q("Re: Anfrage für ein Erstgespräch – Verhaltenstherapie"),
            subject="Re: Anfrage für ein Erstgespräch – Verhaltenstherapie",
            date_header="Tue, 10 Nov 2026 08:52:30 +0100",
            reply_to=("joerg_inquiry",),
            text="""Sehr geehrter Herr Groß,

vielen Dank für Ihre Anfrage. Ich kann Ihnen ein Erstgespräch am Montag, 16.11.2026, um 10:00 Uhr anbieten. Bei Privatversicherten werden die Kosten in der Regel übernommen; bitte klären Sie das vorab kurz mit der Debeka.

Mit freundlichen Grüßen
Dr. Julia Weber
Psychologische Psychotherapeutin""",
        )
    )
    add(
        story_mail(
            "joerg_confirms",
            JOERG,
            sent=at(10, 19, 5, 40),
            to_header=f"{PRAXIS_NAME} <{PRAXIS}>",
            to=[(PRAXIS_NAME, PRAXIS)],
            subject_header="Aw: Re: Anfrage für ein Erstgespräch – Verhaltenstherapie",
            subject="Aw: Re: Anfrage für ein Erstgespräch – Verhaltenstherapie",
            date_header="Tue, 10 Nov 2026 19:05:40 +0100",
            references=refs("joerg_inquiry", "praxis_reply_joerg"),
            extra_headers=[("Importance", "normal"), ("Sensitivity", "Normal"), ("X-Priority", "3")],
            text="""Sehr geehrte Frau Dr. Weber,

der Termin am Montag um 10 Uhr passt mir. Die Debeka hat die Kostenübernahme für die probatorischen Sitzungen bestätigt.

Mit freundlichen Grüßen
Jörg Groß""",
        )
    )
    add(
        story_mail(
            "termine_confirm_joerg",
            ("Praxis Dr. Weber – Termine", TERMINE),
            sent=at(11, 8, 30, 5, 640),
            from_header=f"{q('Praxis Dr. Weber – Termine')} <{TERMINE}>",
            to_header=f"{q('Jörg Groß')} <{JOERG[1]}>",
            to=[JOERG],
            subject_header=q("Terminbestätigung: Erstgespräch am Mo., 16.11.2026, 10:00 Uhr"),
            subject="Terminbestätigung: Erstgespräch am Mo., 16.11.2026, 10:00 Uhr",
            date_header="Wed, 11 Nov 2026 08:30:05 +0100",
            mime="plain",
            text="""Guten Tag Herr Groß,

hiermit bestätigen wir Ihren Termin:

Erstgespräch bei Dr. Julia Weber
Montag, 16.11.2026, 10:00 Uhr
Praxis Dr. Weber, Musterstraße 12, 79098 Freiburg, 2. OG

Falls Sie den Termin nicht wahrnehmen können, sagen Sie bitte spätestens 24 Stunden vorher ab.

Mit freundlichen Grüßen
Ihr Praxisteam""",
        )
    )
    add(
        story_mail(
            "katrin_cancel",
            KATRIN,
            sent=at(13, 10, 2, 33),
            to_header=f'{PRAXIS}, Dr. "Jule" Weber <{WEBER}>',
            to=[("", PRAXIS), ("Dr. Jule Weber", WEBER)],
            subject_header=f"Terminabsage und {q('Grüße', 'ISO-8859-1')}",
            subject="Terminabsage und Grüße",
            date_header="Fri, 13 Nov 2026 10:02:33 MESZ",
            charset="ISO-8859-1",
            extra_headers=[("User-Agent", "Mozilla Thunderbird")],
            text="""Liebe Frau Dr. Weber,

ich muss unseren Termin am kommenden Dienstag leider absagen, weil ich auf Dienstreise in München bin. Können wir stattdessen den Donnerstag darauf nehmen?

Viele Grüße und ein schönes Wochenende
Katrin Vogel""",
        )
    )
    add(
        story_mail(
            "praxis_reply_katrin",
            (PRAXIS_NAME, PRAXIS),
            sent=at(13, 11, 30, 9, 263),
            to_header=KATRIN[1],
            to=[("", KATRIN[1])],
            subject_header=q("Re: Terminabsage und Grüße"),
            subject="Re: Terminabsage und Grüße",
            date_header="Fri, 13 Nov 2026 11:30:09 +0100",
            reply_to=("katrin_cancel",),
            text="""Liebe Frau Vogel,

danke für Ihre Nachricht. Der Donnerstag, 19.11., um 16:00 Uhr ist frei; ich habe Sie eingetragen.

Herzliche Grüße und gute Reise
Julia Weber""",
        )
    )
    form_html = (
        "<html><body>\n<h2>Neue Terminanfrage</h2>\n<table>\n"
        "<tr><td>Name:</td><td>Lukas Brandt</td></tr>\n"
        "<tr><td>E-Mail:</td><td>lukas.brandt@gmx.de</td></tr>\n"
        "<tr><td>Telefon:</td><td>0761 555 0199</td></tr>\n"
        "<tr><td>Anliegen:</td><td>Erstgespräch &ndash; Prüfungsangst, möglichst abends</td></tr>\n"
        "<tr><td>Versicherung:</td><td>gesetzlich (TK)</td></tr>\n</table>\n"
        "<p>Gesendet über das Kontaktformular auf praxis-weber.example</p>\n</body></html>\n"
    )
    add(
        story_mail(
            "form_request",
            FORM,
            sent=at(15, 22, 47, 31),
            to_header=TERMINE,
            to=[("", TERMINE)],
            subject_header=q("Neue Terminanfrage über praxis-weber.example"),
            subject="Neue Terminanfrage über praxis-weber.example",
            date_header="Sun, 15 Nov 2026 22:47:31 +0100",
            mime="html",
            extra_headers=[("Reply-To", "Lukas Brandt <lukas.brandt@gmx.de>")],
            html=form_html,
            text="""Neue Terminanfrage
Name: Lukas Brandt
E-Mail: lukas.brandt@gmx.de
Telefon: 0761 555 0199
Anliegen: Erstgespräch – Prüfungsangst, möglichst abends
Versicherung: gesetzlich (TK)
Gesendet über das Kontaktformular auf praxis-weber.example""",
        )
    )
    add(
        story_mail(
            "marie_reschedule",
            MARIE,
            sent=at(10, 17, 55, 2),
            to_header=TERMINE,
            to=[("", TERMINE)],
            subject_header="Terminverschiebung 17.11.",
            subject="Terminverschiebung 17.11.",
            date_header="Tue, 10 Nov 26 17:55:02 +0100",
            mime="plain",
            text="""Hallo liebes Praxisteam,

könnte ich meinen Termin am Dienstag, 17.11., um 14 Uhr auf eine andere Uhrzeit am selben Tag oder auf Mittwoch verschieben? Ich habe leider eine Prüfung bekommen.

Liebe Grüße
Marie Engel""",
        )
    )
    add(
        story_mail(
            "termine_reply_marie",
            ("Praxis Dr. Weber – Termine", TERMINE),
            sent=at(10, 18, 40, 15, 12),
            from_header=f"{q('Praxis Dr. Weber – Termine')} <{TERMINE}>",
            to_header=f"{MARIE[0]} <{MARIE[1]}>",
            to=[MARIE],
            subject_header="Re: Terminverschiebung 17.11.",
            subject="Re: Terminverschiebung 17.11.",
            date_header="Tue, 10 Nov 2026 18:40:15 +0100",
            reply_to=("marie_reschedule",),
            text="""Hallo Frau Engel,

kein Problem: Wir können den Termin auf Mittwoch, 18.11., 14:00 Uhr verschieben. Bitte bestätigen Sie kurz.

Viele Grüße
Ihr Praxisteam""",
        )
    )
    add(
        story_mail(
            "marie_ok",
            MARIE,
            sent=at(11, 7, 12, 48),
            to_header=f"{q('Praxis Dr. Weber – Termine')} <{TERMINE}>",
            to=[("Praxis Dr. Weber – Termine", TERMINE)],
            subject_header="Aw: Re: Terminverschiebung 17.11.",
            subject="Aw: Re: Terminverschiebung 17.11.",
            date_header="Wed, 11 Nov 2026 07:12:48 +0100",
            mime="plain",
            reply_to=("marie_reschedule", "termine_reply_marie"),
            text="""Passt perfekt, vielen Dank! 😊

Marie Engel""",
        )
    )
    return mails
