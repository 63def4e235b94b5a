"""Edge cases 5 and 10 of source-payloads.md §6: the sent time from Date headers in their
variants, the receive time as the fallback, and Gmail's internalDate read as a number."""

from __future__ import annotations

import pytest

from email_edge_records import BASE, gmail, run_gmail

RECEIVED = "2025-11-12T10:00:00Z"  # internalDate 1762941600000


@pytest.mark.parametrize(
    ("date", "sent_at", "source"),
    [
        ("Tue, 11 Nov 2025 11:14:52 +0200", "2025-11-11T09:14:52Z", "date_header"),
        ("Tue, 11 Nov 2025 11:14:52 +0200 (CEST)", "2025-11-11T09:14:52Z", "date_header"),
        ("Tue, 11 Nov 2025 02:14:52 -0700 (PDT)", "2025-11-11T09:14:52Z", "date_header"),
        ("11 Nov 2025 09:14:52 GMT", "2025-11-11T09:14:52Z", "date_header"),
        ("Tue, 11 Nov 25 11:14:52 +0200", "2025-11-11T09:14:52Z", "date_header"),
        ("Tue, 11 Nov 2025 09:14:52 -0000", RECEIVED, "received_fallback"),
        ("Tue, 11 Nov 2025 11:14:52 MESZ", RECEIVED, "received_fallback"),
        ("gestern Abend", RECEIVED, "received_fallback"),
    ],
)
def test_edge_5_date_variants_and_bad_zones(date: str, sent_at: str, source: str) -> None:
    out = run_gmail(gmail({**BASE, "Date": date}))
    assert (out["sent_at"], out["sent_at_source"], out["received_at"]) == (sent_at, source, RECEIVED)


def test_edge_5_missing_date_falls_back_to_the_receive_time() -> None:
    out = run_gmail(gmail({k: v for k, v in BASE.items() if k != "Date"}))
    assert (out["sent_at"], out["sent_at_source"]) == (RECEIVED, "received_fallback")


def test_edge_10_internal_date_is_compared_as_a_number_not_text() -> None:
    early = run_gmail(gmail(BASE, internalDate="999"))
    late = run_gmail(gmail(BASE, internalDate="1000"))
    assert early["received_at"] == "1970-01-01T00:00:00.999Z"
    assert late["received_at"] == "1970-01-01T00:00:01Z"
