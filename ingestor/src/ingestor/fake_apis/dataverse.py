"""A fake Dataverse Web API (``/api/data/v9.x``) on loopback, with its tenant's identity
platform (``ingestor.fake_apis.microsoft_identity``, scope ``<its own url>/.default``),
serving the practice's contacts and sessions (``sample_taps.practice``).

What it speaks, as Dataverse does:

- ``GET /api/data/v9.2/<entity set>`` for ``contacts`` and the session table's entity set,
  with ``$filter=modifiedon ge|gt <ISO instant>`` (anything else: 400 ``0x80060888``),
  ``$orderby`` (a column the table does not have: 400 ``0x0`` "Could not find a property
  named ..."), ``Prefer: odata.maxpagesize=N`` (default 5000) and
  ``odata.include-annotations="*"`` (FormattedValue and lookup annotations only when asked;
  ``@odata.etag`` always), an absolute ``@odata.nextLink`` that repeats the query with a
  ``$skiptoken`` paging cookie;
- an unknown entity set: 404 ``0x80060888`` "Resource not found for the segment '<x>'.";
- ``GET /api/data/v9.2/WhoAmI`` and
  ``GET /api/data/v9.2/EntityDefinitions(LogicalName='<table>')`` (404 ``0x80041102`` when unknown);
- 401 for a missing or expired token, 403 ``0x80040220`` for a table the application
  user's security role may not read (``denied_entity_sets``).

``publisher_prefix`` renames the session table: its logical name ``<prefix>session``, its
entity set ``<prefix>sessions`` and every ``cr7a2_`` column of the fixture rows, so a
practice's own prefix can be served.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode

from ingestor.fake_apis.microsoft_identity import (
    CLIENT_ID,
    TENANT_ID,
    MicrosoftIdentity,
    api_error,
    prefer_header,
)
from ingestor.fake_apis.server import FakeRequest, FakeResponse
from sample_taps import practice

FIXTURE_PREFIX = "cr7a2_"
DEFAULT_PAGE_SIZE = 5000
API = r"/api/data/v9\.[0-2]"
ORGANIZATION_ID = "3f5e2a11-9c1d-4e6f-8a7b-1c2d3e4f5a6b"
BUSINESS_UNIT_ID = "0be8c9a0-923b-ed11-bba3-0022481563ba"
APPLICATION_USER_ID = "7c4d1f20-5a6b-ef11-a81c-000d3a4b9e77"

_FILTER = re.compile(r"^\s*modifiedon\s+(?P<op>ge|gt)\s+(?P<value>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\s*$")
_ORDER = re.compile(r"^\s*(?P<column>[A-Za-z0-9_]+)(?:\s+(?P<direction>asc|desc))?\s*$")
_SKIPTOKEN = re.compile(r'^<cookie offset="(?P<offset>\d+)" />$')
_ENTITY_DEFINITION = re.compile(rf"{API}/EntityDefinitions\(LogicalName='(?P<name>[^']*)'\)")
_COLLECTION = re.compile(rf"{API}/(?P<entity_set>[A-Za-z0-9_]+)")


@dataclass(frozen=True)
class Table:
    logical_name: str
    entity_set: str
    key: str
    rows: tuple[dict[str, Any], ...]

    def columns(self) -> set[str]:
        return {name for row in self.rows for name in row if "@" not in name}


def _rename(value: Any, prefix: str) -> Any:
    return value.replace(FIXTURE_PREFIX, prefix) if isinstance(value, str) else value


def _prefixed(row: dict[str, Any], prefix: str) -> dict[str, Any]:
    """A session row with the publisher's prefix on its columns and navigation properties."""
    return {
        _rename(name, prefix): _rename(value, prefix) if name.endswith("associatednavigationproperty") else value
        for name, value in row.items()
    }


