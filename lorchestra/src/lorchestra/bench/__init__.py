"""``lorc bench``: figures, not pass/fail. Each benchmark works in a private temporary
directory and leaves nothing behind."""

from lorchestra.bench.ingest import BenchResult, bench_ingest
from lorchestra.bench.pipeline import PipelineBench, bench_pipeline
from lorchestra.bench.targets import StageFigure

__all__ = ["BenchResult", "PipelineBench", "StageFigure", "bench_ingest", "bench_pipeline"]
