"""``lorc connect exchange`` library code against the fake Microsoft identity platform and
Graph (TLS on loopback): the real msal token request and the real probe call."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ingestor.fake_apis import running
from ingestor.fake_apis.microsoft import (
    CLIENT_ID,
    CLIENT_SECRET,
    TENANT_ID,
    FakeMicrosoft,
    fake_microsoft,
)
from lorchestra.connect.exchange import ExchangeConnectError, connect_exchange

MAILBOX = "j.weber@praxis-weber.example"


@pytest.fixture
def fake() -> Iterator[FakeMicrosoft]:
    server = fake_microsoft()
    with running(server):
        yield server


def endpoints(fake: FakeMicrosoft) -> dict[str, str]:
    settings = fake.tap_settings(MAILBOX)
    return {key: settings[key] for key in ("api_url", "authority_url", "ca_bundle")}


def connect(fake: FakeMicrosoft, **overrides: str) -> dict[str, str]:
    credentials = {"tenant_id": TENANT_ID, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, **overrides}
    return connect_exchange("exchange-weber", MAILBOX, endpoints=endpoints(fake), **credentials)


def test_verified_credentials_are_returned_to_store(fake: FakeMicrosoft) -> None:
    assert connect(fake) == {"TENANT_ID": TENANT_ID, "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET}
    assert [r.path.rsplit("/", 1)[-1] for r in fake.requests] == ["openid-configuration", "token", "inbox"]


@pytest.mark.parametrize(
    ("setup", "overrides", "fix"),
    [
        (None, {"client_secret": "a-wrong-secret"}, "Certificates & secrets"),
        (None, {"client_id": "11111111-2222-3333-4444-555555555555"}, "Application (client) ID"),
        (None, {"tenant_id": "99999999-2222-3333-4444-555555555555"}, "Directory (tenant) ID"),
        ("no consent", {}, "Grant admin consent"),
        ("policy", {}, "application access policy"),
    ],
)
def test_each_refusal_names_its_fix_and_never_the_secret(
    fake: FakeMicrosoft, setup: str | None, overrides: dict[str, str], fix: str
) -> None:
    if setup == "no consent":
        fake.consent_granted = False
    if setup == "policy":
        fake.denied_mailboxes.add(MAILBOX)
    with pytest.raises(ExchangeConnectError) as raised:
        connect(fake, **overrides)
    message = str(raised.value)
    assert fix in message and "exchange-weber" in message
    assert CLIENT_SECRET not in message and "a-wrong-secret" not in message


def test_an_unknown_mailbox_names_the_config_setting(fake: FakeMicrosoft) -> None:
    with pytest.raises(ExchangeConnectError, match="check the connection's mailbox in config.yaml"):
        connect_exchange(
            "exchange-x",
            "nobody@praxis-weber.example",
            endpoints=endpoints(fake),
            tenant_id=TENANT_ID,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        )


def test_an_empty_value_is_refused_before_any_request(fake: FakeMicrosoft) -> None:
    with pytest.raises(ExchangeConnectError, match="client_secret is empty"):
        connect(fake, client_secret="  ")
    assert fake.requests == []
