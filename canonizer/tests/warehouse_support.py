"""A real DuckDB warehouse in a PHI home for the job tests, written the way the extract jobs
write it, with connections the test chooses."""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path
from typing import Any

import pytest

from lorchestra.config import Config, load_config
from lorchestra.home import PhiHome
from lorchestra.initialize import init_home
from lorchestra.jobkit import JobContext
from lorchestra.stack_clients import (
    EventClient,
    ObjectSpec,
    Source,
    Store,
    open_store,
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PhiHome:
    """An initialised PHI home of this test alone (no LORC_* settings of the developer)."""
    for name in list(os.environ):
        if name.startswith("LORC_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LORC_HOME", str(tmp_path / "lorc-home"))
    phi_home = PhiHome(tmp_path / "lorc-home")
    init_home(phi_home)
    return phi_home


class Warehouse:
    """A DuckDB warehouse in a PHI home, written the way the extract jobs write it."""

    def __init__(self, home: PhiHome, connections: list[dict[str, Any]], kind: str = "forms") -> None:
        self.config: Config = load_config(home)
        self.configure(kind, connections)
        self.store: Store = open_store(self.config)
        self.store.ensure_schema()
        self.events = EventClient(self.store, run_id="run-extract", job_name="extract_test", tmp_dir=home.tmp_dir)

    def configure(self, kind: str, connections: list[dict[str, Any]]) -> None:
        """Connections of one kind, as the lead's config (issue 13 contract §4) will allow them."""
        self.config = dataclasses.replace(
            self.config,
            data={**self.config.data, "connections": {**self.config.section("connections"), kind: connections}},
        )

    def emit(
        self, system: str, connection: str, object_type: str, id_field: str, records: list[dict[str, Any]]
    ) -> None:
        self.events.emit_batch(
            "ingest.completed", records, spec=ObjectSpec(Source(system, connection), object_type, id_field=id_field)
        )

    def run(self, job: Any) -> dict[str, int]:
        ctx = JobContext(
            store=self.store,
            events=self.events,
            config=self.config,
            run_id="run-test",
            job_name=job.__name__,
            logger=logging.getLogger("test"),
        )
        return dict(job(ctx).counts)

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """Rows of ``sql`` on the DuckDB warehouse's own connection (the store has no SQL method)."""
        cursor = self.store.connection.execute(sql)  # type: ignore[attr-defined]
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def responses(self) -> dict[str, dict[str, Any]]:
        return {p["response_id"]: p for _, p in self.store.read_objects("canonical_objects", "questionnaire_response")}
