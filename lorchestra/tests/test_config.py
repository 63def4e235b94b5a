from __future__ import annotations

from pathlib import Path

import pytest

from lorchestra.config import Secrets, load_config
from lorchestra.dotenv import parse_dotenv
from lorchestra.exceptions import ConfigError
from lorchestra.home import PhiHome


def write_config(home: PhiHome, text: str) -> None:
    home.config_path.write_text(text)


def test_default_config_is_sample_profile_on_duckdb(home: PhiHome) -> None:
    config = load_config(home)
    assert (config.profile, config.backend) == ("sample", "duckdb")
    assert config.duckdb_path == home.root / "warehouse.duckdb"


def test_environment_overrides_nested_keys_with_yaml_typed_values(home: PhiHome) -> None:
    config = load_config(
        home, {"LORC_STORAGE__BATCH_ROWS": "5000", "LORC_PROFILE": "production", "LORC_HOME": "/ignored", "OTHER": "x"}
    )
    assert config.batch_rows == 5000
    assert config.profile == "production"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("profile: sample\nstorage: {backend: postgres}\n", r"storage\.backend: must be one of duckdb, bigquery"),
        (
            "profile: sample\nstorage: {backend: duckdb, batch_rows: many}\n",
            r"storage\.batch_rows: must be of type integer",
        ),
        (
            "profile: sample\nstorage: {backend: duckdb}\nsmtp_password: x\n",
            r"\(top level\): .*allowed keys here: .*storage",
        ),
        ("profile: sample\n", r"\(top level\): 'storage' is a required property"),
        ("profile: [unclosed\n", r"not valid YAML at line 2"),
        ("- a list\n", r"must hold a mapping"),
    ],
)
def test_invalid_config_names_the_key_path_and_what_is_allowed(home: PhiHome, text: str, expected: str) -> None:
    write_config(home, text)
    with pytest.raises(ConfigError, match=expected):
        load_config(home)


def test_a_bad_value_is_named_by_its_key_never_shown(home: PhiHome) -> None:
    """A mistyped address (or a secret pasted into the wrong key) must not reach the console."""
    write_config(
        home,
        "profile: sample\nstorage: {backend: duckdb}\nreports: {recipients: [Julia Weber jw@praxis-weber.example]}\n",
    )
    with pytest.raises(ConfigError, match=r"reports\.recipients\.0: does not have the expected form") as exc:
        load_config(home)
    assert "Julia" not in str(exc.value) and "jw@" not in str(exc.value)


def test_wrong_type_from_the_environment_is_caught_too(home: PhiHome) -> None:
    with pytest.raises(ConfigError, match=r"storage\.duckdb\.threads"):
        load_config(home, {"LORC_STORAGE__DUCKDB__THREADS": "two"})


def test_missing_home_and_missing_config_say_run_init(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="lorc init"):
        load_config(PhiHome(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="lorc init"):
        load_config(PhiHome(tmp_path / "empty"))


def test_secrets_come_from_dotenv_and_environment_and_are_never_printed(home: PhiHome) -> None:
    home.dotenv_path.write_text("# comment\nSMTP_PASSWORD='s3cret-dotenv'\nexport TOKEN=abc\n")
    config = load_config(home, {"TOKEN": "from-env"})
    assert config.secrets.get("SMTP_PASSWORD") == "s3cret-dotenv"
    assert config.secrets.get("TOKEN") == "from-env"
    assert "s3cret" not in repr(config) and "s3cret" not in repr(config.secrets)
    assert "from-env" not in str(Secrets({"A": "from-env"}))


def test_dotenv_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("GOOD=1\nthis is not an assignment\n")
    with pytest.raises(ConfigError, match="line 2"):
        parse_dotenv(path)


def test_the_console_keys_have_defaults_and_are_checked(home: PhiHome) -> None:
    config = load_config(home)
    assert config.section("practice")["locale"] == "de"
    assert dict(config.section("console")) == {"session_hours": 8, "clinicians": []}
    base = "profile: sample\nstorage: {backend: duckdb}\n"
    for text, expected in (
        ("practice: {locale: fr}\n", r"practice\.locale: must be one of de, en"),
        ("console: {session_hours: 0}\n", r"console\.session_hours: violates exclusiveMinimum"),
        ("console: {clinicians: ['']}\n", r"console\.clinicians\.0: violates minLength"),
        ("console: {theme: dark}\n", r"console: .*allowed keys here: clinicians, session_hours"),
    ):
        write_config(home, base + text)
        with pytest.raises(ConfigError, match=expected):
            load_config(home)
    write_config(home, base + "practice: {locale: en}\nconsole: {session_hours: 0.5, clinicians: [J. Weber, MK]}\n")
    assert load_config(home).section("console")["clinicians"] == ["J. Weber", "MK"]
