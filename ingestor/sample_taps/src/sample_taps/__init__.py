"""Sample Singer taps for the ingest tests and benchmarks.

``tap-sample-gmail`` replays Gmail ``users.messages.get`` (format=full) records and
``tap-sample-graph`` replays raw Microsoft Graph message resources, one fixed mailbox per
run (setting ``mailbox``), from the JSON fixtures in ``sample_taps/fixtures/``. With
``count`` > 0 they emit that many deterministic synthetic messages instead. The content
is invented; no real person's data is in here.
"""

__version__ = "0.1.0"
