"""Today, Sales pipeline and Clients over BigQuery (the emulator of lorchestra's tests): the
sample's daily pipeline written to a dataset, the pages checked against its tables, and a
flag marked followed up there."""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from browser import LORC, clean_environ
from lorc_console.app import create_app
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.stack_clients import open_store
from sample_warehouse import attribute_values, section


@pytest.mark.bigquery
def test_the_pages_of_the_day_read_and_write_bigquery(
    bq_emulator: object,
    bigquery_environ: Callable[[object, str], dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    dataset = bigquery_environ(bq_emulator, f"day_{uuid.uuid4().hex[:10]}")
    (tmp_path / "user-home").mkdir(mode=0o700, exist_ok=True)
    env = {**clean_environ(tmp_path / "lorc-home", tmp_path / "user-home"), **dataset}
    for args in (["init", "--create-dataset"], ["run", "--pipeline", "daily"]):
        done = subprocess.run([LORC, *args], env=env, capture_output=True, text=True, timeout=900, check=False)
        assert done.returncode == 0, f"lorc {' '.join(args)}: {done.stdout}{done.stderr}"
    for key, value in dataset.items():
        monkeypatch.setenv(key, value)
    config = load_config(PhiHome(tmp_path / "lorc-home"))
    assert config.backend == "bigquery"

    def warehouse(read: Callable[[Any], Any]) -> Any:
        store = open_store(config)
        try:
            return read(store)
        finally:
            store.close()

    inbox = warehouse(lambda s: s.read_table("inbox_view"))
    series = warehouse(lambda s: s.read_table("measurement_timeseries"))
    flags = warehouse(lambda s: {k for k, _ in s.read_objects("canonical_objects", "safety_flag")})
    with TestClient(create_app(config, token="t"), base_url="http://localhost") as client:
        client.get("/login?token=t")
        today = client.get("/").text
        awaiting = sorted((r for r in inbox if r["awaiting_reply"]), key=lambda r: r["last_inbound_at"])
        assert attribute_values(section(today, "awaiting"), "data-conversation-key") == [
            r["conversation_key"] for r in awaiting
        ]
        assert set(attribute_values(section(today, "flags"), "data-flag-key")) == flags
        shown = attribute_values(client.get("/pipeline").text, "data-conversation-key", "conversation")
        assert sorted(shown) == sorted(r["conversation_key"] for r in inbox)
        assert set(attribute_values(client.get("/clients").text, "data-client-id", "client")) == {
            r["client_id"] for r in series
        }
        client_id = series[0]["client_id"]
        page = client.get(f"/clients/{client_id}").text
        rows = re.findall(r'<tr(?: class="in-week")?><td class="nowrap">[0-9.]+</td>', page)
        assert len(rows) == sum(1 for r in series if r["client_id"] == client_id)

        key = sorted(flags)[0]
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', today)
        assert csrf
        user = config.section("console").get("clinicians") or []
        by = re.search(r'<option value="([^"]+)">', section(today, "flags"))
        assert by and (not user or by.group(1) in user)
        answer = client.post(
            "/followups", data={"csrf_token": csrf.group(1), "flag_key": key, "by": by.group(1)}, follow_redirects=False
        )
        assert answer.headers["location"] == "/?notice=recorded"
        marks = warehouse(lambda s: s.read_table("safety_followups"))
        assert [(m["flag_key"], m["followed_up_by"]) for m in marks] == [(key, by.group(1))]
        assert key not in attribute_values(section(client.get("/").text, "flags"), "data-flag-key")
