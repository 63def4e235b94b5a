"""reporter's errors. Messages name weeks, settings, config positions, hosts and reply
codes — never a record's content and never a recipient's address."""

from __future__ import annotations

from shared_schemas.errors import PhiSafeError


class ReporterError(PhiSafeError):
    """Root of reporter's errors."""


class WeekError(ReporterError, ValueError):
    """A week that is not an ISO week (``YYYY-Www``), or one that cannot be reported yet."""


class ReportSettingsError(ReporterError):
    """The ``reports`` section of the config cannot work as written; the message names the key."""


class DeliveryError(ReporterError):
    """Delivery was refused or failed; the message names hosts, codes and config positions only."""


class DeliveryRefusedError(DeliveryError):
    """Refused before connecting (recipient not allowed, TLS required)."""
