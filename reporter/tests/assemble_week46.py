"""A small hand-made data set around 2026-W46 (Mon 2026-11-09 .. Sun 2026-11-15, UTC) for
the tests of ``reporter.assemble``: score rows, paired outcomes, inbox conversations and
client contacts.

Every expected number in those tests is counted by hand from the rows in this file.
"""

from __future__ import annotations

from typing import Any

WEEK = "2026-W46"
CLIENTS = {
    "a": {"name": "Ada", "email": "ada@example.org"},
    "b": {"name": "Ben", "email": "ben@example.org"},
    "c": {"name": "Cem", "email": "cem@example.org"},
    "d": {"name": "Dora", "email": "dora@example.org"},
    "f": {"name": "Fay", "email": "fay@example.org"},
}  # "e" has no contact


SOURCE = {"phq9": "NHS TT: reliable change >= 6, caseness >= 10", "gad7": "NHS TT: reliable change >= 4, caseness >= 8"}


def ts(
    client: str,
    instrument: str,
    at: str,
    response: str,
    total: int | None,
    *,
    baseline: bool = False,
    change: int | None = None,
    rc: str | None = None,
    eligible: bool | None = None,
    recovery: bool | None = None,
    rrec: bool | None = None,
    prorated: bool = False,
    n_missing: int = 0,
    item9: bool | None = None,
    answered: bool | None = None,
) -> dict[str, Any]:
    valid = total is not None
    if instrument == "phq9" and answered is None:
        answered = True
    if instrument == "phq9" and item9 is None:
        item9 = False
    if valid and baseline:
        change, rc, recovery, rrec = 0, "no reliable change", False, False
    return {
        "client_id": client,
        "instrument": instrument,
        "measured_at": at,
        "response_id": response,
        "total": total,
        "severity": "x" if valid else None,
        "valid": valid,
        "prorated": prorated,
        "n_missing": n_missing,
        "item9_positive": item9,
        "item9_answered": answered,
        "is_baseline": baseline,
        "baseline_at": None,
        "baseline_total": None,
        "change": change,
        "reliable_change": rc,
        "baseline_caseness": eligible,
        "followup_caseness": None,
        "recovery_eligible": eligible,
        "recovery": recovery,
        "reliable_recovery": rrec,
        "reliable_change_threshold": ({"phq9": 6, "gad7": 4}[instrument] if valid else None),
        "caseness_threshold": ({"phq9": 10, "gad7": 8}[instrument] if valid else None),
        "threshold_source": SOURCE[instrument] if valid else None,
    }


TIMESERIES = [
    # Ada: PHQ-9 15 -> 8 (reliable improvement, recovery); GAD-7 10 -> 9 (no reliable change); item 9 positive.
    ts("a", "phq9", "2026-10-01T09:00:00Z", "ra1", 15, baseline=True, eligible=True),
    ts("a", "gad7", "2026-10-01T09:00:00Z", "ra1", 10, baseline=True, eligible=True),
    ts(
        "a",
        "phq9",
        "2026-11-10T09:00:00Z",
        "ra2",
        8,
        change=-7,
        rc="reliable improvement",
        eligible=True,
        recovery=True,
        rrec=True,
        item9=True,
    ),
    ts(
        "a",
        "gad7",
        "2026-11-10T09:00:00Z",
        "ra2",
        9,
        change=-1,
        rc="no reliable change",
        eligible=True,
        recovery=False,
        rrec=False,
    ),
    # After the week: must change nothing.
    ts(
        "a",
        "phq9",
        "2026-11-17T09:00:00Z",
        "ra3",
        3,
        change=-12,
        rc="reliable improvement",
        eligible=True,
        recovery=True,
        rrec=True,
        item9=True,
    ),
    # Ben: PHQ-9 9 -> 16 (deterioration, not eligible); item 9 unanswered; GAD-7 invalid;
    # then an invalid PHQ-9 with a positive item 9 (R4), and a later valid one after the week.
    ts("b", "phq9", "2026-10-05T09:00:00Z", "rb1", 9, baseline=True, eligible=False),
    ts(
        "b",
        "phq9",
        "2026-11-12T10:00:00Z",
        "rb2",
        16,
        change=7,
        rc="reliable deterioration",
        eligible=False,
        recovery=False,
        rrec=False,
        answered=False,
    ),
    ts("b", "gad7", "2026-11-12T10:00:00Z", "rb2", None, n_missing=3),
    ts("b", "phq9", "2026-11-14T10:00:00Z", "rb3", None, n_missing=3, item9=True),
    ts(
        "b",
        "phq9",
        "2026-11-20T10:00:00Z",
        "rb4",
        5,
        change=-4,
        rc="no reliable change",
        eligible=False,
        recovery=False,
        rrec=False,
    ),
    # Cem: first ever response in the last second of the week, item 9 answered "not at all".
    ts("c", "phq9", "2026-11-15T23:59:59Z", "rc1", 12, baseline=True, eligible=True),
    ts("c", "gad7", "2026-11-15T23:59:59Z", "rc1", 7, baseline=True, eligible=False),
    # Dora: just before and just after the week, both item-9 positive: not this week's.
    ts("d", "phq9", "2026-11-08T23:59:59Z", "rd1", 20, baseline=True, eligible=True, item9=True),
    ts(
        "d",
        "phq9",
        "2026-11-16T00:00:00Z",
        "rd2",
        21,
        change=1,
        rc="no reliable change",
        eligible=True,
        recovery=False,
        rrec=False,
        item9=True,
    ),
    # e (no contact): first second of the week, prorated, item 9 positive.
    ts(
        "e",
        "phq9",
        "2026-11-09T00:00:00Z",
        "re1",
        21,
        baseline=True,
        eligible=True,
        prorated=True,
        n_missing=1,
        item9=True,
    ),
    # Fay: PHQ-9 20 -> 12 (improvement, no recovery), GAD-7 5 -> 10 (deterioration): mixed.
    ts("f", "phq9", "2026-09-01T09:00:00Z", "rf1", 20, baseline=True, eligible=True),
    ts("f", "gad7", "2026-09-01T09:00:00Z", "rf1", 5, baseline=True, eligible=False),
    ts(
        "f",
        "phq9",
        "2026-11-11T09:00:00Z",
        "rf2",
        12,
        change=-8,
        rc="reliable improvement",
        eligible=True,
        recovery=False,
        rrec=False,
    ),
    ts(
        "f",
        "gad7",
        "2026-11-11T09:00:00Z",
        "rf2",
        10,
        change=5,
        rc="reliable deterioration",
        eligible=False,
        recovery=False,
        rrec=False,
    ),
]


