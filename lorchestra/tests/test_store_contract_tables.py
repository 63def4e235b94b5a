"""The store contract for tables other than the objects (both backends): projections
swapped whole or by keys, a package's ledger tables, and the views published for
readers. The objects' contract is in the other test_store_contract_*.py modules."""

from __future__ import annotations

import pytest

from backend_sql import sql_rows
from lorchestra import faults
from lorchestra.exceptions import StorageError
from lorchestra.faults import InjectedFault
from lorchestra.stack_clients import Store


def test_a_projection_is_replaced_whole_with_typed_columns(store: Store) -> None:
    from lorchestra.stack_clients import Column

    columns = [
        Column("conversation_key", "string"),
        Column("message_count", "int"),
        Column("first_inbound_at", "timestamp"),
        Column("awaiting_reply", "bool"),
        Column("mailboxes", "string[]"),
        Column("hours", "float"),
    ]
    rows = [
        {
            "conversation_key": "a",
            "message_count": 2,
            "first_inbound_at": "2026-11-09T08:00:00Z",
            "awaiting_reply": True,
            "mailboxes": ["x@p.example", "y@p.example"],
            "hours": 1.5,
        },
        {
            "conversation_key": "b",
            "message_count": 1,
            "first_inbound_at": None,
            "awaiting_reply": False,
            "mailboxes": [],
            "hours": None,
        },
    ]
    assert store.replace_table("inbox_view", columns, rows) == 2
    assert store.replace_table("inbox_view", columns, rows[:1]) == 1
    got = sql_rows(store, f"SELECT * FROM {store.table('inbox_view')} ORDER BY conversation_key")
    assert len(got) == 1
    assert got[0]["message_count"] == 2 and got[0]["awaiting_reply"] is True
    assert list(got[0]["mailboxes"]) == ["x@p.example", "y@p.example"]
    assert got[0]["first_inbound_at"].isoformat() == "2026-11-09T08:00:00+00:00"
    assert store.replace_table("inbox_view", columns, []) == 0
    assert sql_rows(store, f"SELECT count(*) AS n FROM {store.table('inbox_view')}") == [{"n": 0}]


def test_has_table_tells_built_projections_apart(store: Store) -> None:
    from lorchestra.stack_clients import Column

    assert store.has_table("raw_objects") and not store.has_table("inbox_view")
    store.replace_table("inbox_view", [Column("conversation_key", "string")], [{"conversation_key": "a"}])
    assert store.has_table("inbox_view")


def test_rows_under_keys_are_replaced_across_tables_in_one_step(store: Store) -> None:
    from lorchestra.stack_clients import Column, RowsChange

    view = [Column("conversation_key", "string"), Column("message_count", "int"), Column("mailboxes", "string[]")]
    members = [Column("member_key", "string"), Column("conversation_key", "string")]
    store.replace_table(
        "inbox_view", view, [{"conversation_key": k, "message_count": 1, "mailboxes": ["p@x"]} for k in ("a", "b", "c")]
    )
    store.replace_table(
        "inbox_view_members", members, [{"member_key": f"msg:{k}", "conversation_key": k} for k in ("a", "b", "c")]
    )
    assert store.lookup_rows("inbox_view_members", "member_key", ["msg:b", "msg:z"], ["conversation_key"]) == [
        {"conversation_key": "b"}
    ]
    inserted = store.replace_rows(
        [
            RowsChange(
                "inbox_view",
                view,
                "conversation_key",
                ["a", "b"],
                [{"conversation_key": "a", "message_count": 3, "mailboxes": ["p@x", "q@x"]}],
            ),
            RowsChange(
                "inbox_view_members",
                members,
                "conversation_key",
                ["a", "b"],
                [{"member_key": "msg:a", "conversation_key": "a"}, {"member_key": "msg:b", "conversation_key": "a"}],
            ),
        ]
    )
    assert inserted == [1, 2]
    got = sql_rows(
        store, f"SELECT conversation_key, message_count FROM {store.table('inbox_view')} ORDER BY conversation_key"
    )
    assert got == [{"conversation_key": "a", "message_count": 3}, {"conversation_key": "c", "message_count": 1}]
    assert sorted(
        r["conversation_key"]
        for r in store.lookup_rows(
            "inbox_view_members", "member_key", ["msg:a", "msg:b", "msg:c"], ["conversation_key"]
        )
    ) == ["a", "a", "c"]
    assert store.replace_rows([RowsChange("inbox_view", view, "conversation_key", ["c"], [])]) == [0]
    assert sql_rows(store, f"SELECT count(*) AS n FROM {store.table('inbox_view')}") == [{"n": 1}]


