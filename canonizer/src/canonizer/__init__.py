"""canonizer: the transform registry and engine (raw records -> canonical records).

A pure core: :func:`canonicalize` takes a record and returns a canonical record; no
storage, no network, no config. The ``canonicalize_*`` jobs live in
:mod:`canonizer.jobs` and are the only part that talks to lorchestra.
"""

from canonizer.api import Outcome, canonicalize, canonicalize_many
from canonizer.exceptions import (
    CanonizerError,
    TransformChecksumError,
    TransformError,
    TransformNotFoundError,
)
from canonizer.golden import run_golden_tests
from canonizer.registry import Transform, get_transform, list_transforms

__all__ = [
    "CanonizerError",
    "Outcome",
    "Transform",
    "TransformChecksumError",
    "TransformError",
    "TransformNotFoundError",
    "canonicalize",
    "canonicalize_many",
    "get_transform",
    "list_transforms",
    "run_golden_tests",
]
