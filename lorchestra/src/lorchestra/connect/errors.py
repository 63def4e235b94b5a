"""The error every ``lorc connect`` step raises (its own module: the per-system steps
raise it and are imported by the package)."""

from __future__ import annotations

from lorchestra.exceptions import LorcError


class ConnectError(LorcError):
    """A connection cannot sign in or read its mailbox; the message names the cause and
    the fix, never a secret."""

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(f"{message}; {fix}" if fix else message)
        self.detail = message
        self.fix = fix
