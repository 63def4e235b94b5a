"""The practice fixtures' story (CLIENTS.md) as data: the fixture window, the therapists,
the clients with their intended PHQ-9/GAD-7 series and sessions, and the responses that
need more than a total. The instruments' texts are in ``practice_instruments``, the ids and
clock in ``practice_ids_clock``, the item values of a response in ``practice_answers``.

``make_practice_fixtures.py`` renders it as Forms, Sheet and Dataverse records.
Everything is invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

WINDOW = (datetime(2026, 9, 14, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC))
WEBER = ("0ae8c9a0-923b-ed11-bba3-0022481563ba", "Julia Weber")  # the owner of source-payloads §4
KLEIN = ("3f6b1d27-923b-ed11-bba3-0022481563ba", "Miriam Klein")
SESSION_TYPES = {"Erstgespräch": 100000000, "Probatorische Sitzung": 100000001, "Einzeltherapie": 100000002}


@dataclass
class Client:
    key: str
    first: str
    last: str
    therapist: tuple[str, str]
    forms_email: str  # respondentEmail as typed into the forms
    contact_email: str | None  # Dataverse emailaddress1 (free text); None: no contact
    telephone: str | None
    mobile: str | None
    intake: tuple[int, int, int, int, int]  # local (y, m, d, h, min) of the intake response
    phq: str  # series in CLIENTS.md notation
    gad: str
    sessions: list[tuple[str, tuple[int, int, int, int, int], int]] = field(default_factory=list)
    phone_answered: bool = True
    difficulty_answered: bool = True

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


CLIENTS = [
    Client(
        "vogel",
        "Katrin",
        "Vogel",
        WEBER,
        "katrin.vogel@mailbox.org",
        "katrin.vogel@mailbox.org",
        "+49 761 2926471",
        "+49 170 5532817",
        (2026, 9, 14, 18, 32),
        "16! 15! 13 12 11 9 8 7 6",
        "11 11 10 9 8 7 6 6 5",
        [
            ("Erstgespräch", (2026, 9, 15, 10, 0), 50),
            ("Probatorische Sitzung", (2026, 9, 22, 10, 0), 50),
            ("Einzeltherapie", (2026, 11, 10, 10, 0), 50),
        ],
    ),
    Client(
        "engel",
        "Marie",
        "Engel",
        WEBER,
        "marie.engel@web.de",
        "Marie.Engel@web.de ",
        "0761 4587123",
        "+49 157 31928475",
        (2026, 9, 15, 10, 15),
        "14 13 13 11/12 10 9 8 8 7",
        "10 10 9 9 8 7 6 6 5",
        [("Erstgespräch", (2026, 9, 15, 14, 0), 50), ("Einzeltherapie", (2026, 11, 10, 14, 0), 50)],
    ),
    Client(
        "richter",
        "Thomas",
        "Richter",
        WEBER,
        "thomas.richter@gmx.de",
        "  thomas.richter@gmx.de",
        "+49 761 3849205",
        None,
        (2026, 9, 16, 19, 40),
        "19 18 16 15 13 11 9 5p 6",
        "13 12 12 10 9 8 7 6 5",
        [
            ("Erstgespräch", (2026, 9, 17, 16, 0), 50),
            ("Probatorische Sitzung", (2026, 9, 24, 16, 0), 50),
            ("Einzeltherapie", (2026, 10, 29, 16, 0), 50),
        ],
    ),
    Client(
        "fuchs",
        "Jonas",
        "Fuchs",
        KLEIN,
        "jonas.fuchs@posteo.de",
        "jonas.fuchs@posteo.de",
        None,
        "+49 176 44827196",
        (2026, 9, 20, 17, 5),
        "13 12 14 12 11p? 13 12 12 11",
        "9 9 10 8 9 10 9 8 8",
        [("Erstgespräch", (2026, 9, 21, 9, 0), 50), ("Einzeltherapie", (2026, 11, 9, 9, 0), 50)],
    ),
    Client(
        "kaya",
        "Elif",
        "Kaya",
        KLEIN,
        "elif.kaya@outlook.com",
        "Elif.Kaya@outlook.com",
        "+49 761 5093318",
        None,
        (2026, 9, 24, 12, 30),
        "12 11 13 x 12 11 10 10",
        "10 9 9 10 9 x 8 9",
        [("Erstgespräch", (2026, 9, 25, 11, 0), 50)],
    ),
    Client(
        "wagner",
        "Stefan",
        "Wagner",
        WEBER,
        "Stefan.Wagner@t-online.de",
        "stefan.wagner@t-online.de",
        "07641 938214",
        "+49 171 6620493",
        (2026, 9, 21, 8, 45),
        "11 12 13 14p 15! 16! x! 18!",
        "8 9 9 10 11 12 12 13",
        [
            ("Erstgespräch", (2026, 9, 22, 8, 0), 50),
            ("Probatorische Sitzung", (2026, 9, 29, 8, 0), 50),
            ("Einzeltherapie", (2026, 11, 10, 8, 0), 100),
        ],
    ),
    Client(
        "schulz",
        "Petra",
        "Schulz",
        KLEIN,
        "petra.schulz@gmx.net",
        "petra.schulz@gmx.net",
        "+49 761 7720954",
        None,
        (2026, 10, 2, 16, 20),
        "7 6 6 5 5 4",
        "5 6 4 4 3 3",
        [("Erstgespräch", (2026, 10, 5, 15, 0), 50), ("Einzeltherapie", (2026, 11, 2, 15, 0), 50)],
        difficulty_answered=False,
    ),
    Client(
        "koch",
        "Daniel",
        "Koch",
        WEBER,
        "daniel.koch@gmail.com",
        "Daniel.Koch@gmail.com",
        None,
        "+49 160 93318270",
        (2026, 9, 17, 20, 10),
        "16 15 14 13 12 11 10 9 9",
        "6 7 7 8 9 9 10 10 11",
        [("Erstgespräch", (2026, 9, 18, 17, 0), 50), ("Probatorische Sitzung", (2026, 9, 25, 17, 0), 50)],
        phone_answered=False,
    ),
    Client(
        "bauer",
        "Nina",
        "Bauer",
        KLEIN,
        "nina.bauer@posteo.de",
        " nina.bauer@posteo.de",
        "+49 761 4471602",
        "+49 152 28417735",
        (2026, 9, 23, 9, 30),
        "15 14 12 11 10 9 8 8",
        "14 13 11p 10 9 8 7 7",
        [
            ("Erstgespräch", (2026, 9, 24, 10, 0), 50),
            ("Probatorische Sitzung", (2026, 10, 1, 10, 0), 50),
            ("Einzeltherapie", (2026, 11, 5, 10, 0), 50),
        ],
    ),
    Client(
        "wolf",
        "Oliver",
        "Wolf",
        WEBER,
        "oliver.wolf@web.de",
        "oliver.wolf@web.de",
        "+49 761 2208817",
        None,
        (2026, 10, 19, 19, 0),
        "12 11 10 8",
        "9 8 8 7",
        [("Erstgespräch", (2026, 10, 20, 18, 0), 50)],
        phone_answered=False,
    ),
    Client(
        "hahn",
        "Laura",
        "Hahn",
        KLEIN,
        "laura.hahn@mailbox.org",
        "LAURA.HAHN@MAILBOX.ORG",
        None,
        "+49 173 5098264",
        (2026, 10, 10, 11, 0),
        "8 8 7 6 5 4",
        "12 11 9 8 6 5",
        [("Erstgespräch", (2026, 10, 12, 12, 0), 50), ("Einzeltherapie", (2026, 11, 9, 12, 0), 50)],
    ),
    Client(
        "mueller",
        "Anna",
        "Müller",
        WEBER,
        "anna.mueller84@gmail.com",
        "anna.mueller84@gmail.com",
        None,
        "+49 171 2345678",
        (2026, 11, 11, 20, 5),
        "14",
        "10",
        [("Erstgespräch", (2026, 11, 12, 9, 0), 50)],
    ),
    Client(
        "gross",
        "Jörg",
        "Groß",
        WEBER,
        "joerg.gross@web.de",
        "Joerg.Gross@Web.de",
        "+49 (0)30 1234567",
        None,
        (2026, 11, 13, 18, 40),
        "12",
        "7",
        [("Erstgespräch", (2026, 11, 16, 10, 0), 50)],
    ),
    # Not a contact: on the waiting list (see the e-mail fixtures), filled in the intake form anyway.
    Client(
        "schmidt",
        "Lena",
        "Schmidt",
        WEBER,
        "lena.schmidt@posteo.de",
        None,
        None,
        "+49 151 22334455",
        (2026, 11, 12, 21, 15),
        "9",
        "8",
    ),
]

# Responses that need more than a total: (client, measurement index from 0) -> details.
#   *_missing: unanswered items (0-based; absent from `answers`), *_sum: sum of the
#   answered scoreable items, *_fixed: item values to use, *_raw: answer text overrides.
SPECIAL: dict[tuple[str, int], dict[str, Any]] = {
    ("richter", 7): {"phq_missing": [4], "phq_sum": 4},  # 4 x 9/8 = 4.5 -> 5
    ("fuchs", 4): {"phq_missing": [8], "phq_sum": 10},  # item 9 unanswered, 11.25 -> 11
    ("wagner", 3): {"phq_missing": [2, 5], "phq_sum": 11},  # 11 x 9/7 = 14.14 -> 14
    ("wagner", 6): {"phq_missing": [1, 3, 6], "phq_sum": 10, "item9": 2},  # 3 missing: invalid, item 9 positive
    ("wagner", 7): {"item9": 2},
    ("kaya", 3): {"phq_sum": 12, "phq_raw": {3: "Manchmal"}},  # unknown text: invalid
    ("kaya", 5): {"gad_missing": [1, 4], "gad_sum": 7},  # 2 GAD-7 items missing: invalid
    ("bauer", 2): {"gad_missing": [3], "gad_sum": 9},  # 9 x 7/6 = 10.5 -> 11
    ("engel", 5): {"gad_fixed": {1: 1}, "gad_raw": {1: "  several  DAYS "}},
    ("engel", 3): {"phq_fixed": {2: 1}},  # edited at revision 2: item 3 -> 2
    ("gross", 0): {"phq_fixed": {2: 3, 6: 3}},  # sleep and concentration
}
EDITED = ("engel", 3, 2, 2, timedelta(days=1, hours=-1, minutes=12, seconds=9, microseconds=402_117))
#          client, index, PHQ item (0-based), new value, edited after
