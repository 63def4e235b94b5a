"""How the pages of the practice's day show values in the console's locale: durations,
statuses, item-9 answers, severities and change classifications. German reuses the
reporter's wording, so page and report say the same."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from reporter.formatting import human_duration
from reporter.instruments import CHANGE_DE, instrument_name, severity_label
from reporter.render import ITEM9_ACTION_DE, STATUS_DE

_STATUS_DE: dict[str, str] = {str(k): v for k, v in STATUS_DE.items()}
_CHANGE_DE: dict[str, str] = {str(k): v for k, v in CHANGE_DE.items()}
_ITEM9_DE: dict[str, str] = {str(k): v for k, v in ITEM9_ACTION_DE.items()}
ITEM9_ACTION_EN = {
    "positive": "positive – assess the risk",
    "not answered, follow up": "not answered – follow up",
    "answered invalidly, follow up": "answered invalidly – follow up",
}


# the definitions are read from files: once per label and process, not once per table row
_severity = cache(severity_label)


class Display:
    """Value formatting for one locale (``de`` or ``en``); templates get it as ``show``."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def duration(self, minutes: float | None) -> str:
        if self.locale == "de" or minutes is None:
            return human_duration(minutes)
        whole = int(Decimal(str(minutes)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        days, rest = divmod(whole, 24 * 60)
        hours, mins = divmod(rest, 60)
        if days:
            return f"{days} d {hours} h" if hours else f"{days} d"
        return f"{hours} h {mins} min" if hours else f"{mins} min"

    def when(self, at: datetime | None) -> str:
        """UTC, to the minute, in the locale's order."""
        if at is None:
            return "–"
        return at.strftime("%d.%m.%Y %H:%M" if self.locale == "de" else "%Y-%m-%d %H:%M")

    def day(self, at: datetime | None) -> str:
        if at is None:
            return "–"
        return at.strftime("%d.%m.%Y" if self.locale == "de" else "%Y-%m-%d")

    def status(self, status: str) -> str:
        return _STATUS_DE.get(status, status) if self.locale == "de" else status  # the values are English

    def item9(self, answer: str) -> str:
        table = _ITEM9_DE if self.locale == "de" else ITEM9_ACTION_EN
        return table.get(answer, answer)

    def instrument(self, instrument: str) -> str:
        return instrument_name(instrument)

    def severity(self, instrument: str, severity: str | None) -> str:
        return _severity(severity, instrument, self.locale)

    def change(self, classification: str | None) -> str:
        if classification is None:
            return "–"
        return _CHANGE_DE.get(classification, classification) if self.locale == "de" else classification

    def number(self, value: float | None) -> str:
        if value is None:
            return "–"
        return f"{value:.0f}" if value == int(value) else f"{value:.1f}"
