"""Session-wide extractions of the practice sample taps (Forms, Dataverse).

Each real `meltano run` costs about 2-4 s; every revision of every tap runs once per test
session, in one PHI home, and the test modules share the results.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingestor_practice_support import Extraction, extract


@pytest.fixture(scope="session")
def practice_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("practice-home")


@pytest.fixture(scope="session")
def forms_rev1(practice_home: Path) -> Extraction:
    return extract(practice_home, "tap-sample-forms", 1)


@pytest.fixture(scope="session")
def forms_rev2(practice_home: Path) -> Extraction:
    return extract(practice_home, "tap-sample-forms", 2)


@pytest.fixture(scope="session")
def dataverse_rev1(practice_home: Path) -> Extraction:
    return extract(practice_home, "tap-sample-dataverse", 1)


@pytest.fixture(scope="session")
def dataverse_rev2(practice_home: Path) -> Extraction:
    return extract(practice_home, "tap-sample-dataverse", 2)
