"""``$LORC_HOME/.env``: the secrets file (0600), read without interpolation and written whole.

``lorc connect`` stores what a sign-in produced here; everything else only reads it.
Values are never printed: errors name the line number or the key, never a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from lorchestra.exceptions import ConfigError
from lorchestra.home import write_atomically


def parse_dotenv(path: Path) -> dict[str, str]:
    """``KEY=value`` lines; ``#`` comments; optional quotes. No interpolation on purpose."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        stripped = stripped.removeprefix("export ")
        key, sep, value = stripped.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ConfigError(f"{path} line {number} is not KEY=value")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def store_secrets(path: Path, values: Mapping[str, str]) -> None:
    """Set ``values`` in the ``.env`` file at ``path`` (created 0600), keeping every other
    line as it was; the file is replaced atomically, so a kill leaves the old one."""
    for key, value in values.items():
        if not key.isidentifier() or any(c in value for c in "\r\n"):
            raise ValueError(f"cannot store {key}: names are identifiers and values one line")
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    pending = dict(values)
    kept: list[str] = []
    for line in lines:
        key = line.strip().removeprefix("export ").partition("=")[0].strip()
        if key in pending:
            kept.append(f"{key}={_quoted(pending.pop(key))}")
        else:
            kept.append(line)
    kept.extend(f"{key}={_quoted(value)}" for key, value in pending.items())
    write_atomically(path, ("\n".join(kept) + "\n").encode("utf-8"))


def _quoted(value: str) -> str:
    """Quoted when it has spaces or a ``#``, so ``parse_dotenv`` reads back the same value."""
    return f"'{value}'" if any(c in value for c in " #'\"") and "'" not in value else value
