"""The practice fixtures' story (CLIENTS.md) as data: the instruments' texts, the
clients with their intended PHQ-9/GAD-7 series and sessions, the item values of each
response, and the time helpers for the Europe/Berlin window.

``make_practice_fixtures.py`` renders it as Forms, Sheet and Dataverse records.
Everything is invented.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

WINDOW = (datetime(2026, 9, 14, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC))
DST_END = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)  # 03:00 CEST -> 02:00 CET

# --- instruments (texts of shared/reference/clinical-rules.md §1, §2) --------------------

PHQ_STEM = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
GAD_STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"
PHQ_ITEMS = [
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or "
    "restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
]
PHQ_10 = (
    "If you checked off any problems, how difficult have these problems made it for you to do your work, "
    "take care of things at home, or get along with other people?"
)
GAD_ITEMS = [
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
]
OPTIONS = ["Not at all", "Several days", "More than half the days", "Nearly every day"]
OPTIONS_OVER_HALF = ["Not at all", "Several days", "Over half the days", "Nearly every day"]  # intake GAD-7 grid
DIFFICULTY = ["Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult"]


# --- small helpers -----------------------------------------------------------------------


def digest(*parts: object) -> bytes:
    return hashlib.sha256("|".join(map(str, parts)).encode()).digest()


def hex8(*parts: object) -> str:
    return digest(*parts).hex()[:8]


def token(*parts: object, length: int) -> str:
    text = base64.urlsafe_b64encode(digest(*parts) + digest("more", *parts)).decode("ascii")
    return text.replace("=", "")[:length]


def guid(kind: str, *parts: object) -> str:
    h = digest(kind, *parts).hex()
    tail = "9f89-000d3a4b" if kind == "contact" else "a81c-6045bd8c"
    return f"{h[:8]}-{h[8:12]}-ef11-{tail}{h[12:16]}"


def berlin_offset(utc: datetime) -> timedelta:
    return timedelta(hours=2 if utc < DST_END else 1)


def local(y: int, mo: int, d: int, h: int, mi: int, s: int = 0, us: int = 0) -> datetime:
    """A Europe/Berlin wall-clock time (daytime only, so never ambiguous) as UTC."""
    return from_berlin(datetime(y, mo, d, h, mi, s, us))


def from_berlin(wall: datetime) -> datetime:
    assert wall.year == 2026 and 7 <= wall.hour <= 21, "2026, daytime only"
    offset = timedelta(hours=2) if (wall.month, wall.day) < (10, 25) else timedelta(hours=1)
    return wall.replace(tzinfo=UTC) - offset


def berlin(utc: datetime) -> datetime:
    return (utc + berlin_offset(utc)).replace(tzinfo=None)


def z_seconds(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def z_millis(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def z_micros(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def formatted(utc: datetime) -> str:
    """Dataverse FormattedValue of a date-time, German UI: local time, no seconds."""
    return berlin(utc).strftime("%d.%m.%Y %H:%M")


# --- the story (CLIENTS.md) ----------------------------------------------------------------

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


# --- scoring (to check the story; the tests have their own) --------------------------------


def parse_token(text: str) -> dict[str, Any]:
    m = re.fullmatch(r"(\d+|x)(p?)([!?]?)", text)
    assert m, text
    return {"total": None if m[1] == "x" else int(m[1]), "prorated": m[2] == "p", "item9": m[3]}


def score(values: list[int | None], n_items: int, max_missing: int) -> tuple[int | None, bool]:
    answered = [v for v in values if v is not None]
    if len(values) != n_items or len(answered) < n_items - max_missing or any(v == -1 for v in answered):
        return None, False
    total = sum(answered)
    if len(answered) == n_items:
        return total, False
    return (2 * total * n_items + len(answered)) // (2 * len(answered)), True  # half up


# --- item values for one response ------------------------------------------------------------


@dataclass
class Answers:
    phq: list[int | None]  # 9 items; None = unanswered; -1 = unknown text (see phq_raw)
    gad: list[int | None]
    phq_raw: dict[int, str]
    gad_raw: dict[int, str]


def spread(total: int, n: int, fixed: dict[int, int], missing: list[int], rng: random.Random) -> list[int | None]:
    values: list[int | None] = [None if i in missing else 0 for i in range(n)]
    for i, v in fixed.items():
        values[i] = v
    free = [i for i in range(n) if i not in fixed and i not in missing]
    remaining = total - sum(fixed.values())
    assert 0 <= remaining <= 3 * len(free), (total, fixed, missing)
    while remaining:
        i = rng.choice([j for j in free if values[j] < 3])
        values[i] += 1
        remaining -= 1
    return values


def answers_for(client: Client, index: int, phq: dict[str, Any], gad: dict[str, Any]) -> Answers:
    rng = random.Random(f"{client.key}:{index}")
    special = SPECIAL.get((client.key, index), {})
    phq_missing = special.get("phq_missing", [])
    phq_fixed = dict(special.get("phq_fixed", {}))
    if 8 not in phq_missing:
        phq_fixed[8] = special.get("item9", 1) if phq["item9"] == "!" else 0
    phq_raw = special.get("phq_raw", {})
    for i in phq_raw:
        phq_fixed[i] = 0  # placeholder; the text replaces it
    phq_sum = special.get("phq_sum", phq["total"])
    phq_values = spread(phq_sum, 9, phq_fixed, phq_missing, rng)
    for i in phq_raw:
        phq_values[i] = -1
    gad_missing = special.get("gad_missing", [])
    gad_fixed = dict(special.get("gad_fixed", {}))
    gad_values = spread(special.get("gad_sum", gad["total"]), 7, gad_fixed, gad_missing, rng)
    return Answers(phq_values, gad_values, phq_raw, special.get("gad_raw", {}))
