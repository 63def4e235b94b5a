"""``tap-sample-sheets``: the follow-up form's linked response sheet, as
``Matatika/tap-google-sheets`` emits it: one stream named after the tab
(``Formularantworten_1``), keys = header row with whitespace runs as ``_``, every value a
string, empty cells ``""``, no key properties.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from singer_sdk import Stream, Tap
from singer_sdk import typing as th

from sample_taps import practice
from sample_taps.practice_schemas import sheet_schema


class SheetStream(Stream):
    primary_keys = ()

    def get_records(self, context: dict | None) -> Iterable[dict[str, Any]]:
        yield from practice.sheet_rows(practice.check_revision(int(self.config.get("revision") or 1)))


class TapSampleSheets(Tap):
    name = "tap-sample-sheets"
    config_jsonschema = th.PropertiesList(
        th.Property("revision", th.IntegerType, default=1,
                    description="Fixture revision: 2 shows the edited response's row (see CLIENTS.md)."),
    ).to_dict()

    def discover_streams(self) -> list[Stream]:
        return [SheetStream(tap=self, name=practice.sheet_stream_name(),
                            schema=sheet_schema(practice.sheet_columns()))]


if __name__ == "__main__":
    TapSampleSheets.cli()
