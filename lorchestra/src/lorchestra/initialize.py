"""``lorc init``: create the PHI home, its config and the warehouse, idempotently."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from lorchestra.config import DEFAULT_CONFIG_YAML, load_config
from lorchestra.home import PhiHome, private_dir, write_private_text
from lorchestra.stack_clients import open_store
from lorchestra.umask import private_umask


@dataclass
class InitReport:
    home: str
    created: list[str] = field(default_factory=list)
    tightened: list[str] = field(default_factory=list)
    backend: str = ""


def init_home(home: PhiHome, *, create_dataset: bool = False) -> InitReport:
    """Create what is missing; never overwrite an existing config; make everything private.
    On BigQuery the dataset is created only with ``create_dataset`` (in the configured
    location); without it, a missing dataset is an error that says how to create it."""
    with private_umask():
        return _init(home, create_dataset=create_dataset)


def _init(home: PhiHome, *, create_dataset: bool) -> InitReport:
    report = InitReport(home=str(home.root))
    if not home.exists():
        report.created.append(str(home.root))
        private_dir(home.root)
    tightened = [(p.path, p.mode) for p in home.permission_problems() if p.mode is not None]
    for path, mode in tightened:
        os.chmod(path, mode)
        report.tightened.append(str(path))
    home.require_private()  # what a chmod cannot fix (a link out of the home) the user must
    for sub in ("logs", "tmp"):
        if not (home.root / sub).exists():
            report.created.append(str(home.root / sub))
        home.subdir(sub)
    if not home.config_path.exists():
        write_private_text(home.config_path, DEFAULT_CONFIG_YAML)
        report.created.append(str(home.config_path))
    config = load_config(home)
    report.backend = config.backend
    if config.backend == "duckdb" and not config.duckdb_path.exists():
        report.created.append(str(config.duckdb_path))
    store = open_store(config)
    try:
        store.ensure_schema(create_dataset=create_dataset)
    finally:
        store.close()
    return report
