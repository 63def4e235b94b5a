"""One root error for the suite; each branch says how a user recovers.

Messages are written to be safe to print and to store in ``event_log``: they name
paths, keys, ids, counts and rules, never a record's content. The CLI is the only
place that turns these into exit codes.
"""

from __future__ import annotations

from pathlib import Path

from shared_schemas.errors import PhiSafeError


class LorcError(PhiSafeError):
    """Root of every error lorchestra raises on purpose. ``str(exc)`` is PHI-free."""

    exit_code = 1


class ConfigError(LorcError):
    """The config file or an environment override is invalid; the message names the key path."""


class PhiHomeError(LorcError):
    """The PHI home is missing or its permissions are too open; the message gives the fix."""


class JobNotFoundError(LorcError):
    """An unknown job name; the message suggests close names."""

    exit_code = 2


class PipelineNotFoundError(LorcError):
    """An unknown pipeline name; the message lists the defined ones."""

    exit_code = 2


class StorageError(LorcError):
    """The warehouse could not be used (unreachable, locked, rejected a write)."""


class StorageUnreachableError(StorageError):
    """No answer from the warehouse's endpoint (network down, wrong ``api_endpoint``)."""


class StorageRefusedError(StorageError):
    """The warehouse answered a request with an error. ``status`` is the HTTP status and
    ``reasons`` BigQuery's error reasons (``accessDenied``, ``billingNotEnabled``,
    ``notFound`` ...); ``about_billing`` says the refusal names billing (an ``accessDenied``
    of a project whose billing account is closed). They let ``lorc doctor`` tell a missing
    role from disabled billing; the service's own message is never kept (it may quote values)."""

    def __init__(
        self, message: str, *, status: int | None, reasons: tuple[str, ...] = (), about_billing: bool = False
    ) -> None:
        super().__init__(message)
        self.status = status
        self.reasons = reasons
        self.about_billing = about_billing


class DatasetMissingError(StorageError):
    """The configured BigQuery dataset does not exist; runs never create it (that takes
    ``bigquery.datasets.create``, which a least-privilege account lacks)."""


class DatasetLocationError(StorageError):
    """The BigQuery dataset exists in another location than ``storage.bigquery.location``."""


class BackendNotInstalledError(StorageError):
    """The configured backend's client library is an extra that is not installed."""

    def __init__(self, backend: str, missing: str | None) -> None:
        super().__init__(
            f"storage.backend is {backend}, but its client library is not installed (no module "
            f"{missing}): pip install 'lorchestra[{backend}]' (./dev setup installs it)"
        )


class WarehouseLockedError(StorageError):
    """Another process holds the DuckDB warehouse open; ``holder`` names it
    ("python3.11 (pid 4242: jupyter-lab)") for messages that say who."""

    def __init__(self, message: str, *, holder: str) -> None:
        super().__init__(message)
        self.holder = holder


class DiskFullError(StorageError):
    """A file system the suite writes to is full (ENOSPC) or over quota (EDQUOT)."""

    def __init__(self, directory: Path | None, *, quota: bool = False) -> None:
        self.directory = directory
        what = "no space left on device" + (" (disk quota exceeded)" if quota else "")
        where = f"under {directory}" if directory else "on a file system the PHI home uses"
        super().__init__(
            f"{what} {where}: free space there and run again (the next run finishes what this one could not write)"
        )
