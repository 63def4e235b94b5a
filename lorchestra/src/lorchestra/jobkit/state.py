"""Job state: what a consumer, projection or report has already done, in one API.

Two kinds of record, each with columns named for what they mean:

- the **map ledger** (``processed_inputs``, one row per input a map job handled, with the
  input's payload hash): kept in the backends, because selecting the inputs new or
  changed since is one join on the hot path; reached here through :class:`JobStates`;
- **named states** (``job_state``, declared with the core tables in ``stack_clients.tables``): a few rows per consumer, each under a
  ``state_key``, holding a ``basis`` (the fingerprint of everything whose change means
  starting over), a ``watermark`` (the latest input time handled) and an ``outcome``.
  A projection keeps its build state here, a map job the basis of its bindings.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from lorchestra.stack_clients.clock import utcnow
from lorchestra.stack_clients.model import InputRow
from lorchestra.stack_clients.projection import RowsChange
from lorchestra.stack_clients.store import Store
from lorchestra.stack_clients.tables import JOB_STATE

_NAMES = JOB_STATE.column_names


@dataclass(frozen=True)
class JobState:
    basis: str | None = None
    watermark: datetime | None = None
    outcome: str = "ok"


class JobStates:
    """The job-state API over one store, for one run."""

    def __init__(self, store: Store, run_id: str) -> None:
        self.store, self.run_id = store, run_id

    # -- named states ---------------------------------------------------------------
    def get(self, consumer: str, state_key: str) -> JobState | None:
        return self.get_all(consumer).get(state_key)

    def get_all(self, consumer: str) -> dict[str, JobState]:
        """Every state of ``consumer``, by state key."""
        rows = self.store.lookup_rows(JOB_STATE.name, "consumer", [consumer], _NAMES)
        return {str(r["state_key"]): JobState(r["basis"], r["watermark"], str(r["outcome"])) for r in rows}

    def put(self, consumer: str, states: Mapping[str, JobState | None]) -> None:
        """Record (or, for None, drop) states of ``consumer``, all in one step."""
        if not states:
            return
        now = utcnow()
        rows = [
            {
                "state_id": _state_id(consumer, key),
                "consumer": consumer,
                "state_key": key,
                "basis": state.basis,
                "watermark": state.watermark,
                "outcome": state.outcome,
                "run_id": self.run_id,
                "recorded_at": now,
            }
            for key, state in states.items()
            if state is not None
        ]
        self.store.replace_rows(
            [
                RowsChange(
                    JOB_STATE.name, JOB_STATE.columns, "state_id", [_state_id(consumer, key) for key in states], rows
                )
            ]
        )

    def start_over_unless(self, consumer: str, basis: str, state_key: str = "basis") -> bool:
        """Make every input of ``consumer`` count as new when ``basis`` (the fingerprint of
        what its outputs depend on beyond the inputs: bindings, a definition) differs from
        the one it last ran with. True when it started over."""
        if (self.get(consumer, state_key) or JobState()).basis == basis:
            return False
        self.forget_processed(consumer)
        self.put(consumer, {state_key: JobState(basis)})
        return True

    # -- the map ledger -------------------------------------------------------------
    def changed_inputs(
        self, consumer: str, *, table: str, object_type: str, source_system: str | None = None, page_size: int = 1000
    ) -> Generator[list[InputRow], None, None]:
        """Pages of inputs ``consumer`` never handled or that changed since (by payload hash)."""
        return self.store.changed_inputs(
            consumer, table=table, object_type=object_type, source_system=source_system, page_size=page_size
        )

    def mark_processed(self, consumer: str, items: Sequence[tuple[str, str, str]], *, now: datetime) -> None:
        """``(input key, payload hash, outcome)`` handled by ``consumer``."""
        self.store.mark_processed(consumer, items, run_id=self.run_id, now=now)

    def forget_processed(self, consumer: str, keys: Sequence[str] | None = None) -> None:
        """Make inputs (all of them: ``None``) of ``consumer`` count as never handled."""
        self.store.forget_processed(consumer, keys)


def _state_id(consumer: str, state_key: str) -> str:
    return f"{consumer}\x1f{state_key}"
