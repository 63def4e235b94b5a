"""The mails of the story that reach the practice's Gmail mailboxes first and ask or tell
the practice something: Lena's waiting-list request, Sabine's insurance question, Mehmet's
inquiry, the GP's referral, the counselling centre's groups and Tobias's mail without a
subject. The appointments are in ``mail_story_gmail_appointments``."""

from __future__ import annotations

from mail_cast import (
    BERATUNG,
    LENA,
    MEHMET,
    NEUMANN,
    SABINE,
    TOBIAS,
    WEBER_NAME,
    outlook_extra,
    story_mail,
)
from mail_shapes import (
    ANMELDUNG,
    PRAXIS,
    WEBER,
    Attachment,
    Mail,
    at,
    b,
    q,
)


def gmail_inquiry_mails() -> list[Mail]:
    mails: list[Mail] = []
    add = mails.append

    lena_text = """Guten Morgen,

ich würde mich gern auf die Warteliste für einen Therapieplatz setzen lassen. Ich bin 34 Jahre alt, gesetzlich versichert (AOK) und hatte im Oktober bereits eine psychotherapeutische Sprechstunde bei einer Kollegin; empfohlen wurde eine Verhaltenstherapie.
Wie lange ist die Wartezeit bei Ihnen ungefähr?

Freundliche Grüße
Lena Schmidt"""
    add(
        story_mail(
            "lena_inquiry",
            LENA,
            sent=at(9, 7, 45, 21),
            to_header=ANMELDUNG,
            to=[("", ANMELDUNG)],
            subject_header=q("Anfrage Psychotherapie – Warteliste"),
            subject="Anfrage Psychotherapie – Warteliste",
            date_header="Mon, 9 Nov 2026 07:45:21 +0100",
            text=lena_text,
        )
    )
    add(
        story_mail(
            "weber_reply_lena",
            (WEBER_NAME, WEBER),
            sent=at(10, 13, 12, 8),
            from_header=f'"{WEBER_NAME}" <{WEBER}>',
            to_header=f"{LENA[0]} <{LENA[1]}>",
            to=[LENA],
            cc_header=ANMELDUNG,
            cc=[("", ANMELDUNG)],
            subject_header=b("AW: Anfrage Psychotherapie – Warteliste", "utf-8"),
            subject="AW: Anfrage Psychotherapie – Warteliste",
            date_header="Tue, 10 Nov 2026 12:12:08 +0000",
            reply_to=("lena_inquiry",),
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
        )
    )
    add(
        story_mail(
            "lena_followup",
            LENA,
            sent=at(11, 8, 5, 50),
            to_header=f'"{WEBER_NAME}" <{WEBER}>',
            to=[(WEBER_NAME, WEBER)],
            cc_header=ANMELDUNG,
            cc=[("", ANMELDUNG)],
            subject_header=q("Re: AW: Anfrage Psychotherapie – Warteliste"),
            subject="Re: AW: Anfrage Psychotherapie – Warteliste",
            date_header="Wed, 11 Nov 2026 08:05:50 +0100",
            reply_to=("lena_inquiry", "weber_reply_lena"),
            text="""Liebe Frau Dr. Weber,

vielen Dank für die schnelle Rückmeldung! Ich habe dienstags und donnerstags ab 15 Uhr Zeit, montags auch vormittags.
Kann ich in der Wartezeit irgendetwas tun, zum Beispiel eine Gruppe besuchen?

Viele Grüße
Lena Schmidt""",
        )
    )
    add(
        story_mail(
            "sabine_question",
            SABINE,
            sent=at(11, 9, 14, 52),
            to_header=PRAXIS,
            to=[("", PRAXIS)],
            cc_header=ANMELDUNG,
            cc=[("", ANMELDUNG)],
            subject_header=b("Frage zur Kostenübernahme (Privatversicherung)"),
            subject="Frage zur Kostenübernahme (Privatversicherung)",
            date_header="11 Nov 2026 08:14:52 GMT",
            mime="mixed-alternative",
            attachments=[Attachment("Kostenzusage_Allianz.pdf", "application/pdf", 48213)],
            text="""Sehr geehrte Damen und Herren,

meine private Krankenversicherung (Allianz) hat mir die anliegende Kostenzusage für 20 Sitzungen Verhaltenstherapie geschickt. Reicht das für einen Therapieplatz bei Ihnen aus & muss ich die Rechnungen selbst einreichen?

Mit freundlichen Grüßen
Sabine Hoffmann""",
        )
    )
    add(
        story_mail(
            "mehmet_inquiry",
            MEHMET,
            sent=at(9, 18, 22, 40),
            from_header=f"{q('Mehmet Yılmaz')} <{MEHMET[1]}>",
            to_header=ANMELDUNG,
            to=[("", ANMELDUNG)],
            subject_header=f"{q('Wartezeit für einen ')} {q('Therapieplatz in Freiburg')}",
            subject="Wartezeit für einen Therapieplatz in Freiburg",
            date_header="Mon, 09 Nov 2026 17:22:40 -0000",
            text="""Hallo,

ich bin vor kurzem nach Freiburg gezogen und suche einen Therapieplatz. Meine bisherige Therapie in Köln musste ich wegen des Umzugs abbrechen.
Wie lange muss man bei Ihnen ungefähr warten? Ich bin bei der Barmer versichert.

Viele Grüße
Mehmet Yılmaz""",
        )
    )
    add(
        story_mail(
            "anmeldung_reply_mehmet",
            ("Praxis Dr. Weber – Anmeldung", ANMELDUNG),
            sent=at(12, 15, 10, 27, 905),
            from_header=f"{q('Praxis Dr. Weber – Anmeldung')} <{ANMELDUNG}>",
            to_header=f"{q('Mehmet Yılmaz')} <{MEHMET[1]}>",
            to=[MEHMET],
            subject_header=q("Re: Wartezeit für einen Therapieplatz in Freiburg"),
            subject="Re: Wartezeit für einen Therapieplatz in Freiburg",
            date_header="Thu, 12 Nov 2026 15:10:27 +0100",
            reply_to=("mehmet_inquiry",),
            text="""Hallo Herr Yılmaz,

entschuldigen Sie bitte die späte Antwort. Die Wartezeit für einen Therapieplatz beträgt bei uns derzeit etwa drei bis vier Monate. Da Sie eine laufende Therapie wegen eines Umzugs unterbrechen mussten, können wir Sie bevorzugt berücksichtigen. Bitte schicken Sie uns dazu einen kurzen Bericht Ihrer bisherigen Therapeutin.

Mit freundlichen Grüßen
Ihr Praxisteam Dr. Weber""",
        )
    )
    add(
        story_mail(
            "hausarzt_referral",
            NEUMANN,
            sent=at(12, 11, 5, 19),
            to_header=f"Weber, Julia <{WEBER}>, {ANMELDUNG}",
            to=[(WEBER_NAME, WEBER), ("", ANMELDUNG)],
            subject_header=q("Bitte um Rückruf – Überweisung zur Psychotherapie"),
            subject="Bitte um Rückruf – Überweisung zur Psychotherapie",
            date_header="Donnerstag, 12.11.2026 11:05",
            mime="mixed-plain",
            extra_headers=[("X-Mailer", "PraxisNet Mail 3.2")],
            attachments=[Attachment("Ueberweisung_Psychotherapie.pdf", "application/pdf", 112640)],
            text="""Sehr geehrte Frau Kollegin,

anbei die Überweisung für einen gemeinsamen Patienten, der sich in den nächsten Tagen bei Ihnen melden wird. Er hat mich gebeten, den Kontakt herzustellen. Bei Rückfragen erreichen Sie mich in der Sprechstunde.

Mit kollegialen Grüßen
Dr. med. Thomas Neumann
Facharzt für Allgemeinmedizin""",
        )
    )
    add(
        story_mail(
            "beratung_groups",
            BERATUNG,
            sent=at(10, 15, 30, 0),
            to_header="undisclosed-recipients:;",
            to=[],
            subject_header=q("Freie Plätze: Gruppe Stressbewältigung ab 01.12.2026"),
            subject="Freie Plätze: Gruppe Stressbewältigung ab 01.12.2026",
            date_header="Tue, 10 Nov 2026 15:30:00 +0100",
            text="""Liebe Kolleginnen und Kollegen,

in unserer Gruppe „Stressbewältigung im Alltag“ (8 Termine, donnerstags 18–19:30 Uhr) sind ab dem 01.12.2026 wieder Plätze frei. Anmeldungen nehmen wir telefonisch oder per E-Mail entgegen.
Wir freuen uns, wenn Sie die Information an Interessierte weitergeben.

Herzliche Grüße
Ihr Team der Psychosozialen Beratungsstelle""",
        )
    )
    add(
        story_mail(
            "tobias_no_subject",
            TOBIAS,
            sent=at(12, 16, 20, 11),
            to_header=PRAXIS,
            to=[("", PRAXIS)],
            subject_header=None,
            subject=None,
            date_header="Thu, 12 Nov 2026 07:20:11 -0800 (PST)",
            mime="plain",
            text="""Hallo,

ich hab's schon zweimal telefonisch versucht, aber nur den Anrufbeantworter erreicht. Ich bin gerade noch beruflich in Kalifornien und ab Dezember wieder in Freiburg. Haben Sie ab Januar Kapazitäten für eine "Kurzzeittherapie"? Meine Krankenkasse ist die DAK.

Gruß
Tobias Becker""",
        )
    )
    return mails
