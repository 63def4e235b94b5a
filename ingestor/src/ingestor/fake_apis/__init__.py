"""Fake Google and Microsoft APIs on loopback, speaking each API's real wire protocol.

The sample profile runs the production taps against them, and the tests use them to
inject faults (429 with ``Retry-After``, 5xx, expired tokens, slow answers). They serve
the practice story of ``sample_taps`` (fixtures) or synthetic mailboxes for benchmarks.
"""

from ingestor.fake_apis.server import (
    FakeApiServer,
    FakeRequest,
    FakeResponse,
    Fault,
    LoggedRequest,
    running,
)

__all__ = ["FakeApiServer", "FakeRequest", "FakeResponse", "Fault", "LoggedRequest", "running"]
