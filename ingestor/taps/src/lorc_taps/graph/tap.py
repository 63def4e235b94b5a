"""``tap-lorc-graph``: one stream, ``messages``, the raw Graph message resource of the
configured folders of one Exchange Online mailbox, incremental through delta queries."""

from __future__ import annotations

from singer_sdk import Stream, Tap
from singer_sdk import typing as th

from lorc_taps.graph.auth import DEFAULT_API_URL, DEFAULT_AUTHORITY_URL
from lorc_taps.graph.streams import DEFAULT_FOLDERS, MessagesStream


class TapLorcGraph(Tap):
    name = "tap-lorc-graph"
    config_jsonschema = th.PropertiesList(
        th.Property("mailbox", th.StringType, required=True,
                    description="The mailbox (user principal name or address) to read."),
        th.Property("tenant_id", th.StringType, required=True, description="The Microsoft Entra tenant id."),
        th.Property("client_id", th.StringType, required=True, secret=True,
                    description="The application (client) id of the app registration."),
        th.Property("client_secret", th.StringType, required=True, secret=True,
                    description="A client secret of the app registration."),
        th.Property("api_url", th.StringType, default=DEFAULT_API_URL, description="Graph's base URL."),
        th.Property("authority_url", th.StringType, default=DEFAULT_AUTHORITY_URL,
                    description="The sign-in authority host; msal's authority is <authority_url>/<tenant_id>."),
        th.Property("ca_bundle", th.StringType,
                    description="A PEM file of CA certificates to verify TLS with (a test server's)."),
        th.Property("folders", th.ArrayType(th.StringType), default=list(DEFAULT_FOLDERS),
                    description="Folders to read: well-known names (inbox, sentitems, ...) or folder ids."),
        th.Property("start_date", th.StringType,
                    description="A first sync reads messages received on or after this date; absent: all."),
        th.Property("max_messages_per_run", th.IntegerType, default=0,
                    description="Stop after the page that reaches this many records (0: no limit); "
                                "the next run continues from the state."),
        th.Property("page_size", th.IntegerType, default=100,
                    description="Messages per page, sent as Prefer: odata.maxpagesize."),
    ).to_dict()

    def discover_streams(self) -> list[Stream]:
        return [MessagesStream(tap=self)]


if __name__ == "__main__":
    TapLorcGraph.cli()
