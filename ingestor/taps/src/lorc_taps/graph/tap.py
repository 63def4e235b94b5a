"""``tap-lorc-graph``: one stream, ``messages``, the raw Graph message resource of the
configured folders of one Exchange Online mailbox, incremental through delta queries."""

from __future__ import annotations

from singer_sdk import Stream, Tap
from singer_sdk import typing as th

from lorc_taps.graph.auth import DEFAULT_API_URL
from lorc_taps.graph.streams import DEFAULT_FOLDERS, MessagesStream
from lorc_taps.microsoft_auth import app_settings


class TapLorcGraph(Tap):
    name = "tap-lorc-graph"
    config_jsonschema = th.PropertiesList(
        th.Property(
            "mailbox", th.StringType, required=True, description="The mailbox (user principal name or address) to read."
        ),
        *app_settings(),
        th.Property("api_url", th.StringType, default=DEFAULT_API_URL, description="Graph's base URL."),
        th.Property(
            "folders",
            th.ArrayType(th.StringType),
            default=list(DEFAULT_FOLDERS),
            description="Folders to read: well-known names (inbox, sentitems, ...) or folder ids.",
        ),
        th.Property(
            "start_date",
            th.StringType,
            description="A first sync reads messages received on or after this date; absent: all.",
        ),
        th.Property(
            "max_messages_per_run",
            th.IntegerType,
            default=0,
            description="Stop after the page that reaches this many records (0: no limit); "
            "the next run continues from the state.",
        ),
        th.Property(
            "page_size",
            th.IntegerType,
            default=100,
            description="Messages per page, sent as Prefer: odata.maxpagesize.",
        ),
    ).to_dict()

    def discover_streams(self) -> list[Stream]:
        return [MessagesStream(tap=self)]


if __name__ == "__main__":
    TapLorcGraph.cli()
