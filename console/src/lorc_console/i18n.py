"""The console's texts in German and English (``practice.locale``); reports stay German.

Each page module has ``TEXTS = {"de": {...}, "en": {...}}``; the frame's own texts are
here. A key missing in one language is a bug (a test checks every module), so a lookup
of an unknown key raises instead of showing the key to a user.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

LOCALES = ("de", "en")
DEFAULT_LOCALE = "de"

Texts = Mapping[str, Mapping[str, str]]

TEXTS: Texts = {
    "de": {
        "console": "Praxiskonsole",
        "nav.today": "Heute",
        "nav.pipeline": "Anfragen",
        "nav.clients": "Klient:innen",
        "nav.runs": "Läufe",
        "nav.reports": "Berichte",
        "stale": "Ein Lauf hält gerade das Warehouse; angezeigt wird der Stand von",
        "stale_unread": "Ein Lauf hält gerade das Warehouse; angezeigt wird, was die Läufe selbst aufzeichnen.",
        "busy": "Ein Lauf hält gerade das Warehouse, und es wurde noch nichts gelesen. "
        "Die Seite lädt nach dem Lauf wieder.",
        "not_found": "Nicht gefunden.",
        "unreadable": "Das Warehouse kann gerade nicht gelesen werden:",
        "internal": "Interner Fehler; Einzelheiten im Protokoll der Konsole.",
        "unauthorized.title": "Anmeldung nötig",
        "unauthorized.body": "Diese Konsole braucht eine neue Start-Adresse: beenden Sie `lorc serve`, "
        "starten Sie es neu und öffnen Sie die Adresse, die es ausgibt.",
        "forbidden": "Abgelehnt: das Formular ist abgelaufen. Laden Sie die Seite neu und versuchen Sie es noch einmal.",
    },
    "en": {
        "console": "Practice console",
        "nav.today": "Today",
        "nav.pipeline": "Sales pipeline",
        "nav.clients": "Clients",
        "nav.runs": "Runs",
        "nav.reports": "Reports",
        "stale": "A run holds the warehouse right now; shown is the state as of",
        "stale_unread": "A run holds the warehouse right now; shown is what the runs record themselves.",
        "busy": "A run holds the warehouse right now and nothing was read before. The page loads again after the run.",
        "not_found": "Not found.",
        "unreadable": "The warehouse cannot be read right now:",
        "internal": "Internal error; details in the console's log.",
        "unauthorized.title": "Sign-in needed",
        "unauthorized.body": "This console needs a new start URL: stop `lorc serve`, start it again and "
        "open the URL it prints.",
        "forbidden": "Refused: the form has expired. Reload the page and try again.",
    },
}


def translator(locale: str, *tables: Texts) -> Callable[[str], str]:
    """``t(key)`` over the frame's texts and ``tables`` (a page's) in ``locale``."""
    merged: dict[str, str] = dict(TEXTS[locale])
    for table in tables:
        merged.update(table[locale])

    def t(key: str) -> str:
        return merged[key]

    return t


def missing_keys(table: Texts) -> dict[str, list[str]]:
    """Per locale, the keys another locale has and it lacks (empty when complete)."""
    every = {key for locale in LOCALES for key in table.get(locale, {})}
    return {
        locale: sorted(every - set(table.get(locale, {}))) for locale in LOCALES if every - set(table.get(locale, {}))
    }
