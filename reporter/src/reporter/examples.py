"""Invented example data in the warehouse's row shapes, for notebooks, demos and tests.

Every name, address and score here is made up; no real person is described. The
change fields follow the NHS Talking Therapies rules (R11-R13) the way
``final_form.timeseries`` computes them (a test compares the two).

``example_inputs()`` returns the keyword arguments of ``assemble_practice_report``.
"""

from __future__ import annotations

from typing import Any

from reporter.instruments import SCALES

EXAMPLE_WEEK = "2026-W46"  # Mon 2026-11-09 .. Sun 2026-11-15

CLIENTS: dict[str, dict[str, str]] = {
    "c-001": {"name": "Anna Beispiel", "email": "anna.beispiel@example.org"},
    "c-002": {"name": "Bernd Muster", "email": "bernd.muster@example.org"},
    "c-003": {"name": "Clara Fiktiv", "email": "clara.fiktiv@example.org"},
    "c-004": {"name": "David Erfunden", "email": "david.erfunden@example.org"},
    "c-005": {"name": "Eva Platzhalter", "email": "eva.platzhalter@example.org"},
}

# (client, date, time, phq9 total | None, gad7 total | None, extras)
# extras: item9 = 0..3 or None (unanswered); phq9/gad7 prorated n_missing; invalid instruments.
_RESPONSES: list[tuple[str, str, str, int | None, int | None, dict[str, Any]]] = [
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


def example_inputs() -> dict[str, Any]:
    """``week``, ``inbox_rows``, ``timeseries_rows``, ``paired_rows`` and ``clients``."""
    measurements = example_measurements()
    return {
        "week": EXAMPLE_WEEK,
        "inbox_rows": example_inbox_rows(),
        "timeseries_rows": timeseries_rows(measurements),
        "paired_rows": paired_rows(measurements),
        "clients": {k: dict(v) for k, v in CLIENTS.items()},
    }


def example_measurements() -> list[dict[str, Any]]:
    """Scored measurements (final_form's output shape) of the invented responses."""
    out = []
    for i, (client, day, time, phq9, gad7, extra) in enumerate(_RESPONSES):
        at = f"{day}T{time}:00Z"
        response = f"resp-{i + 1:03d}"
        for instrument, total in (("phq9", phq9), ("gad7", gad7)):
            missing = extra.get(f"{instrument}_missing", 0)
            scale = SCALES[instrument]
            m: dict[str, Any] = {
                "client_id": client, "instrument": instrument, "measured_at": at, "response_id": response,
                "total": total, "severity": _band(instrument, total) if total is not None else None,
                "valid": total is not None, "prorated": total is not None and missing > 0, "n_missing": missing,
                "invalid_items": [], "item9_positive": None, "item9_answered": None,
            }
            if instrument == "phq9":
                item9 = extra.get("item9")
                m["item9_answered"] = item9 is not None
                m["item9_positive"] = item9 is not None and item9 >= 1
            assert total is None or 0 <= total <= scale.max_total
            out.append(m)
    return out


def timeseries_rows(measurements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    ordered = sorted(measurements, key=lambda m: (m["client_id"], m["instrument"], m["measured_at"],
                                                  m["response_id"]))
    baseline: dict[tuple[str, str], dict[str, Any]] = {}
    for m in ordered:
        row = dict(m)
        row.update(invalid_items=[f"{i['item']}:{i['rule']}" for i in m["invalid_items"]], is_baseline=False, baseline_at=None, baseline_total=None, change=None, reliable_change=None,
                   baseline_caseness=None, followup_caseness=None, recovery_eligible=None, recovery=None,
                   reliable_recovery=None, reliable_change_threshold=None, caseness_threshold=None,
                   threshold_source=None)
        if m["valid"]:
            key = (m["client_id"], m["instrument"])
            if key not in baseline:
                baseline[key] = m
                row["is_baseline"] = True
            base = baseline[key]
            row.update(_change(m["instrument"], base["total"], m["total"]),
                       baseline_at=base["measured_at"], baseline_total=base["total"])
        rows.append(row)
    return rows


def paired_rows(measurements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    pairs: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    by_response: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for m in measurements:
        if m["valid"]:
            by_response.setdefault((m["client_id"], m["response_id"]), {})[m["instrument"]] = m
    for (client, _), found in sorted(by_response.items()):
        if len(found) == 2:
            pairs.setdefault(client, []).append((found["phq9"], found["gad7"]))
    rows = []
    for client in sorted(pairs):
        ordered = sorted(pairs[client], key=lambda p: p[0]["measured_at"])
        (p0, g0), (p1, g1) = ordered[0], ordered[-1]
        row: dict[str, Any] = {
            "client_id": client, "n_pairs": len(ordered), "baseline_at": p0["measured_at"], "followup_at": None,
            "phq9_baseline": p0["total"], "phq9_followup": None, "gad7_baseline": g0["total"],
            "gad7_followup": None, "classification": None, "baseline_caseness": None, "recovery": None,
            "reliable_improvement": None, "any_reliable_deterioration": None, "reliable_recovery": None,
            "mixed": None,
        }
        if len(ordered) >= 2:
            d, a = _change("phq9", p0["total"], p1["total"]), _change("gad7", g0["total"], g1["total"])
            better = "reliable improvement" in (d["reliable_change"], a["reliable_change"])
            worse = "reliable deterioration" in (d["reliable_change"], a["reliable_change"])
            case = d["baseline_caseness"] or a["baseline_caseness"]
            recovery = case and not d["followup_caseness"] and not a["followup_caseness"]
            improvement = better and not worse
            row.update(
                followup_at=p1["measured_at"], phq9_followup=p1["total"], gad7_followup=g1["total"],
                classification="mixed" if better and worse else "reliable improvement" if improvement
                else "reliable deterioration" if worse else "no reliable change",
                baseline_caseness=case, recovery=recovery, reliable_improvement=improvement,
                any_reliable_deterioration=worse, reliable_recovery=recovery and improvement,
                mixed=better and worse)
        rows.append(row)
    return rows


def example_inbox_rows() -> list[dict[str, Any]]:
    """Conversations around the example week (all addresses on example.org/.net)."""
    def conv(key: str, name: str | None, email: str | None, subject: str, first_in: str | None,
             last_in: str | None, last_out: str | None, status: str, response: int | None,
             known: bool = False, count: int = 2) -> dict[str, Any]:
        times = [t for t in (first_in, last_in, last_out) if t]
        awaiting = last_in is not None and (last_out is None or last_in > last_out) and status != "internal"
        return {
            "conversation_key": key, "counterpart_email": email, "counterpart_name": name, "subject": subject,
            "mailboxes": ["praxis@example.net"], "message_count": count, "first_message_at": min(times),
            "last_message_at": max(times), "first_inbound_at": first_in, "last_inbound_at": last_in,
            "last_outbound_at": last_out, "awaiting_reply": awaiting, "first_response_minutes": response,
            "is_known_client": known, "status": status,
        }

    return [
        conv("msg-0101", "Anna Beispiel", "anna.beispiel@example.org", "Termin nächste Woche",
             "2026-11-09T07:40:00Z", "2026-11-09T07:40:00Z", "2026-11-09T09:05:00Z", "client", 85, known=True),
        conv("msg-0102", "Felix Neumann", "felix.neumann@example.org", "Anfrage Psychotherapieplatz",
             "2026-11-09T19:12:00Z", "2026-11-10T08:30:00Z", "2026-11-10T07:55:00Z", "awaiting reply", 763,
             count=3),
        conv("msg-0103", "Greta Vogel", "greta.vogel@example.org", "Erstgespräch – freie Termine?",
             "2026-11-10T10:02:00Z", "2026-11-10T10:02:00Z", "2026-11-10T11:20:00Z", "in conversation", 78),
        conv("msg-0104", "Hannah Sommer", "hannah.sommer@example.org", "Kostenübernahme Privatversicherung",
             "2026-11-11T14:45:00Z", "2026-11-11T14:45:00Z", "2026-11-12T16:15:00Z", "in conversation", 1530),
        conv("msg-0105", "Ilse Winter", "ilse.winter@example.org", "Suche Therapieplatz (Angst)",
             "2026-11-13T17:30:00Z", "2026-11-13T17:30:00Z", None, "new inquiry", None, count=1),
        conv("msg-0106", "David Erfunden", "david.erfunden@example.org", "Anmeldung",
             "2026-11-10T06:50:00Z", "2026-11-10T06:50:00Z", "2026-11-10T08:10:00Z", "client", 80, known=True),
        conv("msg-0107", "Jonas Falk", "jonas.falk@example.org", "Rückfrage Wartezeit",
             "2026-11-02T09:00:00Z", "2026-11-06T15:20:00Z", "2026-11-03T10:00:00Z", "awaiting reply", 1500,
             count=3),
        conv("msg-0108", None, "team@example.net", "Urlaubsvertretung Dezember",
             None, None, "2026-11-11T12:00:00Z", "internal", None, count=1),
        conv("msg-0109", "Karla Berg", "karla.berg@example.org", "Anfrage Gruppentherapie",
             "2026-11-16T08:00:00Z", "2026-11-16T08:00:00Z", None, "new inquiry", None, count=1),
    ]


def _band(instrument: str, total: int) -> str:
    return next(b.label for b in SCALES[instrument].bands if b.low <= total <= b.high)


_SOURCES = {
    "phq9": "NHS Talking Therapies (NHS Digital 2016): reliable change >= 6, caseness >= 10",
    "gad7": "NHS Talking Therapies (NHS Digital 2016): reliable change >= 4, caseness >= 8",
}


def _change(instrument: str, baseline: int, followup: int) -> dict[str, Any]:
    scale = SCALES[instrument]
    delta = followup - baseline
    reliable = ("reliable improvement" if -delta >= scale.reliable_change
                else "reliable deterioration" if delta >= scale.reliable_change else "no reliable change")
    base_case, follow_case = baseline >= scale.caseness, followup >= scale.caseness
    recovery = base_case and not follow_case
    return {
        "change": delta, "reliable_change": reliable, "baseline_caseness": base_case,
        "followup_caseness": follow_case, "recovery_eligible": base_case, "recovery": recovery,
        "reliable_recovery": recovery and reliable == "reliable improvement",
        "reliable_change_threshold": scale.reliable_change, "caseness_threshold": scale.caseness,
        "threshold_source": _SOURCES[instrument],
    }
