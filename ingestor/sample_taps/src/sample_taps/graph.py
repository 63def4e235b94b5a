"""``tap-sample-graph``: raw Microsoft Graph ``message`` resources."""

from __future__ import annotations

from sample_taps.base import SampleMessagesStream, SampleTap
from sample_taps.schemas import GRAPH_MESSAGE_SCHEMA


class GraphMessagesStream(SampleMessagesStream):
    source = "graph"
    schema = GRAPH_MESSAGE_SCHEMA
    primary_keys = ("id",)


class TapSampleGraph(SampleTap):
    name = "tap-sample-graph"
    stream_class = GraphMessagesStream


if __name__ == "__main__":
    TapSampleGraph.cli()
