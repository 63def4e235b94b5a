"""``connect_gmail``: Google's installed-app flow against the fake Google; the test is the browser."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import pytest
import requests
from ingestor.fake_apis.google import (
    CLIENT_ID,
    CLIENT_SECRET,
    SCOPE,
    FakeGoogle,
    fake_google,
    refresh_token_for,
)
from lorc_taps.http import AUTH_REFUSED_MARKER, AuthorizationError
from lorchestra.connect.google import connect_gmail

MAILBOX = "praxis@praxis-weber.example"


def sign_in(server: FakeGoogle, capsys: pytest.CaptureFixture[str], **overrides: Any) -> dict[str, Any]:
    """Run ``connect_gmail`` in a thread; read the address it prints and open it like a browser."""
    outcome: dict[str, Any] = {}

    def connect() -> None:
        try:
            outcome["secrets"] = connect_gmail(**{
                "mailbox": MAILBOX, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                "auth_url": server.auth_url, "token_url": server.token_url, "api_url": server.url,
                "ca_bundle": str(server.ca_path), "open_browser": False, "timeout_seconds": 30, **overrides})
        except Exception as exc:  # noqa: BLE001 - handed to the test thread to assert on
            outcome["error"] = exc

    thread = threading.Thread(target=connect)
    thread.start()
    printed = ""
    deadline = time.monotonic() + 30
    while not (match := re.search(r"https://\S+", printed)) and time.monotonic() < deadline:
        time.sleep(0.05)
        printed += capsys.readouterr().out
    assert match, "the authorization address was printed"
    page = requests.get(match.group(0), verify=server.ca_path, timeout=30)  # the browser follows the redirect
    thread.join(30)
    outcome["page_status"] = page.status_code
    outcome["printed"] = printed + capsys.readouterr().out
    return outcome


def test_connect_gmail_stores_a_refresh_token_for_gmail_readonly_and_probes(
        capsys: pytest.CaptureFixture[str]) -> None:
    with fake_google(tls=True) as server:
        outcome = sign_in(server, capsys)
        consent = server.requests_to(r"^/o/oauth2/auth$")
        profile = server.requests_to(r"/profile$")
    assert "error" not in outcome, outcome.get("error")
    assert outcome["secrets"] == {"CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
                                  "REFRESH_TOKEN": refresh_token_for(MAILBOX)}
    assert [request.query["scope"] for request in consent] == [[SCOPE]]
    assert consent[0].query["access_type"] == ["offline"]
    assert [request.status for request in profile] == [200], "the mailbox is probed once"
    assert outcome["page_status"] == 200
    for secret in (CLIENT_SECRET, outcome["secrets"]["REFRESH_TOKEN"]):
        assert secret not in outcome["printed"]


def test_a_wrong_client_secret_is_refused_without_quoting_it(capsys: pytest.CaptureFixture[str]) -> None:
    with fake_google(tls=True) as server:
        outcome = sign_in(server, capsys, client_secret="typed-wrong")
    assert isinstance(outcome["error"], AuthorizationError)
    assert str(outcome["error"]).startswith(AUTH_REFUSED_MARKER)
    assert "invalid_client" in str(outcome["error"])
    assert "typed-wrong" not in str(outcome["error"]) + outcome["printed"]
    assert "secrets" not in outcome
