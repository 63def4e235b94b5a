"""The streams ``contact`` and ``session``: one Dataverse table each, read in ``modifiedon``
order with ``$filter=modifiedon ge <bookmark>``.

``ge``, not ``gt``: ``modifiedon`` has whole seconds, and a row changed within the
bookmark's second after our read must not be lost; the boundary row comes again and lorc's
ingest leaves it unchanged. The rows are sorted by the server (``$orderby=modifiedon
asc,<key> asc``), so the SDK's bookmark after each row is a valid resume point.

Records are the rows exactly as sent, annotations (``@odata.etag``, FormattedValue,
lookups) included: the schema declares the key, ``modifiedon`` and ``@odata.etag`` and
lets every other column through (a practice's table has its own columns).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from singer_sdk import Stream

from lorc_taps.dataverse.client import PROPERTY_NOT_FOUND, RESOURCE_NOT_FOUND, api_url
from lorc_taps.http import ApiClient, ApiError, SettingError
from lorc_taps.schema import permissive_schema
from lorc_taps.start_date import start_moment


class _ClientOwner(Protocol):
    """The tap, as its streams use it: one signed-in client for all of them."""

    @property
    def client(self) -> ApiClient: ...


class TableStream(Stream):
    """One table, read under its entity set."""

    replication_key = "modifiedon"
    is_sorted = True

    def __init__(self, tap: Any, *, name: str, entity_set: str, key: str) -> None:
        self.entity_set = entity_set
        self.key = key
        self._client_owner: _ClientOwner = tap
        super().__init__(tap=tap, name=name, schema=permissive_schema((key, "modifiedon", "@odata.etag")))
        self.primary_keys = [key]

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        client = self._client_owner.client
        emitted = 0
        try:
            for row in self._rows(client, self._first_url(context)):
                emitted += 1
                yield row
        finally:
            self.logger.info("dataverse %s: %d rows emitted", self.name, emitted)

    def _first_url(self, context: Mapping[str, Any] | None) -> str:
        bookmark = self.get_starting_replication_key_value(context)
        query = f"$orderby=modifiedon asc,{self.key} asc"
        if bookmark:
            query = f"$filter=modifiedon ge {_instant(str(bookmark))}&{query}"
        return f"{api_url(self.config)}/{self.entity_set}?{query}"

    def _rows(self, client: ApiClient, url: str | None) -> Iterator[dict[str, Any]]:
        prefer = f'odata.include-annotations="*",odata.maxpagesize={int(self.config.get("page_size") or 5000)}'
        while url:
            try:
                page = client.get_json(url, headers={"Prefer": prefer})
            except ApiError as exc:
                raise self._setting_error(exc) or exc from None
            yield from page.get("value") or []
            url = page.get("@odata.nextLink")

    def _setting_error(self, error: ApiError) -> SettingError | None:
        """The setting to blame for an error, if a setting is to blame (see ``SessionStream``)."""
        return None


class SessionStream(TableStream):
    """The practice's session table: its logical and entity-set names are settings."""

    def _setting_error(self, error: ApiError) -> SettingError | None:
        if error.status == 404 and error.code == RESOURCE_NOT_FOUND:
            return SettingError(
                "session_entity_set", f"no entity set '{self.entity_set}' in the environment (HTTP 404, {error.code})"
            )
        if error.status == 403:
            return SettingError(
                "session_entity_set",
                f"the application user may not read '{self.entity_set}': "
                f"give its security role read access to the table "
                f"(HTTP 403, {error.code})",
            )
        if error.status == 400 and error.code in (RESOURCE_NOT_FOUND, PROPERTY_NOT_FOUND):
            return SettingError(
                "session_table",
                f"the entity set '{self.entity_set}' has no column "
                f"'{self.key}' or 'modifiedon' (HTTP 400, {error.code})",
            )
        return None


def _instant(value: str) -> str:
    """A bookmark or ``start_date`` as Dataverse's UTC literal (whole seconds, ``Z``)."""
    return start_moment(value.replace("Z", "+00:00")).strftime("%Y-%m-%dT%H:%M:%SZ")
