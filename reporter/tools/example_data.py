"""Score the invented example responses with final_form and write the rows the example
reports are drawn from (``reporter/src/reporter/example_data.json``).

    .venv/bin/python reporter/tools/example_data.py [--check]

reporter must not import final_form (no domain core imports another), so the example
rows are committed data made by the real scorer here; ``--check`` (and
``tests/test_reporter_examples.py``) regenerates them and compares. Each response is
given by its intended totals; the answers are derived from them and scored, and a total
the scorer does not reproduce stops the tool.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from final_form import load_instrument, measurement_payload, score
from final_form.rounding import prorate_half_up
from final_form.timeseries import build_paired_rows, build_timeseries_rows

TARGET = Path(__file__).resolve().parents[1] / "src" / "reporter" / "example_data.json"

# (client, date, time, phq9 total | None, gad7 total | None, extras)
# extras: item9 = 0..3 or None (unanswered); <instrument>_missing = unanswered items (prorated
# up to the instrument's limit, invalid beyond it).
RESPONSES: list[tuple[str, str, str, int | None, int | None, dict[str, Any]]] = [
    ("c-001", "2026-09-29", "08:10", 19, 15, {"item9": 1}),
    ("c-001", "2026-10-06", "08:05", 17, 14, {"item9": 0}),
    ("c-001", "2026-10-13", "08:12", 16, 12, {"item9": 0}),
    ("c-001", "2026-10-20", "08:00", 14, 11, {"item9": 0}),
    ("c-001", "2026-10-27", "08:20", 12, 9, {"item9": 0}),
    ("c-001", "2026-11-03", "08:15", 10, 8, {"item9": 0}),
    ("c-001", "2026-11-10", "08:09", 8, 6, {"item9": 0}),
    ("c-002", "2026-10-14", "16:30", 11, 9, {"item9": 0}),
    ("c-002", "2026-10-21", "16:25", 12, 10, {"item9": 0}),
    ("c-002", "2026-10-28", "16:40", 14, 11, {"item9": 1}),
    ("c-002", "2026-11-04", "16:35", 15, 12, {"item9": 0}),
    ("c-002", "2026-11-11", "16:32", 18, 14, {"item9": 2}),
    ("c-003", "2026-10-01", "11:00", 13, 10, {"item9": 0}),
    ("c-003", "2026-10-15", "11:05", None, 9, {"item9": 0, "phq9_missing": 4}),
    ("c-003", "2026-10-29", "10:55", 11, 8, {"item9": 0}),
    ("c-003", "2026-11-12", "11:10", 12, 7, {"item9": None, "phq9_missing": 1, "gad7_missing": 1}),
    ("c-004", "2026-11-13", "09:45", 16, 13, {"item9": 0}),
    ("c-005", "2026-09-30", "14:00", 9, 7, {"item9": 0}),
    ("c-005", "2026-10-28", "14:10", 7, 5, {"item9": 0}),
]


def answers_for(instrument: str, total: int | None, missing: int, fixed: dict[int, int | None]) -> list[int | None]:
    """Item answers (None = unanswered) that score to ``total``, with the ``fixed`` items as given."""
    definition = load_instrument(instrument)
    n, top = definition.n_items, definition.max_value
    unanswered = [i for i, v in fixed.items() if v is None]
    unanswered += [i for i in range(n, 0, -1) if i not in fixed][: missing - len(unanswered)]
    answered = [i for i in range(1, n + 1) if i not in unanswered]
    preset = sum(v for v in fixed.values() if v is not None)
    free = [i for i in answered if i not in fixed]
    if total is None:
        raw = preset + len(free)  # an invalid total: any answers will do
    else:
        raw = next(
            s
            for s in range(preset, preset + top * len(free) + 1)
            if (s if not unanswered else prorate_half_up(s, n, len(answered))) == total
        )
    values: dict[int, int | None] = dict.fromkeys(unanswered) | {i: v for i, v in fixed.items() if v is not None}
    remaining = raw - preset
    for i in free:
        values[i] = min(top, remaining)
        remaining -= values[i] or 0
    return [values[i] for i in range(1, n + 1)]


def example_measurements() -> list[dict[str, Any]]:
    """The measurements final_form scores from the invented responses (the ``measurement`` shape)."""
    out = []
    for number, (client, day, time, phq9, gad7, extra) in enumerate(RESPONSES, start=1):
        for instrument, total in (("phq9", phq9), ("gad7", gad7)):
            fixed = {9: extra.get("item9")} if instrument == "phq9" else {}
            result = score(instrument, answers_for(instrument, total, extra.get(f"{instrument}_missing", 0), fixed))
            if result.total != total:
                raise SystemExit(f"response {number} {instrument}: scored {result.total}, meant {total}")
            out.append(
                dict(
                    measurement_payload(
                        result,
                        response_id=f"resp-{number:03d}",
                        client_id=client,
                        measured_at=f"{day}T{time}:00Z",
                    )
                )
            )
    return out


def example_rows() -> dict[str, list[dict[str, Any]]]:
    measurements = example_measurements()
    return {"timeseries_rows": build_timeseries_rows(measurements), "paired_rows": build_paired_rows(measurements)}


def serialised(rows: dict[str, Any]) -> str:
    return json.dumps(rows, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file, write nothing")
    args = parser.parse_args(argv)
    text = serialised(example_rows())
    if args.check:
        same = TARGET.read_text(encoding="utf-8") == text
        print(
            f"{TARGET.name}: {'up to date' if same else 'differs: run reporter/tools/example_data.py'}", file=sys.stderr
        )
        return 0 if same else 1
    TARGET.write_text(text, encoding="utf-8")
    print(TARGET)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
