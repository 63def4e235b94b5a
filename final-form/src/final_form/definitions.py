"""The instrument definitions final_form scores by. They live in ``shared_schemas``
(``shared_schemas.instruments``), the one place every package reads them from; this is
final_form's name for them."""

from __future__ import annotations

from shared_schemas.instruments import InstrumentDefinition as Instrument
from shared_schemas.instruments import (
    InvalidDefinitionError,
    UnknownInstrumentError,
    all_instruments,
    list_instruments,
    load_instrument,
    paired_instruments,
    parse_instrument_file,
)

__all__ = [
    "Instrument",
    "InvalidDefinitionError",
    "UnknownInstrumentError",
    "all_instruments",
    "list_instruments",
    "load_instrument",
    "paired_instruments",
    "parse_instrument_file",
]
