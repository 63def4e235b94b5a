"""The errors of ``ingestor``. Messages carry ids, exit codes, file names and line
numbers only, never record content (the records are health data)."""

from __future__ import annotations

from pathlib import Path

from shared_schemas.errors import PhiSafeError


class IngestorError(PhiSafeError):
    """Base class of the errors raised by ``ingestor``: messages name taps, exit codes, files and
    line numbers only."""


class ExtractionError(IngestorError):
    """``meltano run <tap> target-jsonl`` failed, timed out or was cancelled by its caller.

    The message names the tap, the exit code and the log file; what the tap printed
    stays in that log file (0600, inside the PHI home).
    """

    def __init__(
        self,
        tap_name: str,
        exit_code: int | None,
        log_path: Path,
        *,
        timeout: float | None = None,
        disk_full_under: Path | None = None,
        authorization_refused: bool = False,
        setting_problem: str | None = None,
        cancelled: bool = False,
    ):
        self.tap_name = tap_name
        self.exit_code = exit_code
        self.log_path = log_path
        self.timed_out = timeout is not None
        self.cancelled = cancelled
        self.disk_full_under = disk_full_under
        # the API's token endpoint refused the stored credentials: the user must sign in again
        self.authorization_refused = authorization_refused
        # a connection setting names what the API does not have: "<setting>: <why>"
        self.setting_problem = setting_problem
        if cancelled:
            message = f"extraction with {tap_name} was stopped: its run was interrupted (exit code {exit_code})"
        elif timeout is not None:
            message = (
                f"extraction with {tap_name} timed out after {timeout:g} s and was stopped "
                f"(exit code {exit_code}); see log {log_path}"
            )
        else:
            why = f" (no space left on device under {disk_full_under})" if disk_full_under else ""
            if authorization_refused:
                why = " (the API refused the stored credentials)"
            elif setting_problem:
                why = f" (setting wrong: {setting_problem})"
            message = (
                f"extraction with {tap_name} failed: meltano run exited with exit code {exit_code}{why}; "
                f"see log {log_path}"
            )
        super().__init__(message)


class JsonlFormatError(IngestorError, ValueError):
    """A line of a JSONL file is not a JSON object. Names file, line number and kind of fault."""

    INVALID_UTF8 = "invalid UTF-8"
    MALFORMED_JSON = "malformed JSON"
    NOT_AN_OBJECT = "not a JSON object"

    def __init__(self, path: Path, line_number: int, kind: str):
        self.path = path
        self.line_number = line_number
        self.kind = kind
        super().__init__(f"{path}: line {line_number}: {kind}")
