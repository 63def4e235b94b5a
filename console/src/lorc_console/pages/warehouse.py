"""What the pages of the practice's day read from the warehouse (through the reader's
read-only store): contacts, safety flags, follow-ups and the recent job runs."""

from __future__ import annotations

from dataclasses import dataclass

from lorchestra.followups import TABLE as FOLLOWUPS
from lorchestra.followups import recorded_followups
from lorchestra.stack_clients import Store
from lorchestra.status import JobRun, recent_runs
from reporter.clients import clients_from_contacts
from reporter.safety import SafetyFlag, flag_from_object

RECENT_JOBS = 50  # enough for the last pipeline run's jobs


@dataclass(frozen=True)
class DayRecords:
    clients: dict[str, dict[str, str]]
    flags: list[SafetyFlag]
    followed_up: frozenset[str]  # flag keys in safety_followups
    runs: list[JobRun]  # newest first


def contacts(store: Store) -> dict[str, dict[str, str]]:
    """``{contact_id: {"name", "email"}}``, as the reports name clients."""
    return clients_from_contacts(c for _, c in store.read_objects("canonical_objects", "contact"))


def followed_up_keys(store: Store) -> frozenset[str]:
    if not store.has_table(FOLLOWUPS):  # a warehouse from before follow-ups, read-only until its next run
        return frozenset()
    return frozenset(recorded_followups(store))


def day_records(store: Store) -> DayRecords:
    return DayRecords(
        clients=contacts(store),
        flags=[flag_from_object(k, p) for k, p in store.read_objects("canonical_objects", "safety_flag")],
        followed_up=followed_up_keys(store),
        runs=recent_runs(store, RECENT_JOBS),
    )
