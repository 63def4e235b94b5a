"""Sample Singer taps for the ingest tests and benchmarks.

``tap-sample-gmail`` replays Gmail ``users.messages.get`` (format=full) records and
``tap-sample-graph`` raw Microsoft Graph message resources, one fixed mailbox per run
(setting ``mailbox``), from the JSON fixtures in ``sample_taps/fixtures/``.
``tap-sample-forms`` (Google Forms API forms and responses) and ``tap-sample-dataverse``
(contacts and sessions) replay one practice story from ``sample_taps/fixtures/practice/``
(see CLIENTS.md), whose linked Sheet the fake Sheets API (``ingestor.fake_apis``) serves.
With ``count`` > 0 the mail taps and the Forms tap emit deterministic synthetic records
instead. The content is invented; no real person's data is in here.
"""

__version__ = "0.1.0"
