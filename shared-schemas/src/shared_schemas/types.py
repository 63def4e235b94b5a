"""Python types of the suite's canonical shapes and closed vocabularies.

Each ``TypedDict`` mirrors one JSON Schema (keys = its properties, required keys = its
``required``) and each ``Literal`` one ``enum``; ``tests/test_types.py`` holds them to the
schemas, so a type and its schema cannot drift apart. The schemas stay the authority:
they are what a record is validated against.
"""

# No ``from __future__ import annotations``: TypedDict reads NotRequired from evaluated annotations.
from typing import Any, Final, Literal, NotRequired, TypedDict

# --- closed vocabularies ---------------------------------------------------------------------
# iglu:org.lorchestra/measurement_timeseries/jsonschema/1-0-0 reliable_change (R12)
ReliableChange = Literal["reliable improvement", "no reliable change", "reliable deterioration"]
# iglu:org.lorchestra/measurement_paired/jsonschema/1-0-0 classification (R13; mixed: A3)
PairedClassification = Literal["reliable improvement", "no reliable change", "reliable deterioration", "mixed"]
RELIABLE_IMPROVEMENT: Final = "reliable improvement"
NO_RELIABLE_CHANGE: Final = "no reliable change"
RELIABLE_DETERIORATION: Final = "reliable deterioration"
MIXED: Final = "mixed"  # one measure reliably better, the other reliably worse
# iglu:org.canonical/safety_flag/jsonschema/1-0-0 flag (R4, A5)
SafetyFlagName = Literal["item9_positive", "item9_invalid", "item9_unanswered"]
# iglu:org.lorchestra/item9_state/jsonschema/1-0-0: what a report says about one item-9 answer
Item9State = Literal["positive", "negative", "not answered, follow up", "answered invalidly, follow up"]
# iglu:org.lorchestra/inbox_view/jsonschema/1-0-0 status
InboxStatus = Literal["client", "new inquiry", "awaiting reply", "in conversation", "internal"]
# iglu:org.canonical/email/jsonschema/1-0-0 direction and sent_at_source
EmailDirection = Literal["inbound", "outbound"]
SentAtSource = Literal["date_header", "received_fallback"]
# The severity values of the shipped instrument definitions (their bands' labels). Not a
# schema enum: a new instrument brings its own labels, and needs no schema change.
SeverityLabel = Literal["minimal", "mild", "moderate", "moderately severe", "severe"]


# --- canonical objects -----------------------------------------------------------------------
class EmailAddress(TypedDict):
    name: str | None
    email: str


# "from" is a keyword: the functional form.
Email = TypedDict(
    "Email",
    {
        "message_id": str | None,
        "message_key": str | None,
        "source": dict[str, Any],
        "thread_key": str | None,
        "from": EmailAddress | None,
        "to": list[EmailAddress],
        "cc": list[EmailAddress],
        "subject": str,
        "sent_at": str,
        "sent_at_source": SentAtSource,
        "received_at": str,
        "direction": EmailDirection,
        "preview": str,
        "body_text": str,
        "labels": list[str],
        "has_attachments": bool,
        "in_reply_to": str | None,
        "references": list[str],
    },
)


class Contact(TypedDict):
    contact_id: str
    full_name: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    active: bool
    created_at: str | None
    modified_at: str | None
    source: dict[str, Any]


class ClinicalSession(TypedDict):
    session_id: str
    contact_id: str | None
    name: str | None
    session_at: str | None
    session_type: str | None
    duration_minutes: int | None
    active: bool


class QuestionnaireResponse(TypedDict):
    response_id: str
    form_id: str
    form_title: str | None
    respondent_email: str | None
    client_id: str | None
    submitted_at: str
    created_at: str | None
    instruments: dict[str, Any]  # instrument id -> {"answers": [...], "invalid_items": [...], "difficulty": ...}
    unmapped_question_ids: list[str]


class InvalidItemEntry(TypedDict):
    item: int
    rule: str  # "R9.out_of_range" ...: the rule, never the value


class Measurement(TypedDict):
    instrument: str
    instrument_version: str
    response_id: str
    client_id: str | None
    measured_at: str
    total: int | None
    severity: str | None  # a SeverityLabel of the shipped instruments
    valid: bool
    prorated: bool
    n_missing: int
    items: list[int | None]
    errors: list[str]
    invalid_items: NotRequired[list[InvalidItemEntry]]
    item9_positive: bool | None
    item9_answered: bool | None
    difficulty: NotRequired[str | None]


class SafetyFlag(TypedDict):
    flag: SafetyFlagName
    instrument: str
    response_id: str
    client_id: str | None
    respondent_email: str | None
    measured_at: str
    total: int | None
    severity: str | None


# --- projection rows -------------------------------------------------------------------------
class TimeseriesRow(TypedDict):
    """A row of ``measurement_timeseries``: one score with its change against the client's first valid one."""

    client_id: str | None
    instrument: str | None
    measured_at: str | None
    response_id: str | None
    total: int | None
    severity: str | None
    valid: bool | None
    prorated: bool | None
    n_missing: int | None
    invalid_items: list[str] | None  # "<item>:<rule>"
    item9_positive: bool | None
    item9_answered: bool | None
    is_baseline: bool | None
    baseline_at: str | None
    baseline_total: int | None
    change: int | None
    reliable_change: ReliableChange | None
    baseline_caseness: bool | None
    followup_caseness: bool | None
    recovery_eligible: bool | None
    recovery: bool | None
    reliable_recovery: bool | None
    reliable_change_threshold: int | None
    caseness_threshold: int | None
    threshold_source: str | None


class PairedRow(TypedDict):
    """A row of ``measurement_paired``: R13 per client (``<instrument>_baseline``/``_followup`` per paired instrument)."""

    client_id: str | None
    n_pairs: int | None
    baseline_at: str | None
    followup_at: str | None
    phq9_baseline: int | None
    phq9_followup: int | None
    gad7_baseline: int | None
    gad7_followup: int | None
    classification: PairedClassification | None
    baseline_caseness: bool | None
    recovery: bool | None
    reliable_improvement: bool | None
    any_reliable_deterioration: bool | None
    reliable_recovery: bool | None
    mixed: bool | None


class InboxRow(TypedDict):
    """A row of ``inbox_view``: one conversation and where it stands."""

    conversation_key: str | None
    counterpart_email: str | None
    counterpart_name: str | None
    subject: str | None
    mailboxes: list[str] | None
    message_count: int | None
    first_message_at: str | None
    last_message_at: str | None
    first_inbound_at: str | None
    last_inbound_at: str | None
    last_outbound_at: str | None
    awaiting_reply: bool | None
    first_response_minutes: int | None
    is_known_client: bool | None
    status: InboxStatus | None
