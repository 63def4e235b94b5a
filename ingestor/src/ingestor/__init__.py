"""Thin Meltano wrapper: Singer taps into JSONL files, and the records back out.

Imports nothing of events, DuckDB, BigQuery or lorchestra.
"""

from ingestor.direct import tap_to_jsonl
from ingestor.exceptions import ExtractionError, IngestorError, JsonlFormatError
from ingestor.extract import code_links, extract_to_jsonl
from ingestor.jsonl import iter_jsonl_records
from ingestor.meltano import (
    MeltanoNotFoundError,
    find_meltano,
    find_meltano_sys_dir,
    meltano_project_dir,
    meltano_version,
)

__all__ = [
    "ExtractionError",
    "IngestorError",
    "JsonlFormatError",
    "MeltanoNotFoundError",
    "code_links",
    "extract_to_jsonl",
    "find_meltano",
    "find_meltano_sys_dir",
    "iter_jsonl_records",
    "meltano_project_dir",
    "meltano_version",
    "tap_to_jsonl",
]
