"""``lorc connect SYSTEM NAME``: sign a connection in once and keep its secrets in
``$LORC_HOME/.env`` under the connection's own names (see ``lorchestra.connections``).

Each system's sign-in is a module of its own (``gmail``, ``exchange``); this package
stores what they return and never prints a value, only the names it stored.
"""

from __future__ import annotations

from collections.abc import Mapping

from lorchestra.connections import env_name
from lorchestra.dotenv import store_secrets
from lorchestra.home import PhiHome


def store_connection_secrets(home: PhiHome, connection_name: str, values: Mapping[str, str]) -> list[str]:
    """Store ``{KEY: value}`` as ``<CONNECTION>_<KEY>`` in ``.env``; the names stored."""
    named = {f"{env_name(connection_name)}_{key}": value for key, value in values.items()}
    store_secrets(home.dotenv_path, named)
    return sorted(named)
