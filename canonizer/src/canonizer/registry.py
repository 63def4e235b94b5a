"""The transform registry: ``transforms/<category>/<name>/<version>/`` in this package.

Each version directory holds ``spec.jsonata``, ``meta.yaml`` (id, version, input and
output ``iglu:`` schema refs, the spec's sha256, status, bindings, extension functions)
and golden tests under ``tests/``. A spec whose sha256 differs from its meta is refused;
so is a meta whose id and version are not its directory's path (the resolution below
relies on it).

Resolving an id (``get_transform``) is cached, so the notebook call
``canonicalize(record, "email/gmail")`` costs what a call with a resolved transform
costs. The cache is keyed by the modification time of the id's own directory
(``transforms/email/gmail``): adding or removing a version directory changes it, so a new
version is seen on the next call. A scan that met a version directory without its
``meta.yaml`` yet (one being written), or a directory changed in the last two seconds,
is not cached. A version directory once loaded is
not read again in this process (:func:`load_transform` caches it).
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from canonizer.exceptions import CanonizerError, TransformChecksumError, TransformNotFoundError

TRANSFORMS_ROOT = Path(__file__).parent / "transforms"
_ROOT = str(TRANSFORMS_ROOT)


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
    return [_listed(meta.parent) for meta in sorted(TRANSFORMS_ROOT.glob("*/*/*/meta.yaml"))]


def _listed(directory: Path) -> Transform:
    transform = load_transform(directory)
    where = directory.relative_to(TRANSFORMS_ROOT).as_posix()
    if where != f"{transform.id}/{transform.version}":
        raise CanonizerError(
            f"{directory / 'meta.yaml'} says id {transform.id!r}, version {transform.version!r}, but lies in "
            f"transforms/{where}: a transform lives in transforms/<id>/<version>/ — move it or correct the meta"
        )
    return transform


def get_transform(ref: str) -> Transform:
    """``email/gmail`` (newest stable version) or ``email/gmail@1.0.0``."""
    wanted_id, _, wanted_version = ref.partition("@")
    wanted_version = wanted_version.partition("+")[0]
    try:
        stamp = os.stat(f"{_ROOT}/{wanted_id}").st_mtime_ns
    except (OSError, ValueError):  # no such id (or not a path at all): the scan names the known ones
        return _resolve(wanted_id, wanted_version, ref)
    cached = _resolved.get((wanted_id, wanted_version))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    found = _resolve(wanted_id, wanted_version, ref)
    if _settled(stamp) and _complete(wanted_id):
        _resolved[(wanted_id, wanted_version)] = (stamp, found)
    return found


# (id, version or "") -> (mtime of the id's directory when resolved, the transform)
_resolved: dict[tuple[str, str], tuple[int, Transform]] = {}
_SETTLED_NS = 2_000_000_000


def _settled(stamp: int) -> bool:
    """Whether the directory was last changed well before now: a change within the same
    tick of the file system's clock as the scan would leave its time as it was."""
    return stamp < time.time_ns() - _SETTLED_NS


def _complete(wanted_id: str) -> bool:
    """Whether every version directory of the id holds its meta (none is half-written)."""
    with os.scandir(os.path.join(_ROOT, wanted_id)) as entries:
        return all(os.path.exists(os.path.join(e.path, "meta.yaml")) for e in entries if e.is_dir())


def _resolve(wanted_id: str, wanted_version: str, ref: str) -> Transform:
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
