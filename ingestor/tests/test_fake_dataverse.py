"""``FakeDataverse`` speaks the Web API the way the Dataverse tap relies on (raw HTTP, no tap)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from ingestor.fake_apis import running
from ingestor.fake_apis.dataverse import FakeDataverse, fake_dataverse
from ingestor.fake_apis.microsoft_identity import CLIENT_ID, TENANT_ID


@pytest.fixture
def fake() -> Iterator[FakeDataverse]:
    server = fake_dataverse(publisher_prefix="new_")
    with running(server):
        yield server


def token(fake: FakeDataverse, scope: str | None = None) -> requests.Response:
    return requests.post(
        f"{fake.url}/{TENANT_ID}/oauth2/v2.0/token",
        verify=str(fake.ca_path),
        timeout=10,
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": fake.client_secret,
            "scope": scope or fake.token_scope,
        },
    )


def get(fake: FakeDataverse, path: str, prefer: str = "", **params: str) -> requests.Response:
    bearer = token(fake).json()["access_token"]
    return requests.get(
        f"{fake.url}/api/data/v9.2/{path}",
        params=params,
        verify=str(fake.ca_path),
        timeout=10,
        headers={"Authorization": f"Bearer {bearer}", "Prefer": prefer},
    )


def test_tokens_are_for_the_environments_own_scope_only(fake: FakeDataverse) -> None:
    assert token(fake).status_code == 200
    refused = token(fake, "https://graph.microsoft.com/.default")
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_scope")
    assert requests.get(f"{fake.url}/api/data/v9.2/WhoAmI", verify=str(fake.ca_path), timeout=10).status_code == 401


def test_annotations_come_only_when_asked_and_the_etag_always(fake: FakeDataverse) -> None:
    plain: list[dict[str, Any]] = get(fake, "new_sessions").json()["value"]
    annotated = get(fake, "new_sessions", 'odata.include-annotations="*"').json()["value"]
    assert len(plain) == len(annotated) == 26
    assert all(name == "@odata.etag" or "@" not in name for row in plain for name in row)
    assert all(row["@odata.etag"] for row in plain)
    assert any("_new_contact_value@OData.Community.Display.V1.FormattedValue" in row for row in annotated)
    assert not any("cr7a2_" in name for row in annotated for name in row)


def test_filter_orderby_and_paging(fake: FakeDataverse) -> None:
    first = get(
        fake,
        "contacts",
        "odata.maxpagesize=5",
        **{"$filter": "modifiedon gt 2026-09-20T00:00:00Z", "$orderby": "modifiedon desc"},
    )
    assert first.status_code == 200 and first.headers["Preference-Applied"] == "odata.maxpagesize=5"
    rows = first.json()["value"]
    bearer = token(fake).json()["access_token"]
    following = requests.get(
        first.json()["@odata.nextLink"],
        verify=str(fake.ca_path),
        timeout=10,
        headers={"Authorization": f"Bearer {bearer}", "Prefer": "odata.maxpagesize=5"},
    ).json()
    rows += following["value"]
    assert "@odata.nextLink" not in following
    stamps = [row["modifiedon"] for row in rows]
    assert stamps == sorted(stamps, reverse=True) and len(stamps) == 9 and min(stamps) > "2026-09-20T00:00:00Z"


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("cr7a2_sessions", {}, 404, "0x80060888"),
        ("contacts", {"$filter": "fullname eq 'Anna'"}, 400, "0x80060888"),
        ("new_sessions", {"$orderby": "cr7a2_sessionid asc"}, 400, "0x0"),
        ("EntityDefinitions(LogicalName='cr7a2_session')", {}, 404, "0x80041102"),
    ],
)
def test_what_the_environment_does_not_have_is_an_error_with_dataverses_code(
    fake: FakeDataverse, path: str, params: dict[str, str], status: int, code: str
) -> None:
    answer = get(fake, path, **params)
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)


def test_entity_definitions_name_the_entity_set(fake: FakeDataverse) -> None:
    answer = get(fake, "EntityDefinitions(LogicalName='new_session')", **{"$select": "LogicalName,EntitySetName"})
    assert (answer.json()["LogicalName"], answer.json()["EntitySetName"]) == ("new_session", "new_sessions")
