"""Edge case 4 of source-payloads.md §6: address lists with quotes, encoded commas,
groups and comments, and a sender that cannot be parsed, through the real transforms."""

from __future__ import annotations

from typing import Any

import pytest

from email_edge_records import BASE, gmail, graph, run_gmail, run_graph


def test_edge_4_address_lists_with_quotes_encoded_commas_groups_and_cc() -> None:
    to = (
        '"Weber, Julia" <j.weber@praxis-weber.example>, Dr. "Jule" Weber <jule@praxis-weber.example>, '
        "=?UTF-8?Q?M=C3=BCller=2C_Anna?= <Anna.Mueller@Example.test>, bare@example.test, "
        "undisclosed-recipients:;"
    )
    out = run_gmail(gmail({**BASE, "To": to, "Cc": "Weber, Julia <j.weber@praxis-weber.example>"}))
    assert out["to"] == [
        {"name": "Weber, Julia", "email": "j.weber@praxis-weber.example"},
        {"name": "Dr. Jule Weber", "email": "jule@praxis-weber.example"},
        {"name": "Müller, Anna", "email": "anna.mueller@example.test"},
        {"name": None, "email": "bare@example.test"},
    ]
    # Unquoted "Weber, Julia <…>" splits into a name-only half, which is dropped.
    assert out["cc"] == [{"name": "Julia", "email": "j.weber@praxis-weber.example"}]


def test_edge_4_graph_name_equal_to_address_means_no_name() -> None:
    out = run_graph(graph(**{"from": {"emailAddress": {"name": "kim@example.test", "address": "Kim@Example.test"}}}))
    assert out["from"] == {"name": None, "email": "kim@example.test"}


@pytest.mark.parametrize(
    ("to", "expected"),
    [
        ("anna@example.test (Anna Weber)", [{"name": None, "email": "anna@example.test"}]),  # a comment is no name
        ("Anna (Praxis) <anna@example.test>", [{"name": "Anna", "email": "anna@example.test"}]),
        ('"Anna (Praxis)" <anna@example.test> (privat)', [{"name": "Anna (Praxis)", "email": "anna@example.test"}]),
        (
            "Team: a@example.test (A), B <b@example.test>;",
            [{"name": None, "email": "a@example.test"}, {"name": "B", "email": "b@example.test"}],
        ),
    ],
)
def test_edge_4_comments_in_address_lists_are_not_names(to: str, expected: list[dict[str, Any]]) -> None:
    assert run_gmail(gmail({**BASE, "To": to}))["to"] == expected


def test_an_unparseable_from_gives_no_sender_but_still_an_email() -> None:
    out = run_gmail(gmail({**BASE, "From": "nur ein Name"}))
    assert out["from"] is None and out["direction"] == "inbound"
