"""A mail connection is derived from its config entry alone: tap, settings, and where its
secrets are looked up (its own names first, then the vendor's shared ones)."""

from __future__ import annotations

import pytest

from lorchestra.config import Secrets, load_config
from lorchestra.connections import find_connection, mail_connections
from lorchestra.dotenv import parse_dotenv, store_secrets
from lorchestra.home import PhiHome


def test_each_configured_mailbox_gets_its_tap_settings_and_defaults(home: PhiHome) -> None:
    home.config_path.write_text(
        home.config_path.read_text().replace(
            "{name: gmail-praxis, system: gmail, mailbox: praxis@praxis-weber.example}",
            "{name: gmail-praxis, system: gmail, mailbox: praxis@praxis-weber.example, start_date: '2024-01-01',"
            " timeout_seconds: 60, settings: {api_url: 'http://127.0.0.1:9'}}",
        )
        + "extraction:\n  max_messages_per_run: 500\n"
    )
    connections = {c.name: c for c in mail_connections(load_config(home, {}))}

    praxis, weber = connections["gmail-praxis"], connections["exchange-weber"]
    assert (praxis.tap, weber.tap) == ("tap-lorc-gmail", "tap-lorc-graph")
    assert praxis.tap_settings() == {
        "mailbox": "praxis@praxis-weber.example",
        "api_url": "http://127.0.0.1:9",
        "start_date": "2024-01-01",
        "max_messages_per_run": 500,
    }
    assert (praxis.timeout_seconds, weber.timeout_seconds) == (60.0, 900.0)
    assert praxis.connect_command == "lorc connect gmail gmail-praxis"


def test_secrets_are_the_connections_own_then_the_vendors_and_the_refresh_token_never_shared(
    home: PhiHome,
) -> None:
    praxis = find_connection(load_config(home, {}), "gmail-praxis")
    found, missing = praxis.secrets(
        Secrets(
            {
                "GOOGLE_CLIENT_ID": "shared-id",
                "GMAIL_PRAXIS_CLIENT_ID": "own-id",
                "GOOGLE_CLIENT_SECRET": "shared-secret",
                "GOOGLE_REFRESH_TOKEN": "not-for-one-mailbox",
            }
        )
    )
    assert found == {"client_id": "own-id", "client_secret": "shared-secret"}
    assert missing == ["GMAIL_PRAXIS_REFRESH_TOKEN"]


def test_an_unknown_connection_name_lists_the_configured_ones(home: PhiHome) -> None:
    with pytest.raises(ValueError, match=r"no connection named 'gmail-x'.*configured: gmail-praxis, "):
        find_connection(load_config(home, {}), "gmail-x")


def test_storing_secrets_keeps_other_lines_replaces_the_named_ones_and_is_private(home: PhiHome) -> None:
    home.dotenv_path.write_text("# the practice's secrets\nSMTP_PASSWORD=abc\nGMAIL_PRAXIS_REFRESH_TOKEN=old\n")
    store_secrets(home.dotenv_path, {"GMAIL_PRAXIS_REFRESH_TOKEN": "1//new token", "GMAIL_PRAXIS_CLIENT_ID": "x"})

    text = home.dotenv_path.read_text()
    assert text.startswith("# the practice's secrets\nSMTP_PASSWORD=abc\n")
    assert parse_dotenv(home.dotenv_path) == {
        "SMTP_PASSWORD": "abc",
        "GMAIL_PRAXIS_REFRESH_TOKEN": "1//new token",
        "GMAIL_PRAXIS_CLIENT_ID": "x",
    }
    assert oct(home.dotenv_path.stat().st_mode)[-3:] == "600"
    with pytest.raises(ValueError, match="one line"):
        store_secrets(home.dotenv_path, {"X": "a\nB=c"})
