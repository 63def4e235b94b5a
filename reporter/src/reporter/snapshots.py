"""``reporting_snapshots`` rows: one per ISO week and figure (:mod:`reporter.figures`),
from the first week with any input to the current week, computed with the report's own
rules (``sales_pipeline``, ``measurement_overview``) over only the rows each week needs.

What each week's figures depend on (so an update knows which weeks to recompute, see
:func:`footprints`):

* a conversation: the week of its first inbound message (new inquiries, median first
  response, became clients) and, while it awaits a reply, every week from the one of its
  last inbound message on ("awaiting reply" is the conversation's state now, counted in
  each week that ended after that message): a reply now changes all those earlier weeks;
* a client: every week the client was measured in (the change counts are the client's
  course as of each week's end, the pair's classification as it stands now): any change to
  the client's rows or pair recomputes all of them;
* an item-9 flag: the week it was measured in.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass, field
from datetime import date, datetime
from typing import Any

from reporter.figures import Figure, figure_names, flags_in, week_figures
from reporter.measurement_overview import measurement_overview
from reporter.rows import Row, sorted_rows
from reporter.safety import SafetyFlag
from reporter.sales_pipeline import awaiting_since, new_inquiries, pipeline_figures
from reporter.weeks import parse_timestamp, week_bounds, week_of, week_start

COLUMNS: list[tuple[str, str]] = [
    ("week", "string"),
    ("figure", "string"),
    ("value", "float"),
    ("n", "int"),
    ("updated_at", "timestamp"),
]
INPUT_COLUMNS: list[tuple[str, str]] = [
    ("item", "string"),  # inbox:<conversation_key> | client:<client_id> | flag:<flag_key> | SPAN
    ("digest", "string"),  # of the rows the item stands for, as last built
    ("weeks", "string"),  # the weeks it counts in: "2026-W40 2026-W41+" ("+": and every later week)
]
INBOX_FIELDS = ("first_inbound_at", "last_inbound_at", "awaiting_reply", "first_response_minutes", "is_known_client")
SPAN = "span"  # the input item holding the built span: "<first week> <last week>"
ONWARD = "+"


@dataclass
class SnapshotInputs:
    """The projections' rows and the flags, indexed by what a week reads."""

    inbox: Sequence[Row]
    series: Sequence[Row]
    paired: Sequence[Row]
    flags: Sequence[SafetyFlag]
    _new: dict[str, list[Row]] = field(default_factory=dict)
    _inbox_weeks: list[tuple[str | None, str | None]] = field(default_factory=list)  # first, last inbound
    _awaiting_since: list[datetime] = field(default_factory=list)  # sales_pipeline.awaiting_since, in order
    _measured: dict[str, list[Row]] = field(default_factory=dict)
    _of_client: dict[Any, list[Row]] = field(default_factory=dict)
    _pair: dict[str, Row] = field(default_factory=dict)
    _flags: dict[str, list[SafetyFlag]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.series = sorted_rows(self.series)
        for r in self.inbox:
            first, last = (_at(r.get(f)) for f in ("first_inbound_at", "last_inbound_at"))
            first_week = week_of(first.date()) if first else None
            self._inbox_weeks.append((first_week, week_of(last.date()) if last else None))
            if first_week:
                self._new.setdefault(first_week, []).append(r)
            if (since := awaiting_since(r)) is not None:
                self._awaiting_since.append(since)
        self._awaiting_since.sort()
        for r in self.series:
            self._measured.setdefault(_week_at(r["measured_at"]) or "", []).append(r)
            self._of_client.setdefault(r["client_id"], []).append(r)
        self._pair = {str(r["client_id"]): r for r in self.paired}
        for f in self.flags:
            self._flags.setdefault(_week_at(f.measured_at) or "", []).append(f)

    def span(self, today: date) -> tuple[str, str] | None:
        """First week with any input, and the current week (or a later one with input)."""
        weeks = set(self._new) | set(self._measured) | set(self._flags)
        weeks |= {last for _, last in self._inbox_weeks if last}
        if not weeks:
            return None
        return min(weeks), max(*weeks, week_of(today))

    def figures(self, week: str) -> dict[str, Figure]:
        """The week's figures, as the report of that week computes them."""
        start, end = week_bounds(week)
        new = new_inquiries(self._new.get(week, []), start, end)  # of the rows whose first inbound is in it
        waiting = bisect_left(self._awaiting_since, end)  # those awaiting since before its end
        in_week = self._measured.get(week, [])
        measured = sorted({str(r["client_id"]) for r in in_week})
        rows = [r for client in {r["client_id"] for r in in_week} for r in self._of_client[client]]
        paired = [self._pair[c] for c in measured if c in self._pair]
        return week_figures(
            pipeline_figures(new, waiting),
            measurement_overview(rows, in_week, paired, {}, end),
            flags_in(self._flags.get(week, []), start, end),
        )

    def footprints(self) -> dict[str, tuple[str, str]]:
        """``{item: (digest, weeks)}`` of every input item (see the module's docstring)."""
        found: dict[str, tuple[str, str]] = {}
        for r, (first, last) in zip(self.inbox, self._inbox_weeks, strict=True):
            weeks = [first] if first else []
            if r.get("awaiting_reply"):
                weeks.append((last or "") + ONWARD)
            found[f"inbox:{r['conversation_key']}"] = (_digest([r.get(f) for f in INBOX_FIELDS]), " ".join(weeks))
        for client, rows in self._of_client.items():
            pair = self._pair.get(str(client))
            weeks = sorted({_week_at(r["measured_at"]) or "" for r in rows})
            found[f"client:{client}"] = (_digest([sorted(r.items()) for r in rows] + [pair]), " ".join(weeks))
        for f in self.flags:
            found[f"flag:{f.flag_key}"] = (_digest(astuple(f)), _week_at(f.measured_at) or "")
        return found


def weeks_between(first: str, last: str) -> list[str]:
    """Every ISO week from ``first`` to ``last``, both included."""
    weeks, day = [], week_start(first)
    while (week := week_of(day)) <= last:
        weeks.append(week)
        day = date.fromordinal(day.toordinal() + 7)
    return weeks


def snapshot_rows(inputs: SnapshotInputs, weeks: Iterable[str], updated_at: datetime) -> list[dict[str, Any]]:
    """The rows of ``weeks``, every figure of each (see :func:`reporter.figures.figure_names`)."""
    names = figure_names()
    rows = []
    for week in weeks:
        figures = inputs.figures(week)
        rows += [
            {"week": week, "figure": name, "value": figures[name].value, "n": figures[name].n, "updated_at": updated_at}
            for name in names
        ]
    return rows


def affected_weeks(
    before: Mapping[str, tuple[str, str]], after: Mapping[str, tuple[str, str]], span: Sequence[str]
) -> tuple[list[str], set[str]]:
    """``(items changed, weeks to recompute)`` between two :meth:`SnapshotInputs.footprints`:
    every week an added, removed or changed item counts in, before or after."""
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k, ("",))[0] != after.get(k, ("",))[0])
    weeks: set[str] = set()
    for item in changed:
        for spec in (before.get(item, ("", ""))[1], after.get(item, ("", ""))[1]):
            weeks |= _expand(spec, span)
    return changed, weeks


def figures_of(rows: Iterable[Row]) -> dict[str, Figure]:
    """A week's snapshot rows as the report takes them."""
    return {str(r["figure"]): Figure(r["value"], int(r["n"])) for r in rows}


def _expand(spec: str, span: Sequence[str]) -> set[str]:
    weeks: set[str] = set()
    for token in spec.split():
        if token.endswith(ONWARD):
            start = token[: -len(ONWARD)]
            weeks |= {w for w in span if w >= start}
        else:
            weeks.add(token)
    return weeks


def _at(value: str | datetime | None) -> datetime | None:
    return parse_timestamp(value) if value else None


def _week_at(value: str | datetime | None) -> str | None:
    moment = _at(value)
    return week_of(moment.date()) if moment else None


def _digest(value: Any) -> str:
    """Of plain values as this process reads them (a change of their repr only means more work)."""
    return hashlib.blake2b(repr(value).encode(), digest_size=12).hexdigest()
