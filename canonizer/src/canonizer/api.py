"""The pure core: records in, canonical records out. No storage, no network, no config."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from canonizer.engine import apply_transform
from canonizer.exceptions import TransformError
from canonizer.registry import Transform, get_transform


def _resolve(transform: str | Transform) -> Transform:
    return transform if isinstance(transform, Transform) else get_transform(transform)


def canonicalize(record: Any, transform: str | Transform, bindings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One record; raises :class:`TransformError` (rule + field) when it cannot be mapped."""
    return apply_transform(_resolve(transform), record, bindings)


@dataclass(frozen=True)
class Outcome:
    """The result for one input of a batch: an output, or the rule and field that failed."""

    index: int
    output: dict[str, Any] | None = None
    error: TransformError | None = None


def canonicalize_many(
    records: Iterable[Any], transform: str | Transform, bindings: Mapping[str, Any] | None = None
) -> Iterator[Outcome]:
    """Stream records through one transform; a bad record never stops the rest."""
    resolved = _resolve(transform)
    for index, record in enumerate(records):
        try:
            yield Outcome(index, output=apply_transform(resolved, record, bindings))
        except TransformError as exc:
            yield Outcome(index, error=exc)
