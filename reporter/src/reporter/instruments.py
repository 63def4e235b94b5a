"""What the reports need to know about the instruments, as a view of their definitions in
``shared_schemas.instruments`` (score range, severity bands and their German labels,
NHS Talking Therapies thresholds, names): nothing here is copied, and a new definition
file shows up in the reports with no code.

Functions, not constants: the definitions are read when a report asks (and cached there).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared_schemas.instruments import (
    InstrumentDefinition,
    SeverityBand,
    UnknownInstrumentError,
    all_instruments,
    load_instrument,
    paired_instruments,
)
from shared_schemas.types import PairedClassification

LOCALE = "de"
CHANGE_DE: dict[PairedClassification, str] = {
    "reliable improvement": "reliable Verbesserung",
    "no reliable change": "keine reliable Veränderung",
    "reliable deterioration": "reliable Verschlechterung",
    "mixed": "gemischt (eine Skala besser, eine schlechter)",
}


@dataclass(frozen=True)
class Scale:
    id: str
    name: str  # the abbreviation reports use ("PHQ-9")
    construct: str  # in LOCALE, for headings
    max_total: int
    bands: tuple[SeverityBand, ...]
    caseness: int
    reliable_change: int


def scale(instrument: str) -> Scale:
    return _scale(load_instrument(instrument))


def instrument_order() -> tuple[str, ...]:
    """Every defined instrument: the R13 pair first (depression, anxiety), then by id."""
    return tuple(d.id for d in all_instruments())


def paired_order() -> tuple[str, ...]:
    """The instruments R13 pairs, in role order (depression, anxiety): the trend chart's panels."""
    return tuple(d.id for d in paired_instruments())


def instrument_name(instrument: str) -> str:
    definition = _definition(instrument)
    return definition.abbreviation if definition else instrument


def severity_label(severity: str | None, instrument: str | None = None, locale: str = LOCALE) -> str:
    """The label of a severity value in ``locale`` (German, as the reports; "–" for none), by
    ``instrument``'s bands, or by the first instrument that has that value when none is named."""
    if severity is None:
        return "–"
    candidates = [_definition(instrument)] if instrument is not None else list(all_instruments())
    for definition in candidates:
        if definition is not None and any(b.label == severity for b in definition.bands):
            return definition.severity_label(severity, locale)
    return severity


def raises_safety_flags(instrument: str) -> bool:
    """Whether the instrument's definition has safety-flag rules (the PHQ-9's item 9)."""
    definition = _definition(instrument)
    return bool(definition and definition.flags)


def _definition(instrument: str) -> InstrumentDefinition | None:
    try:
        return load_instrument(instrument)
    except UnknownInstrumentError:
        return None  # a row of an instrument no longer defined: shown by its id


def _scale(d: InstrumentDefinition) -> Scale:
    return Scale(d.id, d.abbreviation, d.construct_in(LOCALE), d.max_total, d.bands, d.caseness, d.reliable_change)
