"""Thin Meltano wrapper: Singer taps into JSONL files, and the records back out.

Imports nothing of events, DuckDB or BigQuery.
"""

from ingestor.meltano import MeltanoNotFoundError, find_meltano, meltano_version

__all__ = ["MeltanoNotFoundError", "find_meltano", "meltano_version"]
