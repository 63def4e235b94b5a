"""Instruments as data: one YAML file per instrument and version in ``instruments/``,
validated against ``iglu:org.lorchestra/instrument/jsonschema/1-0-0``.

Adding an instrument is adding a file; no code knows PHQ-9 or GAD-7 by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from shared_schemas import compile_validator
from shared_schemas.errors import PhiSafeError

INSTRUMENTS_DIR = Path(__file__).parent / "instruments"
DEFINITION_SCHEMA = "iglu:org.lorchestra/instrument/jsonschema/1-0-0"


class UnknownInstrumentError(PhiSafeError, LookupError):
    """No definition for that instrument id (the one thing scoring raises for)."""


class InvalidDefinitionError(PhiSafeError, ValueError):
    """An instrument file does not satisfy the definition schema or is inconsistent."""


@dataclass(frozen=True)
class Option:
    value: int
    text: str
    loinc: str | None
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    name: str
    panel_loinc: str
    total_loinc: str
    item_numbers: tuple[int, ...]
    item_loinc: tuple[str, ...]
    item_texts: tuple[str, ...]
    options: tuple[Option, ...]
    bands: tuple[tuple[int, int, str], ...]
    max_prorated: int
    missing_rule: str
    flags: tuple[tuple[str, int, int], ...]  # (flag id, item number, min value)
    reliable_change: int
    caseness: int
    threshold_source: str
    raw: Any

    @property
    def n_items(self) -> int:
        return len(self.item_numbers)

    @property
    def max_total(self) -> int:
        return self.n_items * max(o.value for o in self.options)

    def band(self, total: int) -> str:
        for low, high, label in self.bands:
            if low <= total <= high:
                return label
        raise InvalidDefinitionError(f"{self.id} {self.version}: no band holds total {total}")


def list_instruments() -> list[str]:
    return sorted({path.stem.rsplit("-", 1)[0] for path in INSTRUMENTS_DIR.glob("*.yaml")})


@cache
def load_instrument(instrument_id: str, version: str | None = None) -> Instrument:
    """The newest version of an instrument, or the one asked for."""
    candidates = sorted(INSTRUMENTS_DIR.glob(f"{instrument_id}-*.yaml"),
                        key=lambda p: tuple(int(x) for x in p.stem.rsplit("-", 1)[1].split(".")))
    if version is not None:
        candidates = [p for p in candidates if p.stem.rsplit("-", 1)[1] == version]
    if not candidates:
        known = ", ".join(list_instruments())
        raise UnknownInstrumentError(f"no instrument {instrument_id!r}{' ' + version if version else ''} (known: {known})")
    return _parse(candidates[-1])


def _parse(path: Path) -> Instrument:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    violation = compile_validator(DEFINITION_SCHEMA)(data)
    if violation is not None:
        raise InvalidDefinitionError(f"{path.name}: {violation.message()}")
    items = data["items"]
    numbers = tuple(int(i["number"]) for i in items)
    if numbers != tuple(range(1, len(items) + 1)):
        raise InvalidDefinitionError(f"{path.name}: items must be numbered 1..{len(items)} in order")
    options = tuple(Option(int(o["value"]), str(o["text"]), o.get("loinc"), tuple(o.get("synonyms") or ()))
                    for o in data["options"])
    bands = tuple((int(b["min"]), int(b["max"]), str(b["label"])) for b in data["bands"])
    instrument = Instrument(
        id=data["id"], version=data["version"], name=data["name"],
        panel_loinc=data["loinc"]["panel"], total_loinc=data["loinc"]["total"],
        item_numbers=numbers, item_loinc=tuple(i["loinc"] for i in items),
        item_texts=tuple(i["text"] for i in items), options=options, bands=bands,
        max_prorated=int(data["missing"]["max_prorated"]), missing_rule=str(data["missing"]["rule"]),
        flags=tuple((f["id"], int(f["item"]), int(f["min_value"])) for f in data.get("flags") or ()),
        reliable_change=int(data["change"]["reliable_change"]), caseness=int(data["change"]["caseness"]),
        threshold_source=str(data["change"]["source"]), raw=data,
    )
    covered = sorted(t for low, high, _ in bands for t in range(low, high + 1))
    if covered != list(range(0, instrument.max_total + 1)):
        raise InvalidDefinitionError(f"{path.name}: bands must cover every total 0..{instrument.max_total} once")
    return instrument
