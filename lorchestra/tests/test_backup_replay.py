"""Backup and replay: every raw and canonical write is also appended to private JSONL
files, and `lorc replay` puts them back idempotently."""

from __future__ import annotations

import json
import stat

from cli_support import lorc
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.stack_clients import open_store


def counts(home: PhiHome) -> dict[str, int]:
    store = open_store(load_config(home), read_only=True)
    try:
        return {t: store.query(f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in ("raw_objects", "canonical_objects")}
    finally:
        store.close()


def test_backups_are_written_privately_and_replay_restores_a_lost_warehouse(home: PhiHome) -> None:
    home.config_path.write_text(home.config_path.read_text().replace("  enabled: false", "  enabled: true"))
    run = lorc("run", "extract_contacts", "canonicalize_contacts", "--json")
    assert run.returncode == 0, run.stderr
    run_id = json.loads(run.stdout)["run_id"]
    files = sorted((home.root / "backup").rglob("*.jsonl"))
    assert [f"{p.parent.parent.name}/{p.name}" for p in files] == [
        f"canonical/run_{run_id}.jsonl", f"raw/run_{run_id}.jsonl"]
    for path in [*files, *(p.parent for p in files)]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600)
    before = counts(home)
    assert before == {"raw_objects": 39, "canonical_objects": 39}

    (home.root / "warehouse.duckdb").unlink()  # the warehouse is lost
    assert lorc("init").returncode == 0
    replayed = lorc("replay", *map(str, files), "--json")
    assert replayed.returncode == 0, replayed.stderr
    first = json.loads(replayed.stdout)["jobs"][0]["counts"]
    assert (first["raw_inserted"], first["canonical_inserted"]) == (39, 39)
    assert counts(home) == before

    again = json.loads(lorc("replay", *map(str, files), "--json").stdout)["jobs"][0]["counts"]
    assert (again["raw_inserted"], again["raw_updated"], again["canonical_inserted"], again["canonical_updated"]) == (
        0, 0, 0, 0)


def test_replay_refuses_what_is_not_a_backup_file(home: PhiHome) -> None:
    missing = lorc("replay", str(home.root / "nope.jsonl"))
    assert missing.returncode == 1 and "no backup file at" in missing.stderr


def test_replay_names_a_line_that_is_not_an_envelope(home: PhiHome) -> None:
    bogus = home.root / "tmp" / "bogus.jsonl"
    bogus.write_text('{"id": "x", "snippet": "Erika Mustermann"}\n')
    bogus.chmod(0o600)
    result = lorc("replay", str(bogus))
    assert result.returncode == 1 and "record 1 is not a backup envelope" in result.stderr
    assert "Erika" not in result.stderr