def paired(
    client: str,
    n: int,
    classification: str | None,
    case: bool | None = None,
    recovery: bool | None = None,
    rrec: bool | None = None,
) -> dict[str, Any]:
    return {
        "client_id": client,
        "n_pairs": n,
        "baseline_at": "2026-09-01T09:00:00Z",
        "followup_at": None,
        "phq9_baseline": 1,
        "phq9_followup": None,
        "gad7_baseline": 1,
        "gad7_followup": None,
        "classification": classification,
        "baseline_caseness": case,
        "recovery": recovery,
        "reliable_improvement": None,
        "any_reliable_deterioration": None,
        "reliable_recovery": rrec,
        "mixed": classification == "mixed",
    }


PAIRED = [
    paired("a", 2, "reliable improvement", True, False, False),
    paired("c", 1, None),
    paired("d", 2, "reliable deterioration", True, False, False),
    paired("f", 2, "mixed", True, False, False),
]


def conv(
    key: str,
    first_in: str | None,
    last_in: str | None,
    *,
    status: str,
    awaiting: bool,
    response: int | None,
    known: bool = False,
    name: str = "N.N.",
    subject: str = "Anfrage",
) -> dict[str, Any]:
    return {
        "conversation_key": key,
        "counterpart_email": f"{key}@example.org",
        "counterpart_name": name,
        "subject": subject,
        "mailboxes": ["praxis@example.net"],
        "message_count": 2,
        "first_message_at": first_in or "2026-11-01T00:00:00Z",
        "last_message_at": last_in or first_in,
        "first_inbound_at": first_in,
        "last_inbound_at": last_in,
        "last_outbound_at": None,
        "awaiting_reply": awaiting,
        "first_response_minutes": response,
        "is_known_client": known,
        "status": status,
    }


INBOX = [
    conv("k1", "2026-11-09T00:00:00Z", "2026-11-09T00:00:00Z", status="in conversation", awaiting=False, response=30),
    conv(
        "k2", "2026-11-10T12:00:00Z", "2026-11-10T12:00:00Z", status="client", awaiting=False, response=90, known=True
    ),
    conv("k3", "2026-11-12T08:00:00Z", "2026-11-12T08:00:00Z", status="new inquiry", awaiting=True, response=None),
    conv("k4", "2026-11-15T20:00:00Z", "2026-11-15T22:00:00Z", status="awaiting reply", awaiting=True, response=45),
    conv("k5", "2026-11-08T23:59:59Z", "2026-11-08T23:59:59Z", status="new inquiry", awaiting=True, response=None),
    conv("k6", "2026-11-16T00:00:00Z", "2026-11-16T00:00:00Z", status="new inquiry", awaiting=True, response=None),
    conv("k7", None, None, status="internal", awaiting=False, response=None),
    conv(
        "k8",
        "2026-11-01T10:00:00Z",
        "2026-11-01T10:00:00Z",
        status="in conversation",
        awaiting=False,
        response=600,
        known=True,
    ),
    conv("k9", "2026-10-20T10:00:00Z", "2026-11-13T12:00:00Z", status="awaiting reply", awaiting=True, response=15),
]
