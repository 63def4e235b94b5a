"""``tap-lorc-dataverse``: the ``contact`` table and the practice's session table of one
Dataverse environment, incremental on ``modifiedon``."""

from __future__ import annotations

from functools import cached_property

from singer_sdk import Stream, Tap
from singer_sdk import typing as th

from lorc_taps.dataverse.client import DEFAULT_API_VERSION, dataverse_client
from lorc_taps.dataverse.streams import SessionStream, TableStream
from lorc_taps.http import ApiClient
from lorc_taps.microsoft_auth import app_settings


class TapLorcDataverse(Tap):
    name = "tap-lorc-dataverse"
    config_jsonschema = th.PropertiesList(
        th.Property(
            "environment_url",
            th.StringType,
            required=True,
            description="The environment's URL, e.g. https://<org>.crm4.dynamics.com.",
        ),
        *app_settings(),
        th.Property("api_version", th.StringType, default=DEFAULT_API_VERSION, description="The Web API version."),
        th.Property(
            "session_table",
            th.StringType,
            required=True,
            description="The session table's logical name, e.g. cr7a2_session (the publisher prefix "
            "is the practice's own).",
        ),
        th.Property(
            "session_entity_set",
            th.StringType,
            required=True,
            description="The session table's entity set name, e.g. cr7a2_sessions.",
        ),
        th.Property(
            "start_date",
            th.StringType,
            description="A first sync reads rows modified on or after this date; absent: all.",
        ),
        th.Property(
            "page_size", th.IntegerType, default=5000, description="Rows per page, sent as Prefer: odata.maxpagesize."
        ),
    ).to_dict()

    @cached_property
    def client(self) -> ApiClient:
        """One sign-in for both streams."""
        return dataverse_client(self.config)

    def discover_streams(self) -> list[Stream]:
        table = str(self.config["session_table"])
        return [
            TableStream(self, name="contact", entity_set="contacts", key="contactid"),
            SessionStream(self, name="session", entity_set=str(self.config["session_entity_set"]), key=f"{table}id"),
        ]


if __name__ == "__main__":
    TapLorcDataverse.cli()
