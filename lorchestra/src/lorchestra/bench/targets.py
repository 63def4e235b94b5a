"""The performance targets (issue 7) checked against a pipeline benchmark's figures.

Figures, not assertions: ``met`` is reported, never raised. A re-run stage within
``NOISE_FLOOR_S`` counts as met whatever its ratio: at that size the figure is the
runner's fixed cost per job (a store query or two), not work that grows with history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

NOISE_FLOOR_S = 0.05
RSS_LIMIT_MB = 1024


@dataclass(frozen=True)
class StageFigure:
    """One stage of one pass of the pipeline benchmark."""

    pass_name: str
    stage: str
    status: str
    records: int
    seconds: float
    records_per_s: float | None
    peak_rss_mb: float
    counts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class TargetCheck:
    target: str
    measured: str
    met: bool


def check_targets(figures: Sequence[StageFigure], *, new_fraction: float) -> list[TargetCheck]:
    first = {f.stage: f for f in figures if f.pass_name == "first_run"}
    checks: list[TargetCheck] = []

    def rate(stage: str, minimum: float, label: str) -> None:
        if stage in first:
            value = first[stage].records_per_s or 0
            checks.append(
                TargetCheck(f"{label} >= {minimum:,.0f} records/s", f"{value:,.0f} records/s", value >= minimum)
            )

    for stage in ("ingest_email", "ingest_forms"):
        rate(stage, 20_000, f"{stage} (JSONL -> raw_objects)")
    if "extract_email" in first:
        rate("extract_email", 20_000, "extract_email (Meltano + ingest)")
    rate("canonicalize_email", 10_000, "canonicalize_email")

    clinical = [first[s] for s in ("canonicalize_questionnaires", "score_phq9", "score_gad7") if s in first]
    if clinical:
        seconds = sum(f.seconds for f in clinical)
        responses = clinical[0].records
        value = responses / seconds if seconds else 0.0
        checks.append(
            TargetCheck(
                "canonicalize_questionnaires + score_phq9 + score_gad7 >= 20,000 responses/s",
                f"{value:,.0f} responses/s ({responses} in {seconds:.2f} s)",
                value >= 20_000,
            )
        )

    for stage in ("build_inbox_view", "build_measurement_timeseries"):
        for figure in (f for f in figures if f.stage == stage):
            checks.append(
                TargetCheck(f"{stage} ({figure.pass_name}) <= 5 s", f"{figure.seconds:.2f} s", figure.seconds <= 5)
            )

    for pass_name, share in (("no_new_data", 0.05), ("new_data", 0.10)):
        for figure in (f for f in figures if f.pass_name == pass_name):
            base = first.get(figure.stage)
            if base is None:
                continue
            ratio = figure.seconds / base.seconds if base.seconds else 0.0
            met = figure.seconds <= NOISE_FLOOR_S or ratio <= share
            label = "no new data" if pass_name == "no_new_data" else f"{new_fraction:.0%} new data"
            checks.append(
                TargetCheck(
                    f"{figure.stage} with {label} <= {share:.0%} of first run",
                    f"{figure.seconds:.3f} s = {ratio:.1%} of {base.seconds:.3f} s",
                    met,
                )
            )

    worst = max(figures, key=lambda f: f.peak_rss_mb, default=None)
    if worst is not None:
        checks.append(
            TargetCheck(
                f"peak RSS of any stage <= {RSS_LIMIT_MB} MB",
                f"{worst.peak_rss_mb:.0f} MB ({worst.stage}, {worst.pass_name})",
                worst.peak_rss_mb <= RSS_LIMIT_MB,
            )
        )

    report = first.get("generate_weekly_report")
    if report and report.records:
        each = report.seconds / (report.records + 1)  # the client reports and the practice report
        checks.append(
            TargetCheck(
                "client progress report <= 1 s each (warm process)",
                f"{each:.2f} s each ({report.records} client reports + 1 practice report in {report.seconds:.1f} s)",
                each <= 1,
            )
        )
        per_hundred = each * 100
        checks.append(
            TargetCheck("100 client progress reports <= 60 s", f"{per_hundred:.0f} s at that rate", per_hundred <= 60)
        )
    return checks
