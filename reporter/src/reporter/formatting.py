"""German display strings: dates (UTC, see ``weeks``) and durations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from reporter.weeks import parse_timestamp


def human_duration(minutes: float | None) -> str:
    """``95`` -> ``"1 Std. 35 Min."``, ``3000`` -> ``"2 Tage 2 Std."``; None -> ``"–"``.

    Fractions of a minute (a median of two values) round half up; days drop the minutes.
    """
    if minutes is None:
        return "–"
    whole = int(Decimal(str(minutes)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if whole < 0:
        raise ValueError("a duration must not be negative")
    days, rest = divmod(whole, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        text = "1 Tag" if days == 1 else f"{days} Tage"
        return f"{text} {hours} Std." if hours else text
    if hours:
        return f"{hours} Std. {mins} Min." if mins else f"{hours} Std."
    return f"{mins} Min."


def de_date(value: str | datetime | date | None) -> str:
    """``"2026-11-10T08:15:00Z"`` -> ``"10.11.2026"`` (UTC date); None -> ``"–"``."""
    if value is None:
        return "–"
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d.%m.%Y")
    return parse_timestamp(value).strftime("%d.%m.%Y")


def de_datetime(value: str | datetime | None) -> str:
    """``"2026-11-10T08:15:00Z"`` -> ``"10.11.2026 08:15"`` (UTC); None -> ``"–"``."""
    if value is None:
        return "–"
    return parse_timestamp(value).strftime("%d.%m.%Y %H:%M")
