"""The practice console: a private local web page over the warehouse (``lorc serve``).

An application layer over ``lorchestra`` (config, status, reads that never block a run)
and ``reporter`` (charts, formatting); nothing imports it.
"""

from lorc_console.app import create_app

__all__ = ["create_app"]
