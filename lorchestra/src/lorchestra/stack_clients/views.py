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
from typing import TYPE_CHECKING

from lorchestra.exceptions import PhiHomeError
from lorchestra.home import PhiHome
from lorchestra.stack_clients.projection import check_table_name

if TYPE_CHECKING:
    import duckdb

VIEWS_DIR = "views"
SUFFIX = ".parquet"


def views_dir(home: PhiHome) -> Path:
    return home.root / VIEWS_DIR


def connect_views(home: PhiHome | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with one view per published projection, named as
    in the warehouse (``SELECT * FROM inbox_view``); each query reads the newest snapshot."""
    import duckdb  # only here: the BigQuery backend never loads it

    home = home or PhiHome.from_env()
    directory = views_dir(home)
    files = sorted(directory.glob(f"*{SUFFIX}"))
    if not files:
        raise PhiHomeError(f"no published views in {directory} yet; run the build jobs "
                           "(`lorc run --pipeline daily`) to publish them (on BigQuery nothing is "
                           "published: query the tables in the dataset)")
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    for path in files:
        con.execute(f"CREATE VIEW {check_table_name(path.name.removesuffix(SUFFIX))} AS "
                    f"SELECT * FROM read_parquet({sql_string(str(path))})")
    return con


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
