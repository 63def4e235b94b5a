"""``tap-sample-gmail``: Gmail ``users.messages.get`` (format=full) records."""

from __future__ import annotations

from lorc_taps.gmail.schema import GMAIL_MESSAGE_SCHEMA
from sample_taps.base import SampleMessagesStream, SampleTap


class GmailMessagesStream(SampleMessagesStream):
    source = "gmail"
    schema = GMAIL_MESSAGE_SCHEMA
    primary_keys = ()  # MeltanoLabs/tap-gmail declares none for `messages`


class TapSampleGmail(SampleTap):
    name = "tap-sample-gmail"
    stream_class = GmailMessagesStream


if __name__ == "__main__":
    TapSampleGmail.cli()
