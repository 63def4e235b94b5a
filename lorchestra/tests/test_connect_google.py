"""``google_sign_in``: Google's installed-app flow against the fake Google; the test is the browser."""

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
from lorchestra.connect.google import google_sign_in

MAILBOX = "praxis@praxis-weber.example"


def sign_in(server: FakeGoogle, capsys: pytest.CaptureFixture[str], **overrides: Any) -> dict[str, Any]:
    """Run ``google_sign_in`` in a thread; read the address it prints and open it like a browser."""
    outcome: dict[str, Any] = {}

    def connect() -> None:
        try:
            outcome["refresh_token"] = google_sign_in(
                **{
                    "scopes": (SCOPE,),
                    "account": MAILBOX,
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "auth_url": server.auth_url,
                    "token_url": server.token_url,
                    "ca_bundle": str(server.ca_path),
                    "open_browser": False,
                    "timeout_seconds": 30,
                    **overrides,
                }
            )
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


def test_the_sign_in_asks_for_exactly_the_scopes_and_returns_an_offline_refresh_token(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with fake_google(tls=True) as server:
        outcome = sign_in(server, capsys)
        consent = server.requests_to(r"^/o/oauth2/auth$")
    assert "error" not in outcome, outcome.get("error")
    assert outcome["refresh_token"] == refresh_token_for(MAILBOX)
    assert [request.query["scope"] for request in consent] == [[SCOPE]]
    assert consent[0].query["access_type"] == ["offline"] and consent[0].query["login_hint"] == [MAILBOX]
    assert outcome["page_status"] == 200
    for secret in (CLIENT_SECRET, outcome["refresh_token"]):
        assert secret not in outcome["printed"]


def test_a_wrong_client_secret_is_refused_without_quoting_it(capsys: pytest.CaptureFixture[str]) -> None:
    with fake_google(tls=True) as server:
        outcome = sign_in(server, capsys, client_secret="typed-wrong")
    assert isinstance(outcome["error"], AuthorizationError)
    assert str(outcome["error"]).startswith(AUTH_REFUSED_MARKER)
    assert "invalid_client" in str(outcome["error"])
    assert "typed-wrong" not in str(outcome["error"]) + outcome["printed"]
    assert "refresh_token" not in outcome
