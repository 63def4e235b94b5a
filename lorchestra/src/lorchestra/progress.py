"""Progress on long work: a live line (records, rate, elapsed) on a terminal; nothing
otherwise (cron, pipes, ``--json``). Jobs report through their event client."""

from __future__ import annotations

import time
from typing import Protocol, TextIO


class Progress(Protocol):
    def advance(self, job: str, records: int) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    def advance(self, job: str, records: int) -> None:
        pass

    def finish(self) -> None:
        pass


class TerminalProgress:
    """Rewrites one line in place, at most every ``interval`` seconds."""

    def __init__(self, stream: TextIO, interval: float = 0.2) -> None:
        self.stream = stream
        self.interval = interval
        self.job: str | None = None
        self.records = 0
        self.started = time.monotonic()
        self.shown_at = 0.0

    def advance(self, job: str, records: int) -> None:
        if job != self.job:
            self.finish()
            self.job, self.records, self.started = job, 0, time.monotonic()
        self.records += records
        now = time.monotonic()
        if now - self.shown_at >= self.interval:
            self.shown_at = now
            self._show(now)

    def finish(self) -> None:
        if self.job is not None:
            self._show(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
            self.job = None

    def _show(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-6)
        self.stream.write(
            f"\r{self.job}: {self.records} records, {self.records / elapsed:,.0f}/s, {elapsed:.1f} s elapsed\x1b[K"
        )
        self.stream.flush()