def test_a_failed_partial_replace_changes_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from lorchestra.stack_clients import Column, RowsChange

    view = [Column("conversation_key", "string"), Column("message_count", "int")]
    store.replace_table("inbox_view", view, [{"conversation_key": "a", "message_count": 1}])
    monkeypatch.setenv("LORC_FAULT_AT", "projection.before_commit")
    faults.reset()
    with pytest.raises((InjectedFault, StorageError)):  # DuckDB raises in-process; BigQuery's script fails
        store.replace_rows(
            [RowsChange("inbox_view", view, "conversation_key", ["a"], [{"conversation_key": "a", "message_count": 9}])]
        )
    monkeypatch.delenv("LORC_FAULT_AT")
    faults.reset()
    assert sql_rows(store, f"SELECT message_count FROM {store.table('inbox_view')}") == [{"message_count": 1}]


def test_a_ledger_table_is_created_once_and_keeps_its_rows(store: Store) -> None:
    from datetime import UTC, datetime

    from lorchestra.stack_clients import Column, RowsChange

    ledger = [
        Column("entry_id", "string"),
        Column("week", "string"),
        Column("late", "bool"),
        Column("recorded_at", "timestamp"),
    ]
    assert not store.has_table("test_ledger")
    store.ensure_table("test_ledger", ledger)
    assert store.has_table("test_ledger") and store.lookup_rows("test_ledger", "week", ["w1"], ["entry_id"]) == []
    at = datetime(2026, 11, 9, 7, 0, tzinfo=UTC)
    store.replace_rows(
        [
            RowsChange(
                "test_ledger",
                ledger,
                "week",
                ["w1"],
                [{"entry_id": "e1", "week": "w1", "late": True, "recorded_at": at}],
            )
        ]
    )
    store.ensure_table("test_ledger", ledger)  # again: the rows stay
    assert store.lookup_rows("test_ledger", "week", ["w1"], ["entry_id", "late", "recorded_at"]) == [
        {"entry_id": "e1", "late": True, "recorded_at": at}
    ]
    with pytest.raises(ValueError, match="not a valid projection table name"):
        store.ensure_table("ledger; DROP TABLE raw_objects", ledger)


def test_published_views_give_readers_the_last_complete_build(store: Store) -> None:
    """Where another process reads a projection while this store writes: on DuckDB a
    snapshot file (the writer holds the warehouse), on BigQuery the table itself."""
    import duckdb

    from lorchestra.stack_clients import Column, RowsChange

    view = [Column("conversation_key", "string"), Column("message_count", "int")]

    def read(where: str) -> list[tuple[str, int]]:
        sql = "SELECT conversation_key, message_count FROM {} ORDER BY 1"
        if store.backend == "duckdb":
            return duckdb.connect().sql(sql.format(f"read_parquet('{where}')")).fetchall()
        return [tuple(r.values()) for r in sql_rows(store, sql.format(f"`{where}`"))]  # type: ignore[misc]

    store.replace_table("inbox_view", view, [{"conversation_key": "a", "message_count": 1}])
    [where] = store.publish_views(["inbox_view"])
    assert read(where) == [("a", 1)]
    store.replace_rows(
        [
            RowsChange(
                "inbox_view",
                view,
                "conversation_key",
                ["a"],
                [{"conversation_key": "a", "message_count": 2}, {"conversation_key": "b", "message_count": 1}],
            )
        ]
    )
    assert store.publish_views(["inbox_view"]) == [where]
    assert read(where) == [("a", 2), ("b", 1)]
