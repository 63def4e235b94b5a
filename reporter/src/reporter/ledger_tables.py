"""The names of the delivery ledger's tables and values, for its readers.

The ledger job (``reporter.jobs.ledger``) writes the tables; the console's Reports page
reads them. Both take the names from here, so a reader needs no job adapter (which
imports lorchestra) to know what it reads.
"""

from __future__ import annotations

DELIVERIES = "report_deliveries"
FLAGS = "safety_flag_deliveries"
WEEKLY, ALERT = "weekly_report", "safety_alert"  # the kinds of delivery
PENDING, ACCEPTED, WITHDRAWN = "pending", "accepted", "withdrawn"  # a target's status

# The columns of report_deliveries, in the ledger's order.
DELIVERY_FIELDS = (
    "delivery_id",
    "kind",
    "week",
    "method",
    "target",  # a recipient's address, or "outbox"
    "message_id",
    "message_path",
    "status",
    "prepared_at",
    "accepted_at",
    "run_id",
)
