"""``tap-lorc-gmail``: one stream, ``messages``, Gmail's ``Message`` resource as the API returns it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from singer_sdk import Stream, Tap
from singer_sdk import typing as th

from lorc_taps.gmail.client import DEFAULT_API_URL, GmailClient
from lorc_taps.gmail.schema import GMAIL_MESSAGE_SCHEMA
from lorc_taps.gmail.sync import MailboxSync, epoch_seconds
from lorc_taps.google_auth import api_client, sign_in_settings
from lorc_taps.ratelimit import TokenBucket
from lorc_taps.state import write_state_now

CONFIG_SCHEMA = th.PropertiesList(
    th.Property(
        "mailbox", th.StringType, required=True, description="The Gmail userId: the mailbox's address (or `me`)."
    ),
    *sign_in_settings(DEFAULT_API_URL, "From `lorc connect gmail NAME` (scope gmail.readonly)."),
    th.Property(
        "start_date",
        th.StringType,
        description="ISO date: the first run lists mail received from then on; absent = all mail.",
    ),
    th.Property(
        "max_messages_per_run",
        th.IntegerType,
        default=0,
        description="Stop after about this many messages with a resumable state; 0 = no limit.",
    ),
    th.Property(
        "quota_units_per_second",
        th.IntegerType,
        default=250,
        description="Gmail's per-user quota (a get costs 5 units, a list 5, history 2).",
    ),
    th.Property("concurrency", th.IntegerType, default=10, description="Message bodies fetched at once."),
).to_dict()


class MessagesStream(Stream):
    """``messages``: new and changed messages; its own bookmark (see ``lorc_taps.gmail.sync``)."""

    name = "messages"
    schema = GMAIL_MESSAGE_SCHEMA
    # No key properties, like the sample tap: a malformed record without `id` must still reach
    # lorc (which rejects it with a reason) instead of failing the target.
    primary_keys = ()

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        config = self.config
        concurrency = max(1, int(config.get("concurrency") or 10))
        quota = float(config.get("quota_units_per_second") or 250)
        # Google averages the quota over a moving window: spend 90% steadily, burst the rest,
        # so no one-second window ever sees more than the quota.
        bucket = TokenBucket(0.9 * quota, capacity=0.1 * quota)
        client = GmailClient(config, api_client(config, pool_size=concurrency), bucket)
        sync = MailboxSync(
            client,
            self.get_context_state(context),
            mailbox=str(config["mailbox"]),
            start_epoch=epoch_seconds(config.get("start_date")),
            limit=max(0, int(config.get("max_messages_per_run") or 0)),
            concurrency=concurrency,
            checkpoint=lambda: write_state_now(self),
        )
        yield from sync.records()
        self.logger.info("emitted %d messages; skipped %s", sync.emitted, dict(sync.skipped) or "none")


class TapLorcGmail(Tap):
    name = "tap-lorc-gmail"
    config_jsonschema = CONFIG_SCHEMA

    def discover_streams(self) -> list[Stream]:
        return [MessagesStream(tap=self)]


if __name__ == "__main__":
    TapLorcGmail.cli()
