"""Every table the store keeps, declared once as data.

A :class:`Table` is ordered columns with portable types, its key, and how BigQuery
partitions and clusters it. Each backend generates its DDL and load schemas from these
declarations (``duckdb_store/ddl.py``, ``bigquery_store/ddl.py``); nothing else names a
column type. Projections and ledgers declare their own tables with the same types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Portable column types; each backend maps them to its own.
COLUMN_TYPES = ("string", "int", "float", "bool", "timestamp", "string[]", "json")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Column:
    """``required``: never NULL. ``allowed``: the only values it may hold. ``bulky``: large,
    high-entropy text (payloads) that a backend should not try to compress."""

    name: str
    type: str
    description: str = ""
    required: bool = False
    allowed: tuple[str, ...] = ()
    bulky: bool = False

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES or not _NAME.match(self.name):
            raise ValueError(f"bad column {self.name!r} of type {self.type!r}")


@dataclass(frozen=True)
class Table:
    """``key``: the columns that identify a row. ``indexed_key``: the backend enforces it
    with an index (left off where the store's batch writes already keep keys unique and an
    index over millions of keys would cost memory and slow bulk inserts).
    ``partition_by``: a timestamp column BigQuery partitions by, per ``partition_unit``
    (``DAY`` or ``MONTH``): the tables that keep every record are partitioned on when a row
    was first (objects) or last (the map ledger) written, so that a batch's statements can
    name the few partitions they touch."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    indexed_key: bool = True
    partition_by: str | None = None
    partition_unit: str = "DAY"
    cluster_by: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        check_table_name(self.name)
        names = [c.name for c in self.columns]
        unknown = [n for n in (*self.key, *self.cluster_by, *filter(None, [self.partition_by])) if n not in names]
        if self.partition_unit not in ("DAY", "MONTH"):
            raise ValueError(f"table {self.name}: partition_unit is DAY or MONTH, not {self.partition_unit!r}")
        if unknown or len(set(names)) != len(names):
            raise ValueError(f"table {self.name}: unknown or repeated columns {unknown or names}")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def check_table_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"{name!r} is not a valid projection table name")
    return name


def check_field_name(name: str) -> str:
    """A top-level payload field used in a filter (written into SQL, so checked)."""
    if not _NAME.match(name):
        raise ValueError(f"{name!r} is not a valid payload field name for a filter")
    return name


def _text(name: str, *, required: bool = True) -> Column:
    return Column(name, "string", required=required)


def _time(name: str) -> Column:
    return Column(name, "timestamp", required=True)


def _payload() -> Column:
    return Column("payload", "json", required=True, bulky=True)


EVENT_LOG = Table(
    "event_log",
    (
        _text("event_id"),
        _text("event_type"),
        _text("source_system", required=False),
        _text("connection_name", required=False),
        _text("target_object_type", required=False),
        _text("event_schema_ref", required=False),
        _text("correlation_id", required=False),
        _text("trace_id", required=False),
        _time("created_at"),
        Column("status", "string", required=True, allowed=("ok", "failed")),
        _text("error_message", required=False),
        Column("payload", "json"),
    ),
    key=("event_id",),
    partition_by="created_at",
    cluster_by=("source_system", "event_type"),
    description="The audit log: telemetry only (counts, durations, parameters).",
)
RAW_OBJECTS = Table(
    "raw_objects",
    (
        _text("idem_key"),
        _text("source_system"),
        _text("connection_name"),
        _text("object_type"),
        _text("schema_ref", required=False),
        _text("external_id"),
        _payload(),
        _text("payload_hash"),
        _time("first_seen"),
        _time("last_seen"),
    ),
    key=("idem_key",),
    indexed_key=False,
    partition_by="first_seen",
    partition_unit="MONTH",
    cluster_by=("source_system", "connection_name", "object_type", "idem_key"),
    description="Records as the sources sent them, one row per idem_key.",
)
CANONICAL_OBJECTS = Table(
    "canonical_objects",
    (
        _text("idem_key"),
        _text("object_type"),
        _text("schema_ref"),
        _text("source_idem_key"),
        _text("source_payload_hash"),
        _text("transform_ref"),
        _payload(),
        _text("payload_hash"),
        _time("created_at"),
        _time("updated_at"),
        _time("last_seen"),
    ),
    key=("idem_key",),
    indexed_key=False,
    # updated_at, not created_at: a read of what changed since the last build ("updated
    # after") is then pruned to the recent partitions; a changed object moves to this month's.
    partition_by="updated_at",
    partition_unit="MONTH",
    cluster_by=("object_type", "idem_key"),
    description="Canonical objects, each derived from one input object.",
)
REJECTS = Table(
    "rejects",
    (
        _text("reject_key"),
        _text("job_name"),
        _text("input_key"),
        _text("input_idem_key", required=False),
        _text("source_system", required=False),
        _text("connection_name", required=False),
        _text("object_type", required=False),
        _text("rule"),
        _text("field"),
        _text("message"),
        _text("payload_hash", required=False),
        _time("first_seen"),
        _time("last_seen"),
        _text("run_id", required=False),
    ),
    key=("reject_key",),
    cluster_by=("job_name", "rule"),
    description="Inputs a job could not process: rule and field, never a value.",
)
PROCESSED_INPUTS = Table(
    "processed_inputs",
    (
        _text("consumer"),
        _text("input_idem_key"),
        _text("input_payload_hash"),
        _text("outcome"),
        _time("processed_at"),
        _text("run_id", required=False),
    ),
    key=("consumer", "input_idem_key"),
    partition_by="processed_at",
    partition_unit="MONTH",
    cluster_by=("consumer", "input_idem_key"),
    description="Which input (at which payload hash) each consumer has handled.",
)

JOB_STATE = Table(
    "job_state",
    (
        _text("state_id"),
        _text("consumer"),
        _text("state_key"),
        Column("basis", "string", "fingerprint of what the consumer's results rest on: a change means start over"),
        Column("watermark", "timestamp", "the latest input time the consumer has handled"),
        _text("outcome"),
        _text("run_id", required=False),
        _time("recorded_at"),
    ),
    key=("state_id",),
    cluster_by=("consumer",),
    description="Named states of a job, projection or report (state_id: consumer and state_key).",
)

SAFETY_FOLLOWUPS = Table(
    "safety_followups",
    (
        Column("flag_key", "string", "the safety_flag object's idem_key", required=True),
        Column("followed_up_by", "string", "a clinician as configured (console.clinicians)", required=True),
        _time("followed_up_at"),
        _time("recorded_at"),
    ),
    key=("flag_key",),
    cluster_by=("flag_key",),
    description="Which item-9 safety flag a clinician followed up, who and when: the first mark wins.",
)

CORE_TABLES: dict[str, Table] = {
    t.name: t
    for t in (EVENT_LOG, RAW_OBJECTS, CANONICAL_OBJECTS, REJECTS, PROCESSED_INPUTS, JOB_STATE, SAFETY_FOLLOWUPS)
}
TABLE_NAMES = tuple(CORE_TABLES)
