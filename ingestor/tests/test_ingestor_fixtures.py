"""The sample mailboxes: consistent with their generator, and EDGE_CASES.md accurate.

No Meltano here; the extraction tests prove the taps emit exactly these records.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lorc_taps.gmail.schema import GMAIL_MESSAGE_SCHEMA
from lorc_taps.graph.schema import MESSAGE_SCHEMA as GRAPH_MESSAGE_SCHEMA

SAMPLE_TAPS = Path(__file__).resolve().parents[1] / "sample_taps"
FIXTURES = SAMPLE_TAPS / "src" / "sample_taps" / "fixtures"
WEEK = (datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC))
PRACTICE = re.compile(r"@praxis-weber\.example>?$")


def documents() -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.glob("*.json"))}


def all_records() -> list[tuple[str, dict]]:
    found = []
    for name, document in documents().items():
        found += [(name, r) for r in document["messages"]]
        found += [(name, change["record"]) for change in document["revision_2"]]
    return found


def gmail_header(record: dict, name: str) -> str | None:
    return next((h["value"] for h in record["payload"]["headers"] if h["name"].lower() == name.lower()), None)


def test_the_fixtures_are_what_the_generator_writes() -> None:
    done = subprocess.run(
        [sys.executable, str(SAMPLE_TAPS / "tools" / "make_fixtures.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_six_mailboxes_of_six_to_twelve_messages_with_unique_ids() -> None:
    docs = documents()
    assert sorted((d["source"], d["mailbox"]) for d in docs.values()) == [
        ("gmail", "anmeldung@praxis-weber.example"),
        ("gmail", "praxis@praxis-weber.example"),
        ("gmail", "termine@praxis-weber.example"),
        ("graph", "j.weber@praxis-weber.example"),
        ("graph", "m.klein@praxis-weber.example"),
        ("graph", "team@praxis-weber.example"),
    ]
    for name, document in docs.items():
        ids = [r["id"] for r in document["messages"]]
        assert 6 <= len(ids) <= 12, name
        assert len(set(ids)) == len(ids), name


def test_every_date_lies_in_the_fixture_week() -> None:
    for name, record in all_records():
        if name.startswith("gmail"):
            stamps = [datetime.fromtimestamp(int(record["internalDate"]) / 1000, UTC)]
            assert isinstance(record["historyId"], str) and isinstance(record["internalDate"], str)
        else:
            stamps = [
                datetime.fromisoformat(record[k])
                for k in ("createdDateTime", "lastModifiedDateTime", "receivedDateTime", "sentDateTime")
            ]
        assert all(WEEK[0] <= s < WEEK[1] for s in stamps), (name, record["id"])


def test_outbound_mail_comes_from_a_practice_address() -> None:
    for name, record in all_records():
        if name.startswith("gmail") and "SENT" in record["labelIds"]:
            assert PRACTICE.search(gmail_header(record, "From")), record["id"]
    assert any(name.startswith("gmail") and "SENT" in r["labelIds"] for name, r in all_records())


def test_the_client_to_be_writes_in() -> None:
    senders = [gmail_header(r, "From") or "" for name, r in all_records() if name.startswith("gmail")]
    assert any("joerg.gross@web.de" in sender for sender in senders)


def test_revision_2_changes_only_what_edge_cases_md_says() -> None:
    docs = documents()
    changed = {name: d["revision_2"] for name, d in docs.items() if d["revision_2"]}
    assert sorted(changed) == ["gmail-praxis.json", "graph-j.weber.json"]
    (gmail,) = changed["gmail-praxis.json"]
    old = next(r for r in docs["gmail-praxis.json"]["messages"] if r["id"] == gmail["replaces"])
    new = gmail["record"]
    assert {k for k in old if old[k] != new[k]} == {"labelIds", "historyId"}
    assert new["id"] == old["id"]
    assert int(new["historyId"]) > int(old["historyId"]) and new["historyId"] < old["historyId"]
    assert "UNREAD" in old["labelIds"] and "UNREAD" not in new["labelIds"]
    (graph,) = changed["graph-j.weber.json"]
    old = next(r for r in docs["graph-j.weber.json"]["messages"] if r["id"] == graph["replaces"])
    new = graph["record"]
    moved = {"id", "webLink", "parentFolderId", "changeKey", "lastModifiedDateTime"}
    assert {k for k in old if old[k] != new[k]} == moved
    assert new["internetMessageId"] == old["internetMessageId"]
    assert new["lastModifiedDateTime"] > old["lastModifiedDateTime"]


def edge_case_rows() -> list[list[str]]:
    text = (SAMPLE_TAPS / "EDGE_CASES.md").read_text(encoding="utf-8")
    section = text.split("## Edge cases", 1)[1]
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    rows = [[cell.strip() for cell in line.strip().split("|")[1:-1]] for line in lines]
    return [row for row in rows[1:] if not set(row[0]) <= {"-"}]  # drop the header row


def test_every_message_id_in_edge_cases_md_exists_in_that_mailbox() -> None:
    by_mailbox: dict[str, set[str]] = {}
    for name, record in all_records():
        document = documents()[name]
        key = f"{document['source']} {document['mailbox'].split('@')[0]}@"
        by_mailbox.setdefault(key, set()).add(record["id"])
    rows = edge_case_rows()
    assert len(rows) > 40
    for row in rows:
        section, _case, mailbox, message_id = row[:4]
        ids = re.findall(r"`([^`]+)`", message_id)
        assert ids, row
        for native_id in ids:
            assert native_id in by_mailbox[mailbox], (section, mailbox, native_id)


def test_edge_cases_md_covers_every_group_of_section_6() -> None:
    assert {row[0] for row in edge_case_rows()} == {str(n) for n in range(1, 11)}


@pytest.mark.parametrize("name", ["gmail-praxis.json", "gmail-anmeldung.json", "gmail-termine.json"])
def test_gmail_bodies_decode_in_their_charset_and_match_their_size(name: str) -> None:
    import base64

    def parts(part: dict):
        yield part
        for child in part.get("parts", []):
            yield from parts(child)

    for record in documents()[name]["messages"]:
        for part in parts(record["payload"]):
            data = part["body"].get("data")
            if data is None:
                continue
            raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
            assert len(raw) == part["body"]["size"]
            content_type = next(h["value"] for h in part["headers"] if h["name"] == "Content-Type")
            charset = re.search(r'charset="?([^";]+)', content_type).group(1)
            raw.decode(charset)


def undeclared(value: object, schema: dict, path: str = "") -> list[str]:
    """Keys the Singer SDK would drop: present in the record, not declared, no additionalProperties."""
    found: list[str] = []
    if isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            if key in schema["properties"]:
                found += undeclared(item, schema["properties"][key], f"{path}.{key}")
            elif not schema.get("additionalProperties"):
                found.append(f"{path}.{key}")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            found += undeclared(item, schema["items"], f"{path}[]")
    return found


def test_the_tap_schemas_declare_every_field_of_every_fixture_mailbox() -> None:
    """All six mailboxes: the production taps' schemas, which the sample taps share."""
    for name, record in all_records():
        schema = GMAIL_MESSAGE_SCHEMA if name.startswith("gmail") else GRAPH_MESSAGE_SCHEMA
        assert undeclared(record, schema) == [], (name, record["id"])
