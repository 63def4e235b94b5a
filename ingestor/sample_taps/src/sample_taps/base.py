"""What both sample taps share: settings and the ``messages`` stream."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from singer_sdk import Stream, Tap
from singer_sdk import typing as th

from sample_taps import synthetic
from sample_taps.mailboxes import REVISIONS, load_messages

CONFIG_SCHEMA = th.PropertiesList(
    th.Property(
        "mailbox",
        th.StringType,
        required=True,
        description="The mailbox whose records to emit (one fixture file per mailbox).",
    ),
    th.Property(
        "count",
        th.IntegerType,
        default=0,
        description="When > 0, emit this many deterministic synthetic messages instead of the fixtures.",
    ),
    th.Property(
        "first",
        th.IntegerType,
        default=0,
        description="Index of the first synthetic message (N: continue a run of N with new messages).",
    ),
    th.Property(
        "revision",
        th.IntegerType,
        default=1,
        description="Fixture revision: 2 re-delivers some messages with changed mutable fields.",
    ),
).to_dict()


class SampleMessagesStream(Stream):
    """``messages``: full table, no replication key (like tap-gmail's ``messages``)."""

    name = "messages"
    source: ClassVar[str]

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        mailbox = self.config["mailbox"]
        count = int(self.config.get("count") or 0)
        revision = int(self.config.get("revision") or 1)
        first = int(self.config.get("first") or 0)
        if count < 0 or first < 0:
            raise ValueError(f"count and first must be >= 0, got {count} and {first}")
        if revision not in REVISIONS:
            raise ValueError(f"revision must be one of {REVISIONS}, got {revision}")
        if count > 0 or first > 0:
            yield from synthetic.messages(self.source, mailbox, count, first)
        else:
            yield from load_messages(self.source, mailbox, revision)


class SampleTap(Tap):
    config_jsonschema = CONFIG_SCHEMA
    stream_class: ClassVar[type[SampleMessagesStream]]

    def discover_streams(self) -> list[Stream]:
        return [self.stream_class(tap=self)]
