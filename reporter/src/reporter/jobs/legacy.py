"""Weeks delivered before the ledger existed: earlier versions recorded a delivered week
only as a ``report.delivered`` event. Until job state records them entered, they become
deliveries of their own (method ``legacy``, nothing stored to send again), claiming the
flags those reports showed: measured in the week, and scored before the report went out.
A flag scored later (a late extraction) was in no report and is carried by the next one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from lorchestra.jobkit import Store
from reporter.jobs.ledger import ACCEPTED, WEEKLY, Delivery, Ledger
from reporter.safety import CarriedFlag, SafetyFlag
from reporter.weeks import parse_timestamp, week_of

LEGACY = "legacy"


def import_legacy_deliveries(store: Store, ledger: Ledger, flags: Sequence[SafetyFlag]) -> int:
    """Record every week an earlier version delivered; the number of weeks."""
    delivered = _legacy_weeks(store)
    if not delivered:
        return 0
    first_scored = _first_scored(store, [f.flag_key for f in flags])
    for week, at in sorted(delivered.items()):
        shown = [
            CarriedFlag(f, late=False)
            for f in flags
            if week_of(parse_timestamp(f.measured_at).date()) == week
            and f.flag_key in first_scored
            and first_scored[f.flag_key] < at
        ]
        ledger.prepare(
            Delivery(
                delivery_id=f"weekly:{week}",
                kind=WEEKLY,
                week=week,
                method=LEGACY,
                message_id="",
                message_path="",
                prepared_at=at,
                run_id=LEGACY,
                targets={LEGACY: ACCEPTED},
            ),
            shown,
        )
    return len(delivered)


def _legacy_weeks(store: Store) -> dict[str, datetime]:
    """``{week: when it was first delivered}`` from the events of earlier versions."""
    found: dict[str, datetime] = {}
    for event in store.read_events(("report.delivered",), status="ok"):
        payload = event.payload
        if isinstance(payload, Mapping) and payload.get("week") and not payload.get("delivery_id"):
            at = parse_timestamp(event.created_at, "created_at")
            week = str(payload["week"])
            found[week] = min(found.get(week, at), at)
    return found


def _first_scored(store: Store, flag_keys: Sequence[str]) -> dict[str, datetime]:
    """When each flag's response was first scored: its oldest measurement's ``created_at``
    (a flag object itself may be younger: it came with the scorer that writes them)."""
    sources = {
        r["idem_key"]: r["source_idem_key"]
        for r in store.lookup_rows("canonical_objects", "idem_key", list(flag_keys), ["idem_key", "source_idem_key"])
    }
    scored: dict[str, datetime] = {}
    for row in store.lookup_rows(
        "canonical_objects",
        "source_idem_key",
        sorted(set(sources.values())),
        ["source_idem_key", "object_type", "created_at"],
    ):
        if row["object_type"] == "measurement":
            at: Any = parse_timestamp(row["created_at"], "created_at")
            key = row["source_idem_key"]
            scored[key] = min(scored.get(key, at), at)
    return {flag: scored[source] for flag, source in sources.items() if source in scored}
