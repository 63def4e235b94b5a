"""``tap-sample-graph``: raw Microsoft Graph ``message`` resources."""

from __future__ import annotations

from lorc_taps.graph.schema import MESSAGE_SCHEMA as GRAPH_MESSAGE_SCHEMA
from sample_taps.base import SampleMessagesStream, SampleTap


class GraphMessagesStream(SampleMessagesStream):
    source = "graph"
    schema = GRAPH_MESSAGE_SCHEMA
    primary_keys = ("id",)


class TapSampleGraph(SampleTap):
    name = "tap-sample-graph"
    stream_class = GraphMessagesStream


if __name__ == "__main__":
    TapSampleGraph.cli()
