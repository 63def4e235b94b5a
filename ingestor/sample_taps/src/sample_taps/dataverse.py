"""``tap-sample-dataverse``: Dataverse Web API rows as ``mjsqu/tap-dataverse`` emits them
with ``annotations: true``: streams ``contact`` and ``cr7a2_session`` (logical names),
FormattedValue and lookup annotations kept, no key properties.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from singer_sdk import Stream, Tap
from singer_sdk import typing as th

from sample_taps import forms_synthetic, practice
from sample_taps.forms import synthetic_count
from sample_taps.practice_schemas import DATAVERSE_SCHEMAS


class DataverseStream(Stream):
    primary_keys = ()  # tap-dataverse declares none (source-payloads §0)

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        revision = practice.check_revision(int(self.config.get("revision") or 1))
        count = synthetic_count(self.config)
        if count == 0:
            yield from practice.dataverse_records(self.name, revision)
        elif self.name == "contact":
            yield from forms_synthetic.contacts(count)


class TapSampleDataverse(Tap):
    name = "tap-sample-dataverse"
    config_jsonschema = th.PropertiesList(
        th.Property(
            "revision",
            th.IntegerType,
            default=1,
            description="Fixture revision: 2 re-delivers one changed contact (see CLIENTS.md).",
        ),
        th.Property(
            "count",
            th.IntegerType,
            default=0,
            description="When > 0, emit this many synthetic contacts (the synthetic Forms respondents) "
            "and no sessions, instead of the fixtures.",
        ),
    ).to_dict()

    def discover_streams(self) -> list[Stream]:
        return [DataverseStream(tap=self, name=name, schema=schema) for name, schema in DATAVERSE_SCHEMAS.items()]


if __name__ == "__main__":
    TapSampleDataverse.cli()
