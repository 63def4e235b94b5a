"""Questionnaire instruments as data, read by every package that needs to know one.

One YAML file per instrument and version in ``instruments/`` (``<id>-<version>.yaml``),
validated against ``iglu:org.lorchestra/instrument/jsonschema/1-0-1`` and loaded into
frozen dataclasses: items, the response range, severity bands with their labels per
locale, caseness and reliable change, which item raises which safety flag, and which
instruments pair for the R13 rule in which role. No code names an instrument: adding one
is adding a file. ``LORC_INSTRUMENT_PATH`` (directories, ``os.pathsep``-separated) adds
definitions kept elsewhere, e.g. a test's or a practice's own.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, get_args

import yaml

from shared_schemas.errors import PhiSafeError
from shared_schemas.types import SafetyFlagName
from shared_schemas.validation import compile_validator

INSTRUMENTS_DIR = Path(__file__).parent / "instruments"
INSTRUMENT_SCHEMA = "iglu:org.lorchestra/instrument/jsonschema/1-0-1"
PATH_ENV = "LORC_INSTRUMENT_PATH"
PAIRING_ROLES = ("depression", "anxiety")  # R13: the order of the roles is the order reports show them in


class UnknownInstrumentError(PhiSafeError, LookupError):
    """No definition for that instrument id (the one thing scoring raises for)."""


class InvalidDefinitionError(PhiSafeError, ValueError):
    """An instrument file does not satisfy the definition schema or is inconsistent."""


@dataclass(frozen=True)
class AnswerOption:
    value: int
    text: str
    loinc: str | None
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    number: int
    loinc: str
    text: str


@dataclass(frozen=True)
class ExtraItem:
    """Asked but never scored (the PHQ-9 difficulty item, R3)."""

    number: int
    loinc: str
    text: str
    options: tuple[AnswerOption, ...]


@dataclass(frozen=True)
class SeverityBand:
    low: int
    high: int  # inclusive
    label: str  # the severity value the scorer writes
    labels: tuple[tuple[str, str], ...]  # (locale, text)

    def label_in(self, locale: str) -> str:
        """The label in ``locale``, else the scorer's value."""
        return dict(self.labels).get(locale, self.label)


@dataclass(frozen=True)
class SafetyFlagRule:
    """An answer to ``item`` of at least ``min_value`` raises ``positive``; the item answered
    invalidly raises ``invalid``, left unanswered ``unanswered`` (R4, A5)."""

    item: int
    min_value: int
    positive: str
    invalid: str
    unanswered: str


@dataclass(frozen=True)
class Pairing:
    rule: str  # "R13"
    role: str  # one of PAIRING_ROLES


@dataclass(frozen=True)
class InstrumentDefinition:
    id: str
    version: str
    name: str
    abbreviation: str
    construct: tuple[tuple[str, str], ...]  # (locale, text)
    panel_loinc: str
    total_loinc: str
    items: tuple[Item, ...]
    extra_items: tuple[ExtraItem, ...]
    options: tuple[AnswerOption, ...]
    bands: tuple[SeverityBand, ...]
    max_prorated: int
    missing_rule: str
    flags: tuple[SafetyFlagRule, ...]
    reliable_change: int
    caseness: int
    threshold_source: str
    pairing: Pairing | None
    digest: str  # of the definition file: what a scorer's or projection's basis names

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def item_numbers(self) -> tuple[int, ...]:
        return tuple(i.number for i in self.items)

    @property
    def item_texts(self) -> tuple[str, ...]:
        return tuple(i.text for i in self.items)

    @property
    def item_loinc(self) -> tuple[str, ...]:
        return tuple(i.loinc for i in self.items)

    @property
    def min_value(self) -> int:
        return min(o.value for o in self.options)

    @property
    def max_value(self) -> int:
        return max(o.value for o in self.options)

    @property
    def max_total(self) -> int:
        return self.n_items * self.max_value

    def severity_band(self, total: int) -> SeverityBand:
        for band in self.bands:
            if band.low <= total <= band.high:
                return band
        raise InvalidDefinitionError(f"{self.id} {self.version}: no band holds total {total}")

    def band(self, total: int) -> str:
        """The severity value of ``total``."""
        return self.severity_band(total).label

    def severity_label(self, severity: str, locale: str) -> str:
        """The label of a severity value in ``locale`` (the value itself when it is no band of this instrument)."""
        return next((b.label_in(locale) for b in self.bands if b.label == severity), severity)

    def construct_in(self, locale: str) -> str:
        return dict(self.construct).get(locale, self.name)


