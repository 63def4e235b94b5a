"""The pages keep a model's result while its inputs are the same (or equal) objects, and only then."""

from __future__ import annotations

from lorc_console.memo import Memo


def test_a_result_is_kept_for_the_same_objects_and_values_only() -> None:
    calls: list[tuple[int, str]] = []

    def model(rows: list[int], *, label: str) -> tuple[int, str]:
        calls.append((len(rows), label))
        return (sum(rows), label)

    memo = Memo(entries=2)
    rows = [1, 2, 3]
    assert memo(model, rows, label="a") == memo(model, rows, label="a") == (6, "a")
    assert len(calls) == 1
    assert memo(model, [1, 2, 3], label="a") == (6, "a")  # an equal list (a re-read): kept
    assert len(calls) == 1
    assert memo(model, [1, 2, 4], label="a") == (7, "a")  # other rows: computed again
    assert memo(model, rows, label="b") == (6, "b")
    assert len(calls) == 3
    memo(model, rows, label="c")  # two entries: the oldest ("a") goes
    memo(model, rows, label="a")
    assert len(calls) == 5
