"""A fake Google on loopback speaking the real wire protocol: the OAuth endpoints
(``google_oauth``), the Gmail API (``google_gmail``), the Forms API (``google_forms``) and
the Sheets API (``google_sheets``), all serving the practice story.

Stateless between instances: refresh tokens and page tokens are derived from the request
alone, so a server started later with the same arguments accepts what an earlier one
handed out (lorc starts a new server for every run; bookmarks outlive it). Shared knobs:
``revoked`` accounts (``invalid_grant``), ``access_token_ttl`` shorter than the advertised
``expires_in`` (a 401 on a token the client thinks valid), ``revision`` and
``renamed_questions``, plus the base server's faults and latency; each API module names
its own.
"""

from __future__ import annotations

from pathlib import Path

from ingestor.fake_apis.google_gmail import GmailApi
from ingestor.fake_apis.google_oauth import (
    CLIENT_ID,
    CLIENT_SECRET,
    FORMS_BODY_SCOPE,
    FORMS_RESPONSES_SCOPE,
    GMAIL_SCOPE,
    PRACTICE_ACCOUNT,
    SHEETS_SCOPE,
    api_error,
    refresh_token_for,
)
from ingestor.fake_apis.google_sheets import SheetsApi
from ingestor.fake_apis.server import FakeApiServer

SCOPE = GMAIL_SCOPE
# What ``forms_settings``/``sheets_settings`` grant: one sign-in for the practice's forms and sheet.
FORMS_AND_SHEETS_SCOPES = (FORMS_BODY_SCOPE, FORMS_RESPONSES_SCOPE, SHEETS_SCOPE)

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "FORMS_AND_SHEETS_SCOPES",
    "PRACTICE_ACCOUNT",
    "SCOPE",
    "FakeGoogle",
    "api_error",
    "fake_google",
    "refresh_token_for",
]


class FakeGoogle(GmailApi, SheetsApi):
    def __init__(
        self,
        *,
        revision: int = 1,
        synthetic: tuple[int, int] | None = None,
        latency: float = 0.0,
        log_path: Path | None = None,
        tls: bool = False,
    ) -> None:
        FakeApiServer.__init__(self, tls=tls, latency=latency, log_path=log_path)
        self.revision = revision
        self.synthetic = synthetic
        self._init_oauth()
        self._init_gmail()
        self._init_forms()
        self._init_sheets()

    def account_exists(self, account: str) -> bool:
        return account == PRACTICE_ACCOUNT or self.mailbox(account) is not None

    def forms_settings(self) -> dict[str, str]:
        """``tap-lorc-forms`` settings but ``form_id``: the practice account, Forms and Sheets scopes."""
        return self.client_settings(PRACTICE_ACCOUNT, FORMS_AND_SHEETS_SCOPES)

    def sheets_settings(self) -> dict[str, str]:
        """``tap-lorc-sheets`` settings but ``spreadsheet_id`` and ``sheet``."""
        return self.client_settings(PRACTICE_ACCOUNT, FORMS_AND_SHEETS_SCOPES)


def fake_google(
    *,
    revision: int = 1,
    synthetic: tuple[int, int] | None = None,
    latency: float = 0.0,
    log_path: Path | None = None,
    tls: bool = False,
) -> FakeGoogle:
    """A fake Google (not started) serving the practice story at ``revision``, or synthetic
    mailboxes of ``first + count`` messages when ``synthetic`` is ``(count, first)``."""
    return FakeGoogle(revision=revision, synthetic=synthetic, latency=latency, log_path=log_path, tls=tls)
