"""The safety flags a score raises (R4, A5).

Each flag is kept as an object of its own beside the measurement (see ``jobs``), keyed by
the response and the flag: a flag once seen stays on record even when the response is
edited afterwards, so the weekly safety list can carry every flag exactly once.
"""

from __future__ import annotations

from final_form.scoring import Score

ITEM9_POSITIVE = "item9_positive"  # any answer other than "Not at all" (R4): assess the risk
ITEM9_INVALID = "item9_invalid"  # answered with something that is no valid answer (R9): follow it up
ITEM9_UNANSWERED = "item9_unanswered"  # not answered (A5): follow it up


def safety_flags(result: Score) -> tuple[str, ...]:
    """The flags of one score: at most one, positive first, then invalid, then unanswered."""
    if result.item9_positive:
        return (ITEM9_POSITIVE,)
    if result.item9_answered is False:
        return (ITEM9_INVALID,) if any(i.item == 9 for i in result.invalid_items) else (ITEM9_UNANSWERED,)
    return ()
