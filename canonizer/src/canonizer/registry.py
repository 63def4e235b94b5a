"""The transform registry: ``transforms/<category>/<name>/<version>/`` in this package.

Each version directory holds ``spec.jsonata``, ``meta.yaml`` (id, version, input and
output ``iglu:`` schema refs, the spec's sha256, status, bindings, extension functions)
and golden tests under ``tests/``. A spec whose sha256 differs from its meta is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from canonizer.exceptions import TransformChecksumError, TransformNotFoundError

TRANSFORMS_ROOT = Path(__file__).parent / "transforms"


@dataclass(frozen=True)
class Transform:
    id: str
    version: str
    directory: Path
    spec: str
    spec_sha256: str
    input_schema: str
    output_schema: str
    status: str
    bindings: tuple[str, ...]
    extensions: tuple[str, ...]
    description: str = ""

    @property
    def ref(self) -> str:
        """``id@version+sha`` — recorded on every canonical object as its lineage."""
        return f"{self.id}@{self.version}+{self.spec_sha256[:12]}"

    @property
    def tests_dir(self) -> Path:
        return self.directory / "tests"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def list_transforms() -> list[Transform]:
    return [load_transform(meta.parent) for meta in sorted(TRANSFORMS_ROOT.glob("*/*/*/meta.yaml"))]


def get_transform(ref: str) -> Transform:
    """``email/gmail`` (newest stable version) or ``email/gmail@1.0.0``."""
    wanted_id, _, wanted_version = ref.partition("@")
    wanted_version = wanted_version.split("+")[0]
    candidates = [t for t in list_transforms() if t.id == wanted_id]
    if wanted_version:
        candidates = [t for t in candidates if t.version == wanted_version]
    else:
        candidates = [t for t in candidates if t.status == "stable"] or candidates
    if not candidates:
        known = ", ".join(sorted({f"{t.id}@{t.version}" for t in list_transforms()})) or "none"
        raise TransformNotFoundError(f"no transform {ref!r} (known: {known})")
    return max(candidates, key=lambda t: _version_key(t.version))


def load_transform(directory: Path) -> Transform:
    return _load(directory.resolve())


@cache
def _load(directory: Path) -> Transform:
    meta_path = directory / "meta.yaml"
    meta: dict[str, Any] = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
    spec_path = directory / str(meta.get("spec", "spec.jsonata"))
    spec_bytes = spec_path.read_bytes()
    actual = hashlib.sha256(spec_bytes).hexdigest()
    if actual != meta.get("spec_sha256"):
        raise TransformChecksumError(
            f"{spec_path} has sha256 {actual[:12]}…, but {meta_path} says "
            f"{str(meta.get('spec_sha256'))[:12]}…; the spec was changed without a new version — "
            "bump the version (new directory) or, for a fix before release, update spec_sha256"
        )
    return Transform(
        id=str(meta["id"]),
        version=str(meta["version"]),
        directory=directory,
        spec=spec_bytes.decode("utf-8"),
        spec_sha256=actual,
        input_schema=str(meta["input_schema"]),
        output_schema=str(meta["output_schema"]),
        status=str(meta.get("status", "draft")),
        bindings=tuple(meta.get("bindings") or ()),
        extensions=tuple(meta.get("extensions") or ()),
        description=str(meta.get("description", "")),
    )
