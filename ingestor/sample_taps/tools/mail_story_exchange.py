"""The mails of the story that reach the practice's Exchange mailboxes first."""

from __future__ import annotations

from mail_cast import (
    FELIX,
    JANA,
    JONAS,
    KLEIN_NAME,
    LUKAS_S,
    SANDRA,
    TEAM_NAME,
    WEBER_NAME,
    outlook_extra,
    story_mail,
)
from mail_shapes import (
    ANMELDUNG,
    KLEIN,
    TEAM,
    WEBER,
    Mail,
    at,
    q,
)


def exchange_side_mails() -> list[Mail]:
    mails: list[Mail] = []
    add = mails.append

    add(
        story_mail(
            "felix_inquiry",
            FELIX,
            sent=at(9, 11, 30, 27),
            to_header=KLEIN,
            to=[("", KLEIN)],
            subject_header="Anfrage Erstgespräch (Empfehlung von Dr. Weber)",
            subject="Anfrage Erstgespräch (Empfehlung von Dr. Weber)",
            date_header="Mon, 9 Nov 2026 11:30:27 +0100",
            text="""Sehr geehrte Frau Klein,

Frau Dr. Weber hat mir empfohlen, mich bei Ihnen zu melden, da bei ihr derzeit kein Platz frei ist. Ich würde gern ein Erstgespräch vereinbaren. Ich bin bei der Techniker Krankenkasse versichert.

Mit freundlichen Grüßen
Felix Albrecht""",
        )
    )
    add(
        story_mail(
            "klein_reply_felix",
            (KLEIN_NAME, KLEIN),
            sent=at(9, 16, 5, 44),
            from_header=f'"{KLEIN_NAME}" <{KLEIN}>',
            to_header=f"{FELIX[0]} <{FELIX[1]}>",
            to=[FELIX],
            subject_header=q("AW: Anfrage Erstgespräch (Empfehlung von Dr. Weber)", "utf-8"),
            subject="AW: Anfrage Erstgespräch (Empfehlung von Dr. Weber)",
            date_header="Mon, 9 Nov 2026 15:05:44 +0000",
            reply_to=("felix_inquiry",),
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
        )
    )
    add(
        story_mail(
            "felix_ok",
            FELIX,
            sent=at(10, 9, 20, 13),
            to_header=f'"{KLEIN_NAME}" <{KLEIN}>',
            to=[(KLEIN_NAME, KLEIN)],
            subject_header=q("Re: AW: Anfrage Erstgespräch (Empfehlung von Dr. Weber)"),
            subject="Re: AW: Anfrage Erstgespräch (Empfehlung von Dr. Weber)",
            date_header="Tue, 10 Nov 2026 09:20:13 +0100",
            reply_to=("felix_inquiry", "klein_reply_felix"),
            text="""Sehr geehrte Frau Klein,

vielen Dank, der 18.11. um 11 Uhr passt mir gut 😊
Bis dann!

Felix Albrecht""",
        )
    )
    add(
        story_mail(
            "schaefer_inquiry",
            SANDRA,
            sent=at(10, 16, 45, 12),
            from_header=f"{q('Schäfer, Sandra')} <{SANDRA[1]}>",
            to_header=TEAM,
            to=[("", TEAM)],
            subject_header="Anfrage Paartherapie",
            subject="Anfrage Paartherapie",
            date_header="Tue, 10 Nov 2026 16:45:12 +0100",
            text="""Guten Tag,

mein Mann und ich suchen einen Termin für eine Paartherapie. Seit der Geburt unseres zweiten Kindes haben wir viele Konflikte und würden gern professionelle Unterstützung in Anspruch nehmen. Abends nach 18 Uhr wäre ideal.

Mit freundlichen Grüßen
Sandra Schäfer""",
        )
    )
    add(
        story_mail(
            "team_forward_schaefer",
            (TEAM_NAME, TEAM),
            sent=at(11, 10, 2, 37),
            from_header=f'"{TEAM_NAME}" <{TEAM}>',
            to_header=f'"{KLEIN_NAME}" <{KLEIN}>',
            to=[(KLEIN_NAME, KLEIN)],
            subject_header="WG: Anfrage Paartherapie",
            subject="WG: Anfrage Paartherapie",
            date_header="Wed, 11 Nov 2026 09:02:37 +0000",
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
        )
    )
    add(
        story_mail(
            "jonas_no_subject",
            JONAS,
            sent=at(14, 20, 14, 9),
            to_header=KLEIN,
            to=[("", KLEIN)],
            subject_header=None,
            subject=None,
            date_header="Sat, 14 Nov 2026 20:14:09 +0100",
            text="""Hallo Frau Klein,

ich schaffe es am Montag leider nicht zu unserer Sitzung, ich liege mit Grippe im Bett. Können wir den Termin verschieben?

Viele Grüße
Jonas Fuchs""",
        )
    )
    add(
        story_mail(
            "klein_vacation",
            (KLEIN_NAME, KLEIN),
            sent=at(13, 12, 0, 31),
            from_header=f'"{KLEIN_NAME}" <{KLEIN}>',
            to_header=TEAM,
            to=[("", TEAM)],
            subject_header=q("Urlaubsvertretung 23.–27.11.", "utf-8"),
            subject="Urlaubsvertretung 23.–27.11.",
            date_header="Fri, 13 Nov 2026 11:00:31 +0000",
            text="""Hallo zusammen,

vom 23. bis 27.11. bin ich im Urlaub. Dringende Anfragen meiner Klientinnen und Klienten übernimmt bitte Julia; alles andere hat Zeit bis zum 30.11.

Danke und viele Grüße
Miriam""",
        )
    )
    add(
        story_mail(
            "jana_groups",
            JANA,
            sent=at(11, 19, 30, 44),
            to_header=TEAM,
            to=[("", TEAM)],
            cc_header=ANMELDUNG,
            cc=[("", ANMELDUNG)],
            subject_header="Anfrage Gruppentherapie",
            subject="Anfrage Gruppentherapie",
            date_header="Wed, 11 Nov 2026 19:30:44 +0100",
            message_id_header="Message-Id",
            graph_message_id="5f2c9a1e-77b4-4d0e-9c3a-0b8e61f0a2d4@posteo.de",
            text="""Hallo,

bieten Sie auch Gruppentherapie an? Ich habe gelesen, dass das bei sozialer Angst gut helfen kann, und würde mich gern informieren.

Viele Grüße
Jana Lorenz""",
        )
    )
    add(
        story_mail(
            "seidel_empty_subject",
            LUKAS_S,
            sent=at(12, 8, 3, 55),
            to_header=TEAM,
            to=[("", TEAM)],
            subject_header="",
            subject="",
            date_header="Thu, 12 Nov 2026 08:03:55 +0100",
            mime="plain",
            text="""Guten Morgen,

bitte rufen Sie mich wegen meines Termins nächste Woche zurück, ich bin unter 0761 555 0173 erreichbar.

Danke
Lukas Seidel""",
        )
    )
    add(
        story_mail(
            "team_reply_seidel",
            (TEAM_NAME, TEAM),
            sent=at(12, 10, 20, 2),
            from_header=f'"{TEAM_NAME}" <{TEAM}>',
            to_header=f"{LUKAS_S[0]} <{LUKAS_S[1]}>",
            to=[LUKAS_S],
            subject_header="AW: ",
            subject="AW: ",
            date_header="Thu, 12 Nov 2026 09:20:02 +0000",
            reply_to=("seidel_empty_subject",),
            text="""Guten Tag Herr Seidel,

wir haben versucht, Sie anzurufen, und Ihnen auf die Mailbox gesprochen. Ihr Termin am Dienstag, 17.11., um 15:00 Uhr bleibt bestehen.

Viele Grüße
Petra Sommer
Praxismanagement""",
        )
    )
    add(
        story_mail(
            "weber_to_team",
            (WEBER_NAME, WEBER),
            sent=at(11, 12, 30, 10),
            from_header=f'"{WEBER_NAME}" <{WEBER}>',
            to_header=TEAM,
            to=[("", TEAM)],
            subject_header=q("Bitte eintragen: Erstgespräch Groß, Mo 16.11., 10:00", "utf-8"),
            subject="Bitte eintragen: Erstgespräch Groß, Mo 16.11., 10:00",
            date_header="Wed, 11 Nov 2026 11:30:10 +0000",
            text="""Hallo Petra,

bitte trag Herrn Groß für Montag, 16.11., 10:00 Uhr als Erstgespräch ein (privat versichert, Debeka). Die Terminbestätigung hat er schon.

Danke!
Julia""",
        )
    )
    return mails
