"""``measurement_timeseries`` and ``measurement_paired``: per client, the course of the
scores with change against the client's first valid score (R11-R13).

Pure functions from measurement payloads to rows. Measurements not linked to a client
(``client_id`` null) cannot form a course and are left out (and counted by the job).
``invalid_items`` holds one ``"<item>:<rule>"`` per item answered invalidly
(``"9:R9.wrong_type"``), so a report can tell "answered wrongly" from "not answered".
Which instruments pair for R13 is their definitions' ``pairing``; the row shapes are the
schemas ``iglu:org.lorchestra/measurement_timeseries`` and ``.../measurement_paired``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import groupby
from typing import Any

from final_form.change import classify_change, classify_change_paired
from final_form.definitions import Instrument, load_instrument, paired_instruments

TIMESERIES_COLUMNS: list[tuple[str, str]] = [
    ("client_id", "string"),
    ("instrument", "string"),
    ("measured_at", "timestamp"),
    ("response_id", "string"),
    ("total", "int"),
    ("severity", "string"),
    ("valid", "bool"),
    ("prorated", "bool"),
    ("n_missing", "int"),
    ("invalid_items", "string[]"),
    ("item9_positive", "bool"),
    ("item9_answered", "bool"),
    ("is_baseline", "bool"),
    ("baseline_at", "timestamp"),
    ("baseline_total", "int"),
    ("change", "int"),
    ("reliable_change", "string"),
    ("baseline_caseness", "bool"),
    ("followup_caseness", "bool"),
    ("recovery_eligible", "bool"),
    ("recovery", "bool"),
    ("reliable_recovery", "bool"),
    ("reliable_change_threshold", "int"),
    ("caseness_threshold", "int"),
    ("threshold_source", "string"),
]
PAIRED_COLUMNS: list[tuple[str, str]] = [
    ("client_id", "string"),
    ("n_pairs", "int"),
    ("baseline_at", "timestamp"),
    ("followup_at", "timestamp"),
    ("phq9_baseline", "int"),
    ("phq9_followup", "int"),
    ("gad7_baseline", "int"),
    ("gad7_followup", "int"),
    ("classification", "string"),
    ("baseline_caseness", "bool"),
    ("recovery", "bool"),
    ("reliable_improvement", "bool"),
    ("any_reliable_deterioration", "bool"),
    ("reliable_recovery", "bool"),
    ("mixed", "bool"),
]
_CHANGE_FIELDS = (
    "change",
    "reliable_change",
    "baseline_caseness",
    "followup_caseness",
    "recovery_eligible",
    "recovery",
    "reliable_recovery",
    "reliable_change_threshold",
    "caseness_threshold",
    "threshold_source",
)


def _order(m: Mapping[str, Any]) -> tuple[str, str, str, str]:
    return (str(m["client_id"]), str(m["instrument"]), str(m["measured_at"]), str(m["response_id"]))


def build_timeseries_rows(measurements: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return list(timeseries_rows(measurements))


def timeseries_rows(measurements: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """:func:`build_timeseries_rows` one row at a time, so a full build streams them to the
    table instead of holding a row per measurement of the whole history."""
    linked = sorted((m for m in measurements if m.get("client_id")), key=_order)
    for (_, instrument), series in groupby(linked, key=lambda m: (m["client_id"], m["instrument"])):
        baseline: Mapping[str, Any] | None = None
        definition: Instrument | None = None  # resolved at the series' first valid score, once
        for m in series:
            row = {
                key: m.get(key)
                for key in (
                    "client_id",
                    "instrument",
                    "measured_at",
                    "response_id",
                    "total",
                    "severity",
                    "valid",
                    "prorated",
                    "n_missing",
                    "item9_positive",
                    "item9_answered",
                )
            }
            row["invalid_items"] = [f"{i['item']}:{i['rule']}" for i in m.get("invalid_items") or []]
            row.update(dict.fromkeys(_CHANGE_FIELDS))
            row.update(is_baseline=False, baseline_at=None, baseline_total=None)
            if m["valid"]:
                if baseline is None:
                    baseline = m
                    row["is_baseline"] = True
                definition = definition or load_instrument(instrument)
                change = classify_change(definition, baseline["total"], m["total"])
                row.update({key: getattr(change, key) for key in _CHANGE_FIELDS})
                row.update(baseline_at=baseline["measured_at"], baseline_total=baseline["total"])
            yield row


def build_paired_rows(measurements: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """R13 per client on the first and last responses where every paired instrument is valid
    (ordered by the first role's measurement time)."""
    ids = [d.id for d in paired_instruments()]
    by_response: dict[tuple[str, str], dict[str, Mapping[str, Any]]] = {}
    for m in measurements:
        if m.get("client_id") and m["valid"] and m["instrument"] in ids:
            by_response.setdefault((m["client_id"], m["response_id"]), {})[m["instrument"]] = m
    pairs: dict[str, list[dict[str, Mapping[str, Any]]]] = {}
    for (client, _), found in by_response.items():
        if len(found) == len(ids):
            pairs.setdefault(client, []).append(found)
    rows = []
    for client in sorted(pairs):
        ordered = sorted(pairs[client], key=lambda p: str(p[ids[0]]["measured_at"]))
        first, last = ordered[0], ordered[-1]
        row: dict[str, Any] = {
            "client_id": client,
            "n_pairs": len(ordered),
            "baseline_at": first[ids[0]]["measured_at"],
            "followup_at": None,
            "classification": None,
            "baseline_caseness": None,
            "recovery": None,
            "reliable_improvement": None,
            "any_reliable_deterioration": None,
            "reliable_recovery": None,
            "mixed": None,
        }
        for i in ids:
            row.update({f"{i}_baseline": first[i]["total"], f"{i}_followup": None})
        if len(ordered) >= 2:
            result = classify_change_paired(**{i: (first[i]["total"], last[i]["total"]) for i in ids})
            row.update({f"{i}_followup": last[i]["total"] for i in ids})
            row.update(
                followup_at=last[ids[0]]["measured_at"],
                classification=result.classification,
                baseline_caseness=result.baseline_caseness,
                recovery=result.recovery,
                reliable_improvement=result.reliable_improvement,
                any_reliable_deterioration=result.any_reliable_deterioration,
                reliable_recovery=result.reliable_recovery,
                mixed=result.mixed,
            )
        rows.append(row)
    return rows
