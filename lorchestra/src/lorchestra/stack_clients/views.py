"""Published views: read-only snapshots of the projections that anyone can read at any time.

DuckDB lets one process hold the warehouse file for writing and refuses every other
process meanwhile, so a notebook could never read the warehouse while ``lorc`` runs
(and would block the run while it held the file). After every build, the DuckDB store
therefore publishes each reader-facing projection (``inbox_view``,
``measurement_timeseries``, ``measurement_paired``) as a Parquet file in
``$LORC_HOME/views/`` (0600 in a 0700 directory), replaced atomically: a reader sees the
last complete build, never half of one, and never holds a lock the writer needs. On
BigQuery readers use the tables themselves.
"""

from __future__ import annotations

from pathlib import Path

from lorchestra.home import PhiHome
from lorchestra.stack_clients.tables import check_table_name

VIEWS_DIR = "views"
SUFFIX = ".parquet"


def views_dir(home: PhiHome) -> Path:
    return home.root / VIEWS_DIR


def view_path(home: PhiHome, name: str) -> Path:
    """Where projection ``name`` is published (the file may not exist yet)."""
    return views_dir(home) / f"{check_table_name(name)}{SUFFIX}"
