"""Round half up in exact integer arithmetic (R7; Python's round() rounds half to even)."""

from __future__ import annotations


def prorate_half_up(partial_sum: int, n_items: int, n_answered: int) -> int:
    """``round_half_up(partial_sum * n_items / n_answered)`` without floating point."""
    numerator = partial_sum * n_items
    return (2 * numerator + n_answered) // (2 * n_answered)
