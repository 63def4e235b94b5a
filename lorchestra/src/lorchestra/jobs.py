"""Job discovery through the ``lorchestra.jobs`` entry-point group.

A job is a plain function ``job(ctx: JobContext) -> JobResult | None`` registered in its
package's ``pyproject.toml``. The suite's own jobs use the same path as third-party
ones. Entry points are loaded lazily (at the first discovery, never at import) and once per
process; one that fails to import is reported as a warning naming the entry point, never a
crash. ``LORC_LOAD_PLUGINS`` chooses the plugin distributions (see :func:`selected_entry_points`).
"""

from __future__ import annotations

import difflib
import inspect
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any

from lorchestra.exceptions import JobNotFoundError

if TYPE_CHECKING:
    from lorchestra.jobkit import JobContext, JobResult

ENTRY_POINT_GROUP = "lorchestra.jobs"
PLUGINS_VARIABLE = "LORC_LOAD_PLUGINS"
# The distributions of this repository's six packages: their jobs and checks load whatever
# LORC_LOAD_PLUGINS says (the taps, lorc-taps and lorc-sample-taps, register none).
BUILT_IN = frozenset({"shared-schemas", "ingestor", "canonizer", "final-form", "reporter", "lorchestra"})


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
        """The jobs of ``entry_point_list``, or of the installed entry points chosen by
        ``LORC_LOAD_PLUGINS``: those are loaded once per process (:func:`reset_plugins` for
        tests); every call returns its own registry, so a caller may add jobs to it."""
        if entry_point_list is not None:
            return cls._load(entry_point_list, [])
        global _installed
        if _installed is None:
            eps, warnings = selected_entry_points(ENTRY_POINT_GROUP)
            _installed = cls._load(eps, warnings)
        return cls(dict(_installed.jobs), list(_installed.warnings))

    @classmethod
    def _load(cls, eps: list[EntryPoint], warnings: list[str]) -> JobRegistry:
        jobs: dict[str, JobSpec] = {}
        warnings = list(warnings)
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
            raise JobNotFoundError(f"unknown job {name!r}{hint} (`lorc jobs list` shows all jobs)") from None

    def describe(self) -> list[dict[str, Any]]:
        return [
            {"name": s.name, "package": s.package, "entry_point": s.entry_point, "summary": s.summary}
            for s in self.jobs.values()
        ]


_installed: JobRegistry | None = None


def reset_plugins() -> None:
    """Forget the loaded jobs: the next discovery reads the entry points (and
    ``LORC_LOAD_PLUGINS``) again. For tests."""
    global _installed
    _installed = None


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def selected_entry_points(group: str, environ: Mapping[str, str] | None = None) -> tuple[list[EntryPoint], list[str]]:
    """The installed entry points of ``group`` that ``LORC_LOAD_PLUGINS`` lets load, and a
    warning for each name it gives that is not installed. As llm's ``LLM_LOAD_PLUGINS``:
    unset, every distribution's; empty, the suite's own (:data:`BUILT_IN`) only; a comma list
    of distribution names, the suite's own and those."""
    setting = (os.environ if environ is None else environ).get(PLUGINS_VARIABLE)
    eps = list(entry_points(group=group))
    if setting is None:
        return eps, []
    wanted = {_canonical(name.strip()) for name in setting.split(",") if name.strip()}
    installed = {_canonical(ep.dist.name) for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.dist}
    warnings = (
        [
            f"{PLUGINS_VARIABLE} names {name}, which provides no installed job plugin"
            for name in sorted(wanted - installed - BUILT_IN)
        ]
        if group == ENTRY_POINT_GROUP
        else []
    )
    allowed = wanted | BUILT_IN
    return [ep for ep in eps if ep.dist is not None and _canonical(ep.dist.name) in allowed], warnings
