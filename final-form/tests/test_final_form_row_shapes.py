"""The projection columns final_form writes are the row schemas in shared_schemas, and
the paired columns follow the definitions' R13 pairing."""

from __future__ import annotations

from final_form.definitions import paired_instruments
from final_form.timeseries import PAIRED_COLUMNS, TIMESERIES_COLUMNS
from shared_schemas import load_schema


def test_the_columns_are_the_row_schemas_properties_in_order() -> None:
    for columns, name in ((TIMESERIES_COLUMNS, "measurement_timeseries"), (PAIRED_COLUMNS, "measurement_paired")):
        assert [c for c, _ in columns] == list(
            load_schema(f"iglu:org.lorchestra/{name}/jsonschema/1-0-0")["properties"]
        )


def test_the_paired_columns_are_those_of_the_paired_instruments() -> None:
    per_instrument = {c for c, _ in PAIRED_COLUMNS if c.endswith(("_baseline", "_followup")) and c != "n_pairs"}
    per_instrument -= {"baseline_caseness"}
    assert per_instrument == {f"{d.id}_{end}" for d in paired_instruments() for end in ("baseline", "followup")}
