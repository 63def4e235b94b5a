"""Values on the pages of the practice's day in either locale; German as the reports word them."""

from __future__ import annotations

from datetime import UTC, datetime

from lorc_console.pages.display import Display
from reporter.formatting import human_duration


def test_german_is_the_reports_wording_and_english_its_own() -> None:
    de, en = Display("de"), Display("en")
    assert de.duration(3000) == human_duration(3000) == "2 Tage 2 Std."
    assert (en.duration(3000), en.duration(95), en.duration(4), en.duration(None)) == (
        "2 d 2 h",
        "1 h 35 min",
        "4 min",
        "–",
    )
    assert (de.severity("phq9", "moderate"), en.severity("phq9", "moderate")) == ("mittelgradig", "moderate")
    assert (de.status("awaiting reply"), en.status("awaiting reply")) == ("wartet auf Antwort", "awaiting reply")
    assert de.item9("positive").startswith("positiv") and en.item9("positive").startswith("positive")
    assert (de.change("reliable improvement"), en.change("reliable improvement")) == (
        "reliable Verbesserung",
        "reliable improvement",
    )
    at = datetime(2026, 11, 10, 8, 5, tzinfo=UTC)
    assert (de.when(at), en.when(at), de.day(at), en.day(None)) == (
        "10.11.2026 08:05",
        "2026-11-10 08:05",
        "10.11.2026",
        "–",
    )
    assert (de.number(7.0), de.number(95.5), de.number(None)) == ("7", "95.5", "–")
