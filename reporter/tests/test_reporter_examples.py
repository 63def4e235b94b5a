"""The example rows are what final_form scores and builds from the invented answers, and
the example data has the warehouse's row shapes (reporter itself does not import final_form)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

from reporter.examples import CLIENTS, example_inputs
from shared_schemas import load_schema

TOOL = Path(__file__).resolve().parents[1] / "tools" / "example_data.py"


def example_data_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_data", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_example_rows_are_what_final_form_makes_of_the_example_answers() -> None:
    tool = example_data_tool()
    regenerated = json.loads(tool.serialised(tool.example_rows()))
    inputs = example_inputs()
    assert {"timeseries_rows": inputs["timeseries_rows"], "paired_rows": inputs["paired_rows"]} == regenerated
    assert tool.main(["--check"]) == 0


def test_every_example_measurement_scores_to_the_total_the_example_means() -> None:
    tool = example_data_tool()
    measurements = tool.example_measurements()
    meant = [t for _, _, _, phq9, gad7, _ in tool.RESPONSES for t in (phq9, gad7)]
    assert [m["total"] for m in measurements] == meant
    assert any(m["prorated"] for m in measurements) and any(not m["valid"] for m in measurements)
    assert any(m["item9_positive"] for m in measurements) and any(m["item9_answered"] is False for m in measurements)


def test_example_rows_have_the_columns_of_their_schemas() -> None:
    inputs = example_inputs()
    for rows, name in (
        (inputs["timeseries_rows"], "measurement_timeseries"),
        (inputs["paired_rows"], "measurement_paired"),
        (inputs["inbox_rows"], "inbox_view"),
    ):
        columns = set(load_schema(f"iglu:org.lorchestra/{name}/jsonschema/1-0-0")["properties"])
        assert rows and all(set(row) == columns for row in rows), name
    assert all(c["email"].endswith("@example.org") for c in CLIENTS.values())
