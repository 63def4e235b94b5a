"""The delivery ledger: what each report or alert carried and to whom it was delivered.

Two tables the reporter keeps in the warehouse (created on first use, never rebuilt:
they record facts, unlike the projections):

- ``report_deliveries``: one row per delivery and target (a recipient's address, or
  ``outbox``), with the Message-ID fixed when the delivery was prepared and the status
  ``pending`` -> ``accepted`` (or ``withdrawn`` when the target left the config first);
- ``safety_flag_deliveries``: one row per flag a delivery carried (weekly reports and
  immediate alerts alike), written in the same step as the delivery's targets.

A delivery is prepared once (its flags claimed, its message stored) and then only
completed: a rerun after a crash or a refusal sends the stored message, with its
Message-ID, to the targets that have not accepted it, and to no one else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from lorchestra.jobkit import Column, RowsChange, Store, utcnow
from reporter.ledger_tables import ACCEPTED, ALERT, DELIVERIES, FLAGS, PENDING, WEEKLY, WITHDRAWN
from reporter.safety import CarriedFlag

__all__ = ["ACCEPTED", "ALERT", "DELIVERIES", "FLAGS", "PENDING", "WEEKLY", "WITHDRAWN", "Delivery", "Ledger"]

DELIVERY_COLUMNS = [
    Column("delivery_id", "string"),
    Column("kind", "string"),
    Column("week", "string"),
    Column("method", "string"),
    Column("target", "string"),
    Column("message_id", "string"),
    Column("message_path", "string", "the prepared message, relative to the PHI home"),
    Column("status", "string"),
    Column("prepared_at", "timestamp"),
    Column("accepted_at", "timestamp"),
    Column("run_id", "string"),
]
FLAG_COLUMNS = [
    Column("flag_key", "string"),
    Column("delivery_id", "string"),
    Column("kind", "string"),
    Column("week", "string"),
    Column("late", "bool"),
    Column("answer", "string"),
    Column("client_id", "string"),
    Column("response_id", "string"),
    Column("measured_at", "timestamp"),
    Column("recorded_at", "timestamp"),
]


@dataclass
class Delivery:
    delivery_id: str
    kind: str
    week: str | None
    method: str
    message_id: str
    message_path: str
    prepared_at: datetime
    run_id: str
    targets: dict[str, str] = field(default_factory=dict)  # target -> status
    accepted_at: dict[str, datetime] = field(default_factory=dict)

    def open_targets(self, wanted: Sequence[str]) -> list[str]:
        """The ``wanted`` targets that have not accepted this delivery, in their order."""
        return [t for t in wanted if self.targets.get(t) != ACCEPTED]


class Ledger:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure_table(DELIVERIES, DELIVERY_COLUMNS)
        store.ensure_table(FLAGS, FLAG_COLUMNS)

    def delivery(self, delivery_id: str) -> Delivery | None:
        return _deliveries(self.store.lookup_rows(DELIVERIES, "delivery_id", [delivery_id], _names())).get(delivery_id)

    def unfinished(self, kind: str) -> list[Delivery]:
        """Deliveries of ``kind`` with a target still pending, oldest first."""
        pending_ids = {
            r["delivery_id"]
            for r in self.store.lookup_rows(DELIVERIES, "status", [PENDING], ["delivery_id", "kind"])
            if r["kind"] == kind
        }
        rows = self.store.lookup_rows(DELIVERIES, "delivery_id", sorted(pending_ids), _names())
        return sorted(_deliveries(rows).values(), key=lambda d: (d.prepared_at, d.delivery_id))

    def carried_keys(self, flag_keys: Iterable[str], kind: str) -> set[str]:
        """Which of ``flag_keys`` a delivery of ``kind`` has carried (or claimed: pending)."""
        keys = sorted(set(flag_keys))
        return {
            r["flag_key"]
            for r in self.store.lookup_rows(FLAGS, "flag_key", keys, ["flag_key", "kind"])
            if r["kind"] == kind
        }

    def prepared(self, kind: str) -> dict[str, datetime]:
        """``{delivery_id: prepared_at}`` of every delivery of ``kind``."""
        rows = self.store.lookup_rows(DELIVERIES, "kind", [kind], ["delivery_id", "prepared_at"])
        return {str(r["delivery_id"]): r["prepared_at"] for r in rows}

    def prepare(self, delivery: Delivery, flags: Sequence[CarriedFlag]) -> None:
        """Record a prepared delivery, its targets pending and its flags claimed, in one step."""
        now = utcnow()
        self.store.replace_rows(
            [
                RowsChange(DELIVERIES, DELIVERY_COLUMNS, "delivery_id", [delivery.delivery_id], _rows(delivery)),
                RowsChange(
                    FLAGS,
                    FLAG_COLUMNS,
                    "delivery_id",
                    [delivery.delivery_id],
                    [
                        {
                            "flag_key": c.flag.flag_key,
                            "delivery_id": delivery.delivery_id,
                            "kind": delivery.kind,
                            "week": delivery.week,
                            "late": c.late,
                            "answer": c.flag.answer,
                            "client_id": c.flag.client_id,
                            "response_id": c.flag.response_id,
                            "measured_at": c.flag.measured_at,
                            "recorded_at": now,
                        }
                        for c in flags
                    ],
                ),
            ]
        )

    def settle(
        self,
        delivery: Delivery,
        *,
        accepted: Sequence[str] = (),
        withdrawn: Sequence[str] = (),
        added: Sequence[str] = (),
    ) -> Delivery:
        """Record targets that accepted, targets withdrawn from the config and new ones."""
        now = utcnow()
        targets = dict(delivery.targets)
        stamps = dict(delivery.accepted_at)
        for target in added:
            targets.setdefault(target, PENDING)
        for target in withdrawn:
            if targets.get(target) == PENDING:
                targets[target] = WITHDRAWN
        for target in accepted:
            targets[target] = ACCEPTED
            stamps[target] = now
        settled = replace(delivery, targets=targets, accepted_at=stamps)
        self.store.replace_rows(
            [RowsChange(DELIVERIES, DELIVERY_COLUMNS, "delivery_id", [delivery.delivery_id], _rows(settled))]
        )
        return settled


def _names() -> list[str]:
    return [c.name for c in DELIVERY_COLUMNS]


def _rows(delivery: Delivery) -> list[dict[str, object]]:
    return [
        {
            "delivery_id": delivery.delivery_id,
            "kind": delivery.kind,
            "week": delivery.week,
            "method": delivery.method,
            "target": target,
            "message_id": delivery.message_id,
            "message_path": delivery.message_path,
            "status": status,
            "prepared_at": delivery.prepared_at,
            "accepted_at": delivery.accepted_at.get(target),
            "run_id": delivery.run_id,
        }
        for target, status in delivery.targets.items()
    ]


def _deliveries(rows: Iterable[dict[str, object]]) -> dict[str, Delivery]:
    found: dict[str, Delivery] = {}
    for row in rows:
        key = str(row["delivery_id"])
        delivery = found.setdefault(
            key,
            Delivery(
                delivery_id=key,
                kind=str(row["kind"]),
                week=row["week"],  # type: ignore[arg-type]
                method=str(row["method"]),
                message_id=str(row["message_id"]),
                message_path=str(row["message_path"]),
                prepared_at=row["prepared_at"],  # type: ignore[arg-type]
                run_id=str(row["run_id"]),
            ),
        )
        delivery.targets[str(row["target"])] = str(row["status"])
        if row["accepted_at"] is not None:
            delivery.accepted_at[str(row["target"])] = row["accepted_at"]  # type: ignore[assignment]
    return found
