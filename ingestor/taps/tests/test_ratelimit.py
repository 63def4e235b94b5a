"""The token bucket that keeps the taps under an API's per-user quota (a fake clock, no sleeps)."""

from __future__ import annotations

import pytest

from lorc_taps.ratelimit import TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_burst_up_to_capacity_then_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(225, capacity=25, clock=clock, sleep=clock.sleep)
    for _ in range(5):  # 25 units of burst: no wait
        bucket.take(5)
    assert clock.now == 0.0
    for _ in range(45):  # then 225 units take one second
        bucket.take(5)
    assert clock.now == pytest.approx(1.0)


def test_no_one_second_window_exceeds_rate_plus_capacity() -> None:
    clock = FakeClock()
    bucket = TokenBucket(90, capacity=10, clock=clock, sleep=clock.sleep)
    spent: list[float] = []
    for _ in range(400):
        bucket.take(5)
        spent.append(clock.now)
    for start in spent:
        assert 5 * sum(1 for moment in spent if start <= moment < start + 1.0) <= 100


def test_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(0)
