"""Resolve ``iglu:vendor/name/jsonschema/M-R-A`` URIs to the schema files shipped here."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from shared_schemas.errors import PhiSafeError

SCHEMA_ROOT = Path(__file__).parent / "schemas"
_IGLU = re.compile(
    r"^iglu:(?P<vendor>[A-Za-z0-9_.-]+)/(?P<name>[A-Za-z0-9_-]+)/"
    r"(?P<format>jsonschema)/(?P<version>\d+-\d+-\d+)$"
)


class SchemaNotFoundError(PhiSafeError, LookupError):
    """The URI is malformed or names a schema this package does not ship."""


@dataclass(frozen=True)
class IgluUri:
    vendor: str
    name: str
    format: str
    version: str

    def __str__(self) -> str:
        return f"iglu:{self.vendor}/{self.name}/{self.format}/{self.version}"


def parse_iglu(uri: str) -> IgluUri:
    match = _IGLU.match(uri)
    if not match:
        raise SchemaNotFoundError(f"{uri!r} is not an Iglu URI; expected iglu:<vendor>/<name>/jsonschema/<M-R-A>")
    return IgluUri(**match.groupdict())


def schema_path(uri: str) -> Path:
    ref = parse_iglu(uri)
    path = SCHEMA_ROOT / ref.vendor / ref.name / ref.format / f"{ref.version}.json"
    if not path.is_file():
        known = ", ".join(list_schemas()) or "none"
        raise SchemaNotFoundError(f"no schema {uri} in shared-schemas (known: {known})")
    return path


@cache
def _load(uri: str) -> str:
    return schema_path(uri).read_text(encoding="utf-8")


def load_schema(uri: str) -> dict[str, Any]:
    """Return a fresh copy of the schema document, so callers may not mutate the cache."""
    schema: dict[str, Any] = json.loads(_load(uri))
    return schema


def list_schemas() -> list[str]:
    uris = []
    for path in sorted(SCHEMA_ROOT.glob("*/*/jsonschema/*.json")):
        name_dir = path.parent.parent
        uris.append(f"iglu:{name_dir.parent.name}/{name_dir.name}/jsonschema/{path.stem}")
    return uris
