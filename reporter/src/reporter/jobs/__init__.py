"""Job adapters of the reporter (the only reporter modules that import lorchestra):
``build_reporting_snapshots``, ``generate_weekly_report`` and ``send_safety_alerts``."""

from reporter.jobs.alerts import send_safety_alerts
from reporter.jobs.snapshots import build_reporting_snapshots
from reporter.jobs.weekly import generate_weekly_report

__all__ = ["build_reporting_snapshots", "generate_weekly_report", "send_safety_alerts"]
