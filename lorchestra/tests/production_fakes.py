"""Fake Google, Microsoft and Dataverse servers on loopback for the production-profile
tests, and the practice's connections pointed at them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml

from ingestor.fake_apis import running
from ingestor.fake_apis.dataverse import FakeDataverse, fake_dataverse
from ingestor.fake_apis.google import FakeGoogle, fake_google
from ingestor.fake_apis.microsoft import FakeMicrosoft, fake_microsoft
from lorchestra.config import DEFAULT_CONFIG_YAML
from lorchestra.home import PhiHome


@dataclass
class Fakes:
    google: FakeGoogle
    microsoft: FakeMicrosoft
    dataverse: FakeDataverse

    def settings(self, system: str, source: Mapping[str, str]) -> Mapping[str, str]:
        if system == "gmail":
            return self.google.tap_settings(source["mailbox"])
        if system == "exchange":
            return self.microsoft.tap_settings(source["mailbox"])
        if system == "google_forms":
            return self.google.forms_settings()
        if system == "google_sheets":
            return self.google.sheets_settings()
        return self.dataverse.tap_settings()

    def clear(self) -> None:
        for server in (self.google, self.microsoft, self.dataverse):
            server.requests.clear()


def started_fakes() -> Iterator[Fakes]:
    """Fake Google (TLS), Microsoft and Dataverse serving the practice story, running."""
    found = Fakes(fake_google(tls=True), fake_microsoft(), fake_dataverse())
    with running(found.google, found.microsoft, found.dataverse):
        yield found


def practice_connections(*kinds: str) -> list[dict[str, object]]:
    """The connections of the default config of ``kinds`` (default: all: six mailboxes, two
    forms, the follow-up sheet, Dataverse)."""
    configured = yaml.safe_load(DEFAULT_CONFIG_YAML)["connections"]
    return [dict(entry) for kind in kinds or ("email", "forms", "crm") for entry in configured[kind]]


def sign_in_in_browser(home: PhiHome, args: list[str], ca_path: Path | None) -> tuple[int, str]:
    """``lorc ARGS --no-browser`` as a user runs it; the test opens the printed address like
    a browser. The exit code, and everything shown (printed, then stdout and stderr)."""
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "lorc"), *args, "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "LORC_HOME": str(home.root)},
    )
    assert process.stdout is not None
    printed = ""
    while not (match := re.search(r"https://\S+", printed)):
        line = process.stdout.readline()
        assert line, f"no sign-in address printed: {printed}{process.stderr.read() if process.stderr else ''}"
        printed += line
    browser = requests.get(match.group(0), verify=ca_path, timeout=30)
    assert browser.status_code == 200
    out, err = process.communicate(timeout=60)
    return process.returncode, printed + out + err
