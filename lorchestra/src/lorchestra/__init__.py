"""lorchestra: the `lorc` runner, config, jobs and the storage clients of the suite.

Importing it does nothing: no logging set-up, no plugin loading, no storage access.
"""

from importlib.metadata import version as _version

__version__ = _version("lorchestra")
__all__ = ["__version__"]
