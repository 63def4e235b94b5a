"""The safety flags a score raises (R4, A5), as its instrument's definition declares them.

Each flag is kept as an object of its own beside the measurement (see ``jobs``), keyed by
the response and the flag: a flag once seen stays on record even when the response is
edited afterwards, so the weekly safety list can carry every flag exactly once.
"""

from __future__ import annotations

from typing import Final

from final_form.scoring import Score
from shared_schemas.types import SafetyFlagName

ITEM9_POSITIVE: Final[SafetyFlagName] = "item9_positive"  # any answer other than "Not at all" (R4): assess the risk
ITEM9_INVALID: Final[SafetyFlagName] = "item9_invalid"  # answered with no valid answer (R9): follow it up
ITEM9_UNANSWERED: Final[SafetyFlagName] = "item9_unanswered"  # not answered (A5): follow it up


def safety_flags(result: Score) -> tuple[str, ...]:
    """The flags of one score: per flag rule of its definition, positive, else (the item
    has no valid answer) invalid or unanswered."""
    return result.flags
