"""``tap-sample-forms``: Google Forms API ``forms.get`` and ``forms.responses.list`` records.

No working Singer tap for the Forms API exists (source-payloads §0); this is what a
hand-written SDK tap would emit: stream ``forms`` (one Form resource per form) and
stream ``form_responses`` (FormResponse records, full table, ``responseId`` as key).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from singer_sdk import Stream, Tap
from singer_sdk import typing as th

from sample_taps import forms_synthetic, practice
from sample_taps.practice_schemas import FORM_RESPONSE_SCHEMA, FORM_SCHEMA


def _settings(config: Mapping[str, Any]) -> tuple[str | None, int, int]:
    form_id = config.get("form_id") or None
    revision = practice.check_revision(int(config.get("revision") or 1))
    return form_id, revision, synthetic_count(config)


def synthetic_count(config: Mapping[str, Any]) -> int:
    """The ``count`` setting, checked (shared by the synthetic modes of the practice taps)."""
    count = int(config.get("count") or 0)
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    if int(config.get("first") or 0) < 0:
        raise ValueError(f"first must be >= 0, got {config.get('first')}")
    return count


class FormsStream(Stream):
    name = "forms"
    schema = FORM_SCHEMA
    primary_keys = ("formId",)

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        form_id, _revision, _count = _settings(self.config)
        yield from practice.forms(form_id)


class FormResponsesStream(Stream):
    name = "form_responses"
    schema = FORM_RESPONSE_SCHEMA
    primary_keys = ("responseId",)

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        form_id, revision, count = _settings(self.config)
        if count > 0 or int(self.config.get("first") or 0) > 0:
            yield from forms_synthetic.responses(
                practice.forms(form_id),
                count,
                first=int(self.config.get("first") or 0),
                clients=int(self.config.get("clients") or forms_synthetic.DEFAULT_CLIENTS),
            )
        else:
            yield from practice.form_responses(revision, form_id)


class TapSampleForms(Tap):
    name = "tap-sample-forms"
    config_jsonschema = th.PropertiesList(
        th.Property("form_id", th.StringType, description="Emit only this form and its responses (default: all)."),
        th.Property(
            "revision",
            th.IntegerType,
            default=1,
            description="Fixture revision: 2 re-delivers the edited response (see CLIENTS.md).",
        ),
        th.Property(
            "count",
            th.IntegerType,
            default=0,
            description="When > 0, emit this many deterministic synthetic responses instead of the fixtures.",
        ),
        th.Property(
            "first",
            th.IntegerType,
            default=0,
            description="Index of the first synthetic response (N: continue a run of N with new ones).",
        ),
        th.Property(
            "clients",
            th.IntegerType,
            default=forms_synthetic.DEFAULT_CLIENTS,
            description="How many respondents the synthetic responses come from.",
        ),
    ).to_dict()

    def discover_streams(self) -> list[Stream]:
        return [FormsStream(tap=self), FormResponsesStream(tap=self)]


if __name__ == "__main__":
    TapSampleForms.cli()
