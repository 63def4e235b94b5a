"""Instrument definitions: one place, typed, validated, and open to a new file."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_schemas.instruments import (
    INSTRUMENTS_DIR,
    PATH_ENV,
    InvalidDefinitionError,
    UnknownInstrumentError,
    all_instruments,
    list_instruments,
    load_instrument,
    paired_instruments,
    parse_instrument_file,
)

TEST_INSTRUMENTS = Path(__file__).parent / "instruments"


def test_the_shipped_definitions_are_typed_and_carry_what_every_package_needs() -> None:
    phq9, gad7 = load_instrument("phq9"), load_instrument("gad7")
    assert (phq9.n_items, phq9.max_total, gad7.max_total) == (9, 27, 21)
    assert (phq9.min_value, phq9.max_value) == (0, 3)
    assert [(b.low, b.high, b.label, b.label_in("de")) for b in gad7.bands] == [
        (0, 4, "minimal", "minimal"),
        (5, 9, "mild", "leicht"),
        (10, 14, "moderate", "mittelgradig"),
        (15, 21, "severe", "schwer"),
    ]
    assert (phq9.caseness, phq9.reliable_change, gad7.caseness, gad7.reliable_change) == (10, 6, 8, 4)  # R11
    [flag] = phq9.flags
    assert (flag.item, flag.min_value, flag.positive, flag.invalid, flag.unanswered) == (
        9,
        1,
        "item9_positive",
        "item9_invalid",
        "item9_unanswered",
    )  # R4, A5
    assert gad7.flags == ()
    assert phq9.extra_items[0].loinc == "69722-7" and phq9.extra_items[0].options[2].loinc == "LA6575-0"  # R3
    assert [d.id for d in paired_instruments()] == ["phq9", "gad7"]  # R13: depression, anxiety
    assert (phq9.abbreviation, phq9.construct_in("de")) == ("PHQ-9", "Depressivität")


def test_a_definition_found_on_the_instrument_path_needs_no_code(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UnknownInstrumentError, match="known: gad7, phq9"):
        load_instrument("gad2")
    monkeypatch.setenv(PATH_ENV, str(TEST_INSTRUMENTS))
    gad2 = load_instrument("gad2")
    assert list_instruments() == ["gad2", "gad7", "phq9"]
    assert [d.id for d in all_instruments()] == ["phq9", "gad7", "gad2"]  # the R13 pair first
    assert (gad2.n_items, gad2.max_total, gad2.band(3), gad2.severity_label("positive screen", "de")) == (
        2,
        6,
        "positive screen",
        "auffälliges Screening",
    )
    assert gad2.pairing is None


def test_a_definition_that_breaks_a_rule_is_refused_with_the_rule_named(tmp_path: Path) -> None:
    source = (INSTRUMENTS_DIR / "gad7-1.0.0.yaml").read_text()
    gap = tmp_path / "gad7-9.9.9.yaml"
    gap.write_text(source.replace("{min: 5, max: 9, label: mild,", "{min: 6, max: 9, label: mild,"))
    with pytest.raises(InvalidDefinitionError, match="bands must cover every total 0..21 once"):
        parse_instrument_file(gap)
    role = tmp_path / "gad7-9.9.8.yaml"
    role.write_text(source.replace("role: anxiety", "role: panic"))
    with pytest.raises(InvalidDefinitionError, match="'pairing.role' violates schema rule 'enum'"):
        parse_instrument_file(role)


def test_a_flag_the_safety_flag_schema_does_not_know_is_refused(tmp_path: Path) -> None:
    source = (INSTRUMENTS_DIR / "phq9-1.0.0.yaml").read_text()
    unknown = tmp_path / "phq9-9.9.9.yaml"
    unknown.write_text(source.replace("unanswered: item9_unanswered", "unanswered: item9_skipped"))
    with pytest.raises(InvalidDefinitionError, match=r"flags \['item9_skipped'\] are not in the safety_flag"):
        parse_instrument_file(unknown)


def test_one_id_and_version_in_two_places_is_refused_not_silently_overridden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = INSTRUMENTS_DIR / "gad7-1.0.0.yaml"
    (tmp_path / shipped.name).write_text(shipped.read_text().replace("reliable_change: 4", "reliable_change: 3"))
    monkeypatch.setenv(PATH_ENV, str(tmp_path))
    with pytest.raises(InvalidDefinitionError, match="gad7-1.0.0.yaml is defined twice") as refused:
        load_instrument("gad7")
    assert "new version" in str(refused.value)


def test_a_definitions_digest_follows_its_content(tmp_path: Path) -> None:
    shipped = INSTRUMENTS_DIR / "gad7-1.0.0.yaml"
    same, edited = tmp_path / "same" / shipped.name, tmp_path / "edited" / shipped.name
    same.parent.mkdir()
    edited.parent.mkdir()
    same.write_bytes(shipped.read_bytes())
    edited.write_text(shipped.read_text().replace("reliable_change: 4", "reliable_change: 3"))
    digests = [parse_instrument_file(p).digest for p in (shipped, same, edited)]
    assert digests[0] == digests[1] != digests[2]
