"""MapPool: the same results as mapping in the job's process, in input order, and a
worker's exception reaches the job as itself, its message still withheld from output."""

from __future__ import annotations

import os

import pytest

from lorchestra.errors_safe import safe_error, safe_traceback
from lorchestra.jobkit.pool import MapPool

SECRET = "Anna Beispiel, geb. 1984"


def square_with_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def fail_on_seven(n: int) -> int:
    if n == 7:
        raise ValueError(f"could not map the record of {SECRET}")
    return n


def test_pages_beyond_the_threshold_are_mapped_by_workers_in_input_order() -> None:
    page = list(range(200))
    with MapPool(square_with_pid, workers=2, min_items=50, pack=lambda r: [r], unpack=lambda r: r[0]) as pool:
        small = pool.map(page[:50])  # within the threshold: in this process
        big = pool.map(page)
    assert [v for v, _ in small] == [n * n for n in page[:50]] and {p for _, p in small} == {os.getpid()}
    assert [v for v, _ in big] == [n * n for n in page]
    assert os.getpid() not in {p for _, p in big} and len({p for _, p in big}) >= 1


def test_one_worker_keeps_everything_in_the_job_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LORC_MAP_WORKERS", "1")
    with MapPool(square_with_pid, min_items=0) as pool:
        assert {p for _, p in pool.map(list(range(100)))} == {os.getpid()}


def test_a_workers_exception_surfaces_without_its_message_in_what_is_shown() -> None:
    with MapPool(fail_on_seven, workers=2, min_items=0) as pool, pytest.raises(ValueError) as caught:
        pool.map(list(range(20)))
    assert SECRET not in safe_error(caught.value) and SECRET not in safe_traceback(caught.value)
    assert "ValueError" in safe_error(caught.value)