class FakeDataverse(MicrosoftIdentity):
    """Identity platform + Dataverse Web API for the practice story at ``revision``.

    Knobs for tests: those of :class:`MicrosoftIdentity`, ``revision`` and
    ``publisher_prefix`` (read on every request), ``denied_entity_sets`` (no read privilege),
    plus the base server's faults and latency.
    """

    def __init__(
        self,
        *,
        revision: int = 1,
        publisher_prefix: str = FIXTURE_PREFIX,
        latency: float = 0.0,
        log_path: Path | None = None,
        token_ttl: float = 3600.0,
    ) -> None:
        super().__init__(latency=latency, log_path=log_path, token_ttl=token_ttl)
        self.revision = practice.check_revision(revision)
        self.publisher_prefix = publisher_prefix
        self.denied_entity_sets: set[str] = set()
        self.route("GET", rf"{API}/WhoAmI(?:\(\))?", self._who_am_i)
        self.route("GET", _ENTITY_DEFINITION.pattern, self._entity_definition)
        self.route("GET", _COLLECTION.pattern, self._collection)

    @property
    def token_scope(self) -> str:
        return f"{self.url}/.default"

    @property
    def session_table(self) -> str:
        return f"{self.publisher_prefix}session"

    @property
    def session_entity_set(self) -> str:
        return f"{self.session_table}s"

    def tap_settings(self) -> dict[str, str]:
        """The ``tap-lorc-dataverse`` settings that point it at this server."""
        return {
            "environment_url": self.url,
            "authority_url": self.url,
            "tenant_id": TENANT_ID,
            "client_id": CLIENT_ID,
            "client_secret": self.client_secret,
            "ca_bundle": str(self.ca_path),
            "session_table": self.session_table,
            "session_entity_set": self.session_entity_set,
        }

    def tables(self) -> dict[str, Table]:
        """The served tables by entity set name."""
        sessions = practice.dataverse_records(f"{FIXTURE_PREFIX}session", self.revision)
        return {
            "contacts": Table(
                "contact", "contacts", "contactid", tuple(practice.dataverse_records("contact", self.revision))
            ),
            self.session_entity_set: Table(
                self.session_table,
                self.session_entity_set,
                f"{self.session_table}id",
                tuple(_prefixed(row, self.publisher_prefix) for row in sessions),
            ),
        }

    # --- Web API ------------------------------------------------------------------------
    def _refused(self, request: FakeRequest) -> FakeResponse | None:
        if self.signed_in(request):
            return None
        return FakeResponse(
            401,
            b"",
            {
                "WWW-Authenticate": f"Bearer authorization_uri={self.url}/{TENANT_ID}/"
                "oauth2/authorize, resource_id=" + self.url
            },
        )

    def _who_am_i(self, request: FakeRequest) -> FakeResponse:
        if (refused := self._refused(request)) is not None:
            return refused
        return FakeResponse(
            200,
            {
                "@odata.context": f"{self.url}/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",
                "BusinessUnitId": BUSINESS_UNIT_ID,
                "UserId": APPLICATION_USER_ID,
                "OrganizationId": ORGANIZATION_ID,
            },
        )

    def _entity_definition(self, request: FakeRequest) -> FakeResponse:
        if (refused := self._refused(request)) is not None:
            return refused
        match = _ENTITY_DEFINITION.fullmatch(request.path)
        assert match is not None
        name = unquote(match["name"])
        table = next((t for t in self.tables().values() if t.logical_name == name), None)
        if table is None:
            return api_error(
                404,
                "0x80041102",
                f"The entity with a name = '{name}' with namemapping = 'Logical' was not found in the MetadataCache.",
            )
        return FakeResponse(
            200,
            {
                "@odata.context": f"{self.url}/api/data/v9.2/$metadata"
                "#EntityDefinitions(LogicalName,EntitySetName)/$entity",
                "LogicalName": table.logical_name,
                "EntitySetName": table.entity_set,
                "MetadataId": f"00000000-0000-0000-0000-{len(table.logical_name):012d}",
            },
        )

    def _collection(self, request: FakeRequest) -> FakeResponse:
        if (refused := self._refused(request)) is not None:
            return refused
        match = _COLLECTION.fullmatch(request.path)
        assert match is not None
        table = self.tables().get(match["entity_set"])
        if table is None:
            return api_error(404, "0x80060888", f"Resource not found for the segment '{match['entity_set']}'.")
        if table.entity_set in self.denied_entity_sets:
            return api_error(
                403,
                "0x80040220",
                f"Principal user (Id={APPLICATION_USER_ID}, type=8) is missing prvRead{table.logical_name} privilege.",
            )
        rows = list(table.rows)
        filter_expression = request.param("$filter")
        if filter_expression is not None:
            parsed = _FILTER.fullmatch(filter_expression)
            if parsed is None:
                return api_error(400, "0x80060888", "The query specified in the URI is not valid.")
            op, value = parsed["op"], parsed["value"]
            rows = [r for r in rows if (r["modifiedon"] > value if op == "gt" else r["modifiedon"] >= value)]
        order = request.param("$orderby")
        if order is not None:
            parts = order.split(",")
            ordering = [o for part in parts if (o := _ORDER.fullmatch(part)) is not None]
            if len(ordering) != len(parts):
                return api_error(400, "0x80060888", "The query specified in the URI is not valid.")
            for o in ordering:
                if o["column"] not in table.columns():
                    return api_error(
                        400,
                        "0x0",
                        f"Could not find a property named '{o['column']}' on type "
                        f"'Microsoft.Dynamics.CRM.{table.logical_name}'.",
                    )
            for o in reversed(ordering):  # stable sorts, the last key first
                rows.sort(key=partial(_sort_text, column=o["column"]), reverse=o["direction"] == "desc")
        skip = request.param("$skiptoken")
        cookie = _SKIPTOKEN.fullmatch(skip) if skip is not None else None
        if skip is not None and cookie is None:
            return api_error(400, "0x80060888", "The $skiptoken is not valid.")
        offset = int(cookie["offset"]) if cookie else 0
        preferences = prefer_header(request)
        size = int(preferences.get("odata.maxpagesize") or DEFAULT_PAGE_SIZE)
        annotated = preferences.get("odata.include-annotations") == "*"
        page = rows[offset : offset + size]
        base = f"{self.url}/api/data/v9.2/{table.entity_set}"
        body: dict[str, Any] = {
            "@odata.context": f"{self.url}/api/data/v9.2/$metadata#{table.entity_set}",
            "value": [_shaped(row, annotated) for row in page],
        }
        if offset + size < len(rows):
            query = {k: v for k, v in (("$filter", filter_expression), ("$orderby", order)) if v is not None}
            query["$skiptoken"] = f'<cookie offset="{offset + size}" />'
            body["@odata.nextLink"] = f"{base}?{urlencode(query)}"
        applied = [f"odata.maxpagesize={size}"] if "odata.maxpagesize" in preferences else []
        applied += ['odata.include-annotations="*"'] if annotated else []
        return FakeResponse(200, body, {"Preference-Applied": ",".join(applied)} if applied else {})


def _sort_text(row: dict[str, Any], column: str) -> str:
    return str(row.get(column) or "")


def _shaped(row: dict[str, Any], annotated: bool) -> dict[str, Any]:
    """A row as the Web API sends it: ``@odata.etag`` first, annotations only when asked."""
    shaped: dict[str, Any] = {"@odata.etag": f'W/"{row.get("versionnumber", "")}"'}
    shaped.update({k: v for k, v in row.items() if annotated or "@" not in k})
    return shaped


def fake_dataverse(
    revision: int = 1, publisher_prefix: str = FIXTURE_PREFIX, log_path: Path | None = None, latency: float = 0.0
) -> FakeDataverse:
    """A ``FakeDataverse`` (not started) serving the practice story at ``revision``."""
    return FakeDataverse(revision=revision, publisher_prefix=publisher_prefix, log_path=log_path, latency=latency)


__all__ = ["FakeDataverse", "fake_dataverse"]
