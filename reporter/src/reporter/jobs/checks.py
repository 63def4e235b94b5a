"""``lorc doctor``'s check of report delivery (entry point group ``lorchestra.checks``):
the recipients, the allowlist and the TLS rule, as the report jobs check them first."""

from __future__ import annotations

from typing import Any

from reporter.exceptions import ReportSettingsError
from reporter.jobs.dispatch import Channel


def check_report_delivery(config: Any) -> str:
    """Raises what the report jobs would raise before any work; else says where reports go."""
    reports = config.section("reports")
    channel = Channel.from_config(reports, config.secrets)
    where = (
        "the outbox"
        if channel.method == "outbox"
        else (
            f"{len(channel.targets)} recipient(s) through {channel.smtp.host}:{channel.smtp.port} "  # type: ignore[union-attr]
            f"({channel.smtp.security})"  # type: ignore[union-attr]
        )
    )
    alerts = config.section("reports", "safety_alerts")
    if alerts.get("enabled"):
        listed = alerts.get("recipients")
        Channel.from_config(
            reports,
            config.secrets,
            recipients_key="reports.safety_alerts.recipients",
            recipients=[str(r) for r in listed] if listed else None,
        )
        if not _in_a_pipeline(config, "send_safety_alerts"):
            raise ReportSettingsError(
                "reports.safety_alerts.enabled is true, but no pipeline runs send_safety_alerts: add it to "
                "pipelines.daily.jobs in config.yaml, after score_phq9"
            )
        where += "; safety alerts on"
    if not _in_a_pipeline(config, "build_reporting_snapshots"):  # a config written before it existed
        where += (
            "; no pipeline builds reporting_snapshots (the weekly report builds it, but the figures others "
            "read wait for it): add build_reporting_snapshots to pipelines.daily.jobs, after build_measurement_timeseries"
        )
    return f"reports go to {where}"


def _in_a_pipeline(config: Any, job: str) -> bool:
    names = list(config.section("pipelines")) or ["daily"]  # a config without pipelines gets the defaults
    return any(job in config.pipeline(name)[0] for name in names)
