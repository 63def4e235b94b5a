"""docker-compose.yml against the Compose Specification (Docker does not run here)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((Path(__file__).parent / "compose" / "compose_spec.json").read_text())


def test_the_compose_file_satisfies_the_compose_specification() -> None:
    document = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    jsonschema.Draft201909Validator(SCHEMA).validate(document)


def test_the_validator_catches_a_broken_compose_file() -> None:
    document = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    document["services"]["lorc"]["ports"] = {"not": "a list"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft201909Validator(SCHEMA).validate(document)


def test_the_services_the_suite_needs_are_there_and_build_from_files_in_the_repo() -> None:
    services = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    assert services["lorc"]["build"] == "." and (REPO / "Dockerfile").is_file()
    assert "--pipeline daily" in " ".join(services["lorc"]["command"])
    emulator = services["bigquery"]["build"]
    assert (REPO / emulator["dockerfile"]).is_file()
    assert services["lorc-bigquery"]["environment"]["LORC_STORAGE__BACKEND"] == "bigquery"
    assert services["lorc-bigquery"]["environment"]["LORC_STORAGE__BIGQUERY__LOCATION"]  # required on BigQuery
    assert "lorc init --create-dataset" in " ".join(services["lorc-bigquery"]["command"])  # runs never create it
    assert any(str(p).endswith(":1080") for p in services["smtp"]["ports"])  # the sink's web UI
    for service in services.values():  # nothing published beyond loopback
        assert all(str(p).startswith("127.0.0.1:") for p in service.get("ports", []))
