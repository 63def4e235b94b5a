"""The PHI home: where every file that may hold health information lives.

Directories are ``0700`` and files ``0600``. Everything that writes into the home goes
through :func:`private_dir` / :func:`private_file` so permissions are set at creation,
not fixed up afterwards, and never through a symlink. Files made by others on the
suite's behalf (DuckDB, Meltano) are private through :mod:`lorchestra.umask`.

The checks follow symlinks. The home itself may be a symlink (``~/.lorchestra ->
/data/praxis``): what it resolves to must be a directory of the user running ``lorc``,
``0700``. Inside, a symlink may point only to another place inside the home (which is
checked where it is); the only exceptions are the links to code that Meltano's runs keep
in ``meltano/`` (``ingestor.code_links``: the shared plugin installs, Meltano's executable).
"""

from __future__ import annotations

import errno
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

    def write_file(self, path: Path, content: bytes) -> None:
        """A file in the home written whole or not at all (see :func:`write_atomically`)."""
        write_atomically(path, content)

    def subdir(self, *parts: str) -> Path:
        """A ``0700`` directory inside the home, created with its parents (never through a link)."""
        return private_dir(self.root.joinpath(*parts), stop_at=self.root)

    def permission_problems(self) -> list[PermissionProblem]:
        from ingestor import code_links

        if not self.exists():
            return []
        return [*_root_problems(self.root), *_walk_problems(self.root, frozenset(code_links(self.root)))]

    def require_private(self) -> None:
        """Refuse to go on while anything of the home is readable by others or leads out of it."""
        self.require()
        problems = self.permission_problems()
        if problems:
            shown = "; ".join(p.describe() for p in problems[:3])
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            modes = (
                f" Fix all modes at once: chmod -R u=rwX,go= {self.root}"
                if any(p.mode is not None for p in problems)
                else ""
            )
            raise PhiHomeError(f"PHI home {self.root} is not private: {shown}{more}.{modes}")

    def fix_all(self, problems: list[PermissionProblem]) -> str:
        """What fixes every problem at once, as far as one command can."""
        fixes = [f"chmod -R u=rwX,go= {self.root}"] if any(p.mode is not None for p in problems) else []
        if any(p.mode is None for p in problems):
            fixes.append("replace each symlink (or fix the owner) as shown")
        return ", and ".join(fixes)


@dataclass(frozen=True)
class PermissionProblem:
    """A path of the home that others could read (``mode`` is set: ``chmod`` fixes it),
    or that leads out of the home or to someone else's directory."""

    path: Path
    detail: str
    fix: str
    mode: int | None = None  # the mode to set, where a chmod fixes it

    def describe(self) -> str:
        return f"{self.detail} ({self.fix})"


def _mode_problem(path: Path, mode: int, expected: int, shown: str | None = None) -> PermissionProblem:
    return PermissionProblem(
        path, f"{shown or path} is {mode:04o}, expected {expected:04o}", f"chmod {expected:o} {path}", expected
    )


def _root_problems(root: Path) -> Iterator[PermissionProblem]:
    real = Path(os.path.realpath(root))
    shown = f"PHI home {root}" + (f" (a symlink to {real})" if root.is_symlink() else "")
    info = real.stat()
    if info.st_uid != os.geteuid():
        yield PermissionProblem(
            root,
            f"{shown} is owned by uid {info.st_uid}, not by you (uid {os.geteuid()})",
            f"run lorc as uid {info.st_uid}, or point LORC_HOME at a directory of your own",
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        yield _mode_problem(real, mode, DIR_MODE, shown)


def _walk_problems(root: Path, code_links: frozenset[Path]) -> Iterator[PermissionProblem]:
    real_root = Path(os.path.realpath(root))
    for dirpath, dirnames, filenames in os.walk(root):  # never descends into a link
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue  # removed while we walked (a temp file); nothing to check
            if stat.S_ISLNK(info.st_mode):
                if path not in code_links:
                    yield from _link_problems(path, real_root)
                continue
            expected = DIR_MODE if stat.S_ISDIR(info.st_mode) else FILE_MODE
            mode = stat.S_IMODE(info.st_mode)
            if mode & 0o077:
                yield _mode_problem(path, mode, expected)


def _link_problems(link: Path, real_root: Path) -> Iterator[PermissionProblem]:
    """A link to a place inside the home is fine (the walk checks the place itself)."""
    target = Path(os.path.realpath(link))
    if target == real_root or real_root in target.parents:
        return
    yield PermissionProblem(
        link,
        f"{link} is a symlink to {target}{_mode_of(target)}, outside the PHI home",
        _replace_link_fix(link, target),
    )


def _mode_of(path: Path) -> str:
    try:
        return f" ({stat.S_IMODE(path.stat().st_mode):04o})"
    except OSError:
        return " (missing)"


def _replace_link_fix(link: Path, target: Path) -> str:
    if target.is_dir():
        return f"rm {link} && mkdir -m 700 {link}, then move what you need from {target} into it"
    if target.exists():
        return f"cp --remove-destination {target} {link} && chmod 600 {link}"
    return f"rm {link}"


def _refuse_link(path: Path) -> None:
    """Refuse to create anything through ``path`` unless it is a real directory."""
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        target = Path(os.path.realpath(path))
        raise PhiHomeError(
            f"{path} is a symlink to {target}; lorc writes only into real directories "
            f"of the PHI home (fix: {_replace_link_fix(path, target)})"
        )
    if not stat.S_ISDIR(info.st_mode):
        raise PhiHomeError(f"{path} is not a directory; lorc needs a directory there (move the file away)")


def private_dir(path: Path, *, stop_at: Path | None = None) -> Path:
    """Create ``path`` (and missing parents up to ``stop_at``) as ``0700``, never through a
    symlink: ``path`` and every directory between ``stop_at`` and it must be real ones."""
    missing = []
    probe = path
    while probe != stop_at and probe.parent != probe and not os.path.lexists(probe):
        missing.append(probe)
        probe = probe.parent
    for directory in _existing_on_the_way(probe, stop_at, creating=bool(missing)):
        _refuse_link(directory)
    for directory in reversed(missing):
        directory.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(directory, DIR_MODE)
    return path


def _existing_on_the_way(first: Path, stop_at: Path | None, *, creating: bool) -> list[Path]:
    """The existing directories ``private_dir`` goes through, from the first existing one
    up to ``stop_at``. Without ``stop_at`` only ``path`` itself, if it exists: what is above
    a directory being created (the parents of a new home) is the user's own business."""
    if stop_at is None:
        return [] if creating else [first]
    found = []
    probe = first
    while probe != stop_at and probe.parent != probe:
        found.append(probe)
        probe = probe.parent
    return found if probe == stop_at else found[:1]


def private_file(path: Path, mode: str = "wb") -> int:
    """Open-for-write file descriptor created as ``0600`` (never briefly world-readable,
    never through a symlink)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    try:
        fd = os.open(path, flags, FILE_MODE)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        target = Path(os.path.realpath(path))
        raise PhiHomeError(
            f"{path} is a symlink to {target}; lorc writes only real files of the PHI home (fix: rm {path})"
        ) from None
    os.fchmod(fd, FILE_MODE)
    return fd


def write_private_text(path: Path, text: str) -> None:
    with os.fdopen(private_file(path), "w", encoding="utf-8") as handle:
        handle.write(text)


def write_atomically(path: Path, content: bytes) -> None:
    """``path`` (0600) holds ``content`` whole, or what it held before: written to a
    temporary file beside it, synced, then renamed; a kill or a full disk leaves no
    partial file behind."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with os.fdopen(private_file(partial), "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
