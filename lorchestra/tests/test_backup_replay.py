"""Backup and replay: every raw and canonical write is also appended to private JSONL
files, and `lorc replay` puts them back idempotently."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from backend_sql import sql_rows
from cli_support import lorc
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.stack_clients import open_store


def counts(home: PhiHome) -> dict[str, int]:
    store = open_store(load_config(home), read_only=True)
    try:
        return {
            t: sql_rows(store, f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in ("raw_objects", "canonical_objects")
        }
    finally:
        store.close()


def test_backups_are_written_privately_and_replay_restores_a_lost_warehouse(home: PhiHome) -> None:
    home.config_path.write_text(home.config_path.read_text().replace("  enabled: false", "  enabled: true"))
    run = lorc("run", "extract_contacts", "canonicalize_contacts", "--json")
    assert run.returncode == 0, run.stderr
    run_id = json.loads(run.stdout)["run_id"]
    files = sorted((home.root / "backup").rglob("*.jsonl"))
    assert [f"{p.parent.parent.name}/{p.name}" for p in files] == [
        f"canonical/run_{run_id}.jsonl",
        f"raw/run_{run_id}.jsonl",
    ]
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
        0,
        0,
        0,
        0,
    )


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


def backed_up_run(home: PhiHome, *jobs: str) -> list[Path]:
    """Run ``jobs`` with backups on; the backup files (canonical first, then raw)."""
    home.config_path.write_text(home.config_path.read_text().replace("  enabled: false", "  enabled: true"))
    run = lorc("run", *jobs, "--json")
    assert run.returncode == 0, run.stderr
    return sorted((home.root / "backup").rglob("*.jsonl"))


def lose_the_warehouse(home: PhiHome) -> None:
    (home.root / "warehouse.duckdb").unlink()
    assert lorc("init").returncode == 0


def replay_counts(*files: Path) -> dict[str, int]:
    result = lorc("replay", *map(str, files), "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["jobs"][0]["counts"]


def stored_hashes(home: PhiHome) -> dict[str, str]:
    store = open_store(load_config(home), read_only=True)
    try:
        return {
            r["idem_key"]: r["payload_hash"]
            for t in ("raw_objects", "canonical_objects")
            for r in sql_rows(store, f"SELECT idem_key, payload_hash FROM {t}")
        }
    finally:
        store.close()


def test_replaying_a_backup_of_what_the_warehouse_holds_changes_nothing(home: PhiHome) -> None:
    files = backed_up_run(home, "extract_contacts", "canonicalize_contacts")
    before = stored_hashes(home)
    got = replay_counts(*files)
    assert {
        k: got[k]
        for k in (
            "raw_unchanged",
            "raw_updated",
            "raw_inserted",
            "canonical_unchanged",
            "canonical_updated",
            "canonical_inserted",
        )
    } == {
        "raw_unchanged": 39,
        "raw_updated": 0,
        "raw_inserted": 0,
        "canonical_unchanged": 39,
        "canonical_updated": 0,
        "canonical_inserted": 0,
    }
    assert stored_hashes(home) == before  # the stored text is byte for byte what the live path stored


def test_a_truncated_line_in_a_backup_is_a_reject_and_every_other_record_is_restored(home: PhiHome) -> None:
    canonical, raw = backed_up_run(home, "extract_contacts", "canonicalize_contacts")
    lines = raw.read_bytes().splitlines(keepends=True)
    cut = lines[4][: len(lines[4]) // 2]
    raw.write_bytes(b"".join(lines[:4]) + cut + b"\n" + b"".join(lines[5:]))
    lose_the_warehouse(home)

    result = lorc("replay", str(canonical), str(raw), "--json")
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)["jobs"][0]["counts"]
    assert (got["raw_inserted"], got["canonical_inserted"], got["unreadable_lines"]) == (38, 39, 1)
    assert counts(home) == {"raw_objects": 38, "canonical_objects": 39}
    store = open_store(load_config(home), read_only=True)
    try:
        rejects = sql_rows(store, "SELECT job_name, rule, field, message FROM rejects")
    finally:
        store.close()
    assert [(r["job_name"], r["rule"], r["field"]) for r in rejects] == [("replay", "malformed_json", "$")]
    assert f"{raw.name} line 5" in rejects[0]["message"]
    tail = cut[-30:].decode(errors="ignore")
    assert tail not in result.stdout + result.stderr + rejects[0]["message"]


def test_replay_checks_canonical_envelopes_against_their_schema(home: PhiHome) -> None:
    jobs = ("extract_forms", "extract_contacts", "canonicalize_contacts", "canonicalize_questionnaires", "score_phq9")
    files = backed_up_run(home, *jobs)
    canonical = files[0]
    envelopes = [json.loads(line) for line in canonical.read_text().splitlines()]
    measurements = [e for e in envelopes if e["object_type"] == "measurement"]
    measurements[0]["payload"]["total"] = "lots"
    del measurements[1]["idem_key"]
    canonical.write_text("".join(json.dumps(e) + "\n" for e in envelopes))
    canonical.chmod(0o600)
    lose_the_warehouse(home)

    got = replay_counts(*files)
    assert got["canonical_inserted"] == len(envelopes) - 2 and got["canonical_rejected"] == 2
    run = lorc("run", "build_measurement_timeseries", "--json")
    assert run.returncode == 0, run.stderr
    store = open_store(load_config(home), read_only=True)
    try:
        rejects = sorted(
            (r["job_name"], r["rule"], r["field"]) for r in sql_rows(store, "SELECT job_name, rule, field FROM rejects")
        )
        stored = sql_rows(store, "SELECT count(*) AS n FROM canonical_objects WHERE object_type = 'measurement'")
    finally:
        store.close()
    assert rejects == [("replay", "envelope.required", "idem_key"), ("replay", "schema.type", "total")]
    assert stored == [{"n": len(measurements) - 2}]
