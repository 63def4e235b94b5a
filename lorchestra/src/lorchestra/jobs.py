"""Job discovery through the ``lorchestra.jobs`` entry-point group.

A job is a plain function ``job(ctx: JobContext) -> JobResult | None`` registered in its
package's ``pyproject.toml``. The suite's own jobs use the same path as third-party
ones. Entry points are loaded lazily, once per registry; one that fails to import is
reported as a warning naming the entry point, never a crash.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any

from lorchestra.exceptions import JobNotFoundError

if TYPE_CHECKING:
    from lorchestra.jobkit import JobContext, JobResult

ENTRY_POINT_GROUP = "lorchestra.jobs"


JobFunc = Callable[["JobContext"], "JobResult | None"]


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: JobFunc
    package: str
    entry_point: str

    @property
    def summary(self) -> str:
        doc = inspect.getdoc(self.func) or ""
        return doc.splitlines()[0] if doc else ""


@dataclass
class JobRegistry:
    jobs: dict[str, JobSpec]
    warnings: list[str]

    @classmethod
    def discover(cls, entry_point_list: list[EntryPoint] | None = None) -> JobRegistry:
        eps = entry_point_list if entry_point_list is not None else list(entry_points(group=ENTRY_POINT_GROUP))
        jobs: dict[str, JobSpec] = {}
        warnings: list[str] = []
        for ep in sorted(eps, key=lambda e: e.name):
            package = ep.dist.name if ep.dist else "?"
            try:
                func = ep.load()
            except Exception as exc:  # a broken plugin must not take the runner down
                warnings.append(
                    f"job plugin {ep.name!r} ({ep.value}, from {package}) failed to load: "
                    f"{type(exc).__name__}; it is skipped"
                )
                continue
            if not callable(func):
                warnings.append(f"job plugin {ep.name!r} ({ep.value}) is not callable; it is skipped")
                continue
            if ep.name in jobs:
                warnings.append(
                    f"job {ep.name!r} is registered twice ({jobs[ep.name].entry_point} and {ep.value}); "
                    "keeping the first"
                )
                continue
            jobs[ep.name] = JobSpec(ep.name, func, package, ep.value)
        return cls(jobs, warnings)

    def get(self, name: str) -> JobSpec:
        try:
            return self.jobs[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(self.jobs), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise JobNotFoundError(
                f"unknown job {name!r}{hint} (`lorc jobs list` shows all jobs)"
            ) from None

    def describe(self) -> list[dict[str, Any]]:
        return [
            {"name": s.name, "package": s.package, "entry_point": s.entry_point, "summary": s.summary}
            for s in self.jobs.values()
        ]
