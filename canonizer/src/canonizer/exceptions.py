"""canonizer's errors. Messages name transforms, rules and fields — never record values."""

from __future__ import annotations

from shared_schemas.errors import PhiSafeError


class CanonizerError(PhiSafeError):
    """Root of canonizer's errors: messages name transforms, rules and fields only."""


class TransformNotFoundError(CanonizerError):
    """No transform with that id or version."""


class TransformChecksumError(CanonizerError):
    """A spec differs from the sha256 its meta file records; it is refused."""


class TransformError(CanonizerError):
    """One record could not be canonicalized: which rule failed on which field."""

    def __init__(self, rule: str, field: str) -> None:
        super().__init__(f"field {field!r} violates rule {rule!r}")
        self.rule = rule
        self.field = field
