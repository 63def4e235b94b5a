"""The item values of one practice response: a client's intended PHQ-9/GAD-7 totals (the
CLIENTS.md notation) spread over the items, deterministically per response, with the
special cases of ``practice_story.SPECIAL``."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from practice_story import SPECIAL, Client


def parse_token(text: str) -> dict[str, Any]:
    m = re.fullmatch(r"(\d+|x)(p?)([!?]?)", text)
    assert m, text
    return {"total": None if m[1] == "x" else int(m[1]), "prorated": m[2] == "p", "item9": m[3]}


@dataclass
class Answers:
    phq: list[int | None]  # 9 items; None = unanswered; -1 = unknown text (see phq_raw)
    gad: list[int | None]
    phq_raw: dict[int, str]
    gad_raw: dict[int, str]


def spread(total: int, n: int, fixed: dict[int, int], missing: list[int], rng: random.Random) -> list[int | None]:
    values: list[int | None] = [None if i in missing else 0 for i in range(n)]
    for i, v in fixed.items():
        values[i] = v
    free = [i for i in range(n) if i not in fixed and i not in missing]
    remaining = total - sum(fixed.values())
    assert 0 <= remaining <= 3 * len(free), (total, fixed, missing)
    while remaining:
        i = rng.choice([j for j in free if values[j] < 3])
        values[i] += 1
        remaining -= 1
    return values


def answers_for(client: Client, index: int, phq: dict[str, Any], gad: dict[str, Any]) -> Answers:
    rng = random.Random(f"{client.key}:{index}")
    special = SPECIAL.get((client.key, index), {})
    phq_missing = special.get("phq_missing", [])
    phq_fixed = dict(special.get("phq_fixed", {}))
    if 8 not in phq_missing:
        phq_fixed[8] = special.get("item9", 1) if phq["item9"] == "!" else 0
    phq_raw = special.get("phq_raw", {})
    for i in phq_raw:
        phq_fixed[i] = 0  # placeholder; the text replaces it
    phq_sum = special.get("phq_sum", phq["total"])
    phq_values = spread(phq_sum, 9, phq_fixed, phq_missing, rng)
    for i in phq_raw:
        phq_values[i] = -1
    gad_missing = special.get("gad_missing", [])
    gad_fixed = dict(special.get("gad_fixed", {}))
    gad_values = spread(special.get("gad_sum", gad["total"]), 7, gad_fixed, gad_missing, rng)
    return Answers(phq_values, gad_values, phq_raw, special.get("gad_raw", {}))