def instrument_dirs() -> tuple[Path, ...]:
    """Where definitions are looked up: this package's, then ``LORC_INSTRUMENT_PATH``'s."""
    return _dirs(_path_setting())


def list_instruments() -> list[str]:
    return sorted(_files_by_id(_path_setting()))


def load_instrument(instrument_id: str, version: str | None = None) -> InstrumentDefinition:
    """The newest version of an instrument, or the one asked for."""
    return _load(instrument_id, version, _path_setting())


def all_instruments() -> tuple[InstrumentDefinition, ...]:
    """The newest version of every instrument: the R13 pair first (in role order), then by id."""
    return _all(_path_setting())


def paired_instruments(rule: str = "R13") -> tuple[InstrumentDefinition, ...]:
    """The instruments that pair for ``rule``, one per role in ``PAIRING_ROLES`` order."""
    return _paired(rule, _path_setting())


def parse_instrument_file(path: Path) -> InstrumentDefinition:
    """Read and check one definition file (``<id>-<version>.yaml``)."""
    return _parse_cached(path.resolve(), path.stat().st_mtime_ns)


def _display_key(definition: InstrumentDefinition) -> tuple[int, str]:
    role = definition.pairing.role if definition.pairing else None
    return (PAIRING_ROLES.index(role) if role in PAIRING_ROLES else len(PAIRING_ROLES), definition.id)


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(x) for x in path.stem.rsplit("-", 1)[1].split("."))


def _path_setting() -> str:
    # Read on every call (scorers run per record), so the lookups below are cached on its value.
    return os.environ.get(PATH_ENV, "")


@cache
def _dirs(path_setting: str) -> tuple[Path, ...]:
    return (INSTRUMENTS_DIR, *(Path(p) for p in path_setting.split(os.pathsep) if p))


@cache
def _files_by_id(path_setting: str) -> dict[str, list[Path]]:
    """Definition files by instrument id. One id and version in two directories is refused:
    which one scores would depend on the order of ``LORC_INSTRUMENT_PATH``, and scores
    would change with no version saying so; a changed definition is a new version."""
    found: dict[str, list[Path]] = {}
    seen: dict[str, Path] = {}
    for directory in _dirs(path_setting):
        for path in sorted(directory.glob("*-*.yaml")):
            if path.name in seen:
                raise InvalidDefinitionError(
                    f"{path.name} is defined twice, in {seen[path.name].parent} and in {directory}; "
                    f"remove one or give the changed one a new version"
                )
            seen[path.name] = path
            found.setdefault(path.stem.rsplit("-", 1)[0], []).append(path)
    return found


@cache
def _load(instrument_id: str, version: str | None, path_setting: str) -> InstrumentDefinition:
    candidates = sorted(_files_by_id(path_setting).get(instrument_id, []), key=_version_key)
    if version is not None:
        candidates = [p for p in candidates if p.stem.rsplit("-", 1)[1] == version]
    if not candidates:
        known = ", ".join(sorted(_files_by_id(path_setting)))
        raise UnknownInstrumentError(
            f"no instrument {instrument_id!r}{' ' + version if version else ''} (known: {known})"
        )
    return parse_instrument_file(candidates[-1])


@cache
def _all(path_setting: str) -> tuple[InstrumentDefinition, ...]:
    definitions = [_load(i, None, path_setting) for i in sorted(_files_by_id(path_setting))]
    return tuple(sorted(definitions, key=_display_key))


