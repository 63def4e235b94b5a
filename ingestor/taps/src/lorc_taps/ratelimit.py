"""A token bucket: keep a client under an API's per-user quota instead of meeting its 429s."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """``rate`` units per second, bursts up to ``capacity`` (one second's worth by default).

    Thread-safe: every worker of a pool calls :meth:`take` before its request.
    """

    def __init__(
        self,
        rate: float,
        capacity: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be > 0, got {rate}")
        self._rate = rate
        self._capacity = capacity if capacity is not None else rate
        self._tokens = self._capacity
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._lock = threading.Lock()

    def take(self, units: float) -> None:
        """Block until ``units`` are available, then spend them."""
        units = min(units, self._capacity)
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
                self._updated = now
                if self._tokens >= units - 1e-9:  # float rounding must not spin
                    self._tokens -= units
                    return
                wait = (units - self._tokens) / self._rate
            self._sleep(wait)
