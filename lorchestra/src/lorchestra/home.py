"""The PHI home: where every file that may hold health information lives.

Directories are ``0700`` and files ``0600``. Everything that writes into the home goes
through :func:`private_dir` / :func:`private_file` so permissions are set at creation,
not fixed up afterwards.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lorchestra.exceptions import PhiHomeError

DIR_MODE = 0o700
FILE_MODE = 0o600


def default_home() -> Path:
    return Path(os.environ.get("LORC_HOME") or Path.home() / ".lorchestra").expanduser()


@dataclass(frozen=True)
class PhiHome:
    root: Path

    @classmethod
    def from_env(cls) -> PhiHome:
        return cls(default_home().absolute())

    @property
    def config_path(self) -> Path:
        return self.root / "config.yaml"

    @property
    def dotenv_path(self) -> Path:
        return self.root / ".env"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def tmp_dir(self) -> Path:
        return self.root / "tmp"

    def exists(self) -> bool:
        return self.root.is_dir()

    def require(self) -> None:
        if not self.exists():
            raise PhiHomeError(f"PHI home {self.root} does not exist; run `lorc init` to create it")

    def subdir(self, *parts: str) -> Path:
        """A ``0700`` directory inside the home, created with its parents."""
        return private_dir(self.root.joinpath(*parts), stop_at=self.root)

    def permission_problems(self) -> list[PermissionProblem]:
        return list(_walk_problems(self.root))

    def require_private(self) -> None:
        """Refuse to go on while anything in the home is readable by others."""
        self.require()
        problems = self.permission_problems()
        if problems:
            shown = "; ".join(p.describe() for p in problems[:3])
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            raise PhiHomeError(
                f"PHI home permissions are too open: {shown}{more}. "
                f"Fix all at once: chmod -R u=rwX,go= {self.root}"
            )


@dataclass(frozen=True)
class PermissionProblem:
    path: Path
    mode: int
    expected: int

    def describe(self) -> str:
        return f"{self.path} is {self.mode:04o}, expected {self.expected:04o} (chmod {self.expected:o} {self.path})"


def _walk_problems(root: Path) -> Iterator[PermissionProblem]:
    if not root.exists():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        paths = [(Path(dirpath), DIR_MODE)] + [(Path(dirpath) / f, FILE_MODE) for f in filenames]
        for path, expected in paths:
            try:
                mode = stat.S_IMODE(path.lstat().st_mode)
            except FileNotFoundError:
                continue  # removed while we walked (a temp file); nothing to check
            if path.is_symlink():
                continue
            if mode & 0o077:
                yield PermissionProblem(path, mode, expected)
        dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]


def private_dir(path: Path, *, stop_at: Path | None = None) -> Path:
    """Create ``path`` (and missing parents up to ``stop_at``) as ``0700``."""
    missing = []
    probe = path
    while not probe.exists() and probe != stop_at and probe.parent != probe:
        missing.append(probe)
        probe = probe.parent
    for directory in reversed(missing):
        directory.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(directory, DIR_MODE)
    return path


def private_file(path: Path, mode: str = "wb") -> int:
    """Open-for-write file descriptor created as ``0600`` (never briefly world-readable)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return fd


def write_private_text(path: Path, text: str) -> None:
    with os.fdopen(private_file(path), "w", encoding="utf-8") as handle:
        handle.write(text)