@cache
def _paired(rule: str, path_setting: str) -> tuple[InstrumentDefinition, ...]:
    found = [d for d in _all(path_setting) if d.pairing is not None and d.pairing.rule == rule]
    roles = [d.pairing.role for d in found if d.pairing is not None]
    if sorted(roles) != sorted(PAIRING_ROLES):
        raise InvalidDefinitionError(f"{rule} needs one instrument per role {list(PAIRING_ROLES)}; found {roles}")
    return tuple(found)


@cache
def _parse_cached(path: Path, _mtime_ns: int) -> InstrumentDefinition:
    text = path.read_bytes()
    data = yaml.safe_load(text.decode("utf-8"))
    violation = compile_validator(INSTRUMENT_SCHEMA)(data)
    if violation is not None:
        raise InvalidDefinitionError(f"{path.name}: {violation.message()}")
    definition = _definition(data, hashlib.sha256(text).hexdigest()[:16])
    _check(definition, path.name)
    return definition


def _option(o: dict[str, Any]) -> AnswerOption:
    return AnswerOption(int(o["value"]), str(o["text"]), o.get("loinc"), tuple(o.get("synonyms") or ()))


def _locales(mapping: dict[str, str] | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((mapping or {}).items()))


def _definition(data: dict[str, Any], digest: str) -> InstrumentDefinition:
    pairing = data.get("pairing")
    return InstrumentDefinition(
        id=data["id"],
        version=data["version"],
        name=data["name"],
        abbreviation=data.get("abbreviation") or data["id"],
        construct=_locales(data.get("construct")),
        panel_loinc=data["loinc"]["panel"],
        total_loinc=data["loinc"]["total"],
        items=tuple(Item(int(i["number"]), str(i["loinc"]), str(i["text"])) for i in data["items"]),
        extra_items=tuple(
            ExtraItem(int(e["number"]), str(e["loinc"]), str(e["text"]), tuple(_option(o) for o in e["options"]))
            for e in data.get("extra_items") or ()
        ),
        options=tuple(_option(o) for o in data["options"]),
        bands=tuple(
            SeverityBand(int(b["min"]), int(b["max"]), str(b["label"]), _locales(b.get("labels")))
            for b in data["bands"]
        ),
        max_prorated=int(data["missing"]["max_prorated"]),
        missing_rule=str(data["missing"]["rule"]),
        flags=tuple(
            SafetyFlagRule(
                item=int(f["item"]),
                min_value=int(f["min_value"]),
                positive=str(f["id"]),
                invalid=str(f.get("invalid") or f"item{f['item']}_invalid"),
                unanswered=str(f.get("unanswered") or f"item{f['item']}_unanswered"),
            )
            for f in data.get("flags") or ()
        ),
        reliable_change=int(data["change"]["reliable_change"]),
        caseness=int(data["change"]["caseness"]),
        threshold_source=str(data["change"]["source"]),
        pairing=Pairing(str(pairing["rule"]), str(pairing["role"])) if pairing else None,
        digest=digest,
    )


def _check(definition: InstrumentDefinition, name: str) -> None:
    n = definition.n_items
    if definition.item_numbers != tuple(range(1, n + 1)):
        raise InvalidDefinitionError(f"{name}: items must be numbered 1..{n} in order")
    covered = sorted(t for b in definition.bands for t in range(b.low, b.high + 1))
    if covered != list(range(definition.max_total + 1)):
        raise InvalidDefinitionError(f"{name}: bands must cover every total 0..{definition.max_total} once")
    known = get_args(SafetyFlagName)
    for flag in definition.flags:
        if not 1 <= flag.item <= n:
            raise InvalidDefinitionError(f"{name}: flag {flag.positive} names item {flag.item}, not one of 1..{n}")
        unknown = [f for f in (flag.positive, flag.invalid, flag.unanswered) if f not in known]
        if unknown:  # a safety flag must be one the safety_flag schema (and so every report) knows
            raise InvalidDefinitionError(f"{name}: flags {unknown} are not in the safety_flag schema's enum")
