"""A fake Microsoft Graph mail API on loopback, with its tenant's identity platform
(``ingestor.fake_apis.microsoft_identity``; TLS, since ``msal`` accepts only ``https`` authorities).

It speaks the real wire protocol: the per-folder ``messages/delta`` function with
``$select``, ``$filter=receivedDateTime ge ...``, ``Prefer: odata.maxpagesize`` and
``Prefer: IdType="ImmutableId"``, absolute ``@odata.nextLink``/``@odata.deltaLink`` URLs,
``@removed`` entries, an expired-sync-state answer (410 ``syncStateNotFound``), a message
``GET`` by id, and Graph's error shape ``{"error": {"code": ..., "message": ...}}``.

Delta and skip tokens are stateless: they encode the folder, the query options, an offset
and the *generation* of the data they were issued at (the fixture revision, or the number
of synthetic messages), so a new server started with other arguments answers an old
token with exactly what changed since.

The mailboxes it serves, and their folders, are ``ingestor.fake_apis.graph_mailbox``'s.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from ingestor.fake_apis.graph_mailbox import FixtureMail, SyntheticMail
from ingestor.fake_apis.microsoft_identity import (
    CLIENT_ID,
    CLIENT_SECRET,
    TENANT_ID,
    MicrosoftIdentity,
    api_error,
    prefer_header,
)
from ingestor.fake_apis.server import FakeRequest, FakeResponse

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000
# The default properties of a message without $select (internetMessageHeaders needs $select).
SELECT_ONLY = frozenset({"internetMessageHeaders", "uniqueBody"})
PARTIAL_PROPERTIES = ("id", "isRead", "parentFolderId")

_DELTA = re.compile(r"/v1\.0/users/(?P<mailbox>[^/]+)/mailFolders/(?P<folder>[^/]+)/messages/delta")
_FOLDER = re.compile(r"/v1\.0/users/(?P<mailbox>[^/]+)/mailFolders/(?P<folder>[^/]+)")
_MESSAGE = re.compile(r"/v1\.0/users/(?P<mailbox>[^/]+)/messages/(?P<message>[^/]+)")
_FILTER = re.compile(r"^\s*receivedDateTime\s+(?P<op>ge|gt)\s+(?P<value>\S+)\s*$")


def _encode_token(claims: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(claims, sort_keys=True).encode()).decode().rstrip("=")


def _decode_token(token: str) -> dict[str, Any] | None:
    try:
        claims = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except ValueError:
        return None
    return claims if isinstance(claims, dict) else None


@dataclass(frozen=True)
class _Raw:
    """An item injected into a folder's initial round, served exactly as given."""

    item: Any


@dataclass(frozen=True)
class _Query:
    """The options a delta round was started with (Graph encodes them into its tokens)."""

    select: tuple[str, ...] | None
    received: tuple[str, str] | None  # ("ge" | "gt", timestamp)


class FakeMicrosoft(MicrosoftIdentity):
    """Microsoft identity platform + Graph mail for the fixture (or synthetic) mailboxes.

    Knobs for tests: those of :class:`MicrosoftIdentity`, ``denied_mailboxes`` (an application access
    policy: 403 ``ErrorAccessDenied``), ``expire_delta_tokens`` (every
    ``$deltatoken`` answers 410 ``syncStateNotFound``), ``partial_updates`` (incremental
    rounds return only id/isRead/parentFolderId, a known Graph behaviour), ``extra_items``
    (raw items appended to a folder's initial round, e.g. malformed ones).
    """

    def __init__(
        self,
        *,
        revision: int = 1,
        synthetic: tuple[int, int] | None = None,
        latency: float = 0.0,
        log_path: Path | None = None,
        token_ttl: float = 3600.0,
    ) -> None:
        super().__init__(latency=latency, log_path=log_path, token_ttl=token_ttl)
        self.mail: FixtureMail | SyntheticMail = (
            SyntheticMail(*synthetic) if synthetic is not None else FixtureMail(revision)
        )
        self.denied_mailboxes: set[str] = set()
        self.expire_delta_tokens = False
        self.partial_updates = False
        self.extra_items: dict[tuple[str, str], list[Any]] = {}
        self.route("GET", _DELTA.pattern, self._delta)
        self.route("GET", _FOLDER.pattern, self._folder)
        self.route("GET", _MESSAGE.pattern, self._message)

    def tap_settings(self, mailbox: str) -> dict[str, str]:
        """The ``tap-lorc-graph`` settings that point it at this server (``mailbox`` aside)."""
        return {
            "api_url": f"{self.url}/v1.0",
            "authority_url": self.url,
            "tenant_id": TENANT_ID,
            "client_id": CLIENT_ID,
            "client_secret": self.client_secret,
            "ca_bundle": str(self.ca_path),
        }

    @property
    def token_scope(self) -> str:
        return GRAPH_SCOPE

    # --- Graph ----------------------------------------------------------------------------
    def _authorize(self, request: FakeRequest, mailbox: str) -> FakeResponse | None:
        if not self.signed_in(request):
            return api_error(
                401,
                "InvalidAuthenticationToken",
                "Access token has expired or is not yet valid.",
                {"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'},
            )
        known = self.mail.mailboxes()
        if known is not None and mailbox not in known:
            return api_error(404, "ErrorInvalidUser", "The requested user is invalid.")
        if mailbox in self.denied_mailboxes:
            return api_error(
                403,
                "ErrorAccessDenied",
                "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.",
            )
        return None

    def _folder_id(self, mailbox: str, folder: str) -> str | None:
        ids = self.mail.folder_ids(mailbox)
        if folder.lower() in ids:
            return ids[folder.lower()]
        return folder if self.mail.has_folder(mailbox, folder) else None

    def _folder_request(self, request: FakeRequest, pattern: re.Pattern[str]) -> tuple[str, str, str] | FakeResponse:
        """``(mailbox, folder as asked for, folder id)`` of a request on a folder, or the
        error Graph answers."""
        match = pattern.fullmatch(request.path)
        assert match is not None
        mailbox, folder = unquote(match["mailbox"]), unquote(match["folder"])
        if (refused := self._authorize(request, mailbox)) is not None:
            return refused
        folder_id = self._folder_id(mailbox, folder)
        if folder_id is None:
            return api_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        return mailbox, folder, folder_id

    def _folder(self, request: FakeRequest) -> FakeResponse:
        found = self._folder_request(request, _FOLDER)
        if isinstance(found, FakeResponse):
            return found
        mailbox, _, folder_id = found
        return FakeResponse(
            200,
            {
                "@odata.context": f"{self.url}/v1.0/$metadata#users('{quote(mailbox)}')/mailFolders(id)/$entity",
                "id": folder_id,
            },
        )

    def _message(self, request: FakeRequest) -> FakeResponse:
        match = _MESSAGE.fullmatch(request.path)
        assert match is not None
        mailbox, message_id = unquote(match["mailbox"]), unquote(match["message"])
        if (refused := self._authorize(request, mailbox)) is not None:
            return refused
        immutable = prefer_header(request).get("idtype") == "ImmutableId"
        record = self.mail.find(mailbox, message_id, immutable)
        if record is None:
            return api_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        return FakeResponse(200, self._shape(record, _select(request.param("$select"))))

    def _delta(self, request: FakeRequest) -> FakeResponse:
        found = self._folder_request(request, _DELTA)
        if isinstance(found, FakeResponse):
            return found
        mailbox, folder, folder_id = found
        preferences = prefer_header(request)
        immutable = preferences.get("idtype") == "ImmutableId"
        size = min(int(preferences.get("odata.maxpagesize") or DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
        skip, delta = request.param("$skiptoken"), request.param("$deltatoken")
        if delta is not None:
            claims = _decode_token(delta)
            if self.expire_delta_tokens or claims is None or claims.get("f") != folder_id:
                return api_error(
                    410,
                    "syncStateNotFound",
                    "The sync state generation is not found. The delta "
                    "token is expired and data must be synchronized again.",
                )
            query, since, offset = _Query(_tuple(claims["s"]), _pair(claims["r"])), int(claims["g"]), 0
        elif skip is not None:
            claims = _decode_token(skip)
            if claims is None or claims.get("f") != folder_id:
                return api_error(410, "syncStateNotFound", "The sync state is not found.")
            query, offset = _Query(_tuple(claims["s"]), _pair(claims["r"])), int(claims["o"])
            since = claims["c"]
        else:
            received = None
            if (expression := request.param("$filter")) is not None:
                parsed = _FILTER.fullmatch(expression)
                if parsed is None:
                    return api_error(400, "ErrorInvalidUrlQueryFilter", "The query filter is not supported.")
                received = (parsed["op"], parsed["value"])
            query, since, offset = _Query(_select(request.param("$select")), received), None, 0
        if since is None:
            keys: Sequence[Any] = [
                *self.mail.initial(mailbox, folder_id, immutable),
                *map(_Raw, self.extra_items.get((mailbox, folder_id), [])),
            ]
        else:
            keys = self.mail.changes(mailbox, folder_id, since, immutable)
        if query.received is not None:
            op, value = query.received
            keys = [k for k in keys if isinstance(k, _Raw) or _after(self.mail.received(k), op, value)]
        page = keys[offset : offset + size]
        partial = self.partial_updates and since is not None
        items = [self._item(mailbox, key, immutable, query.select, partial) for key in page]
        base = f"{self.url}/v1.0/users/{quote(mailbox)}/mailFolders/{quote(folder, safe='')}/messages/delta"
        body: dict[str, Any] = {"@odata.context": f"{self.url}/v1.0/$metadata#Collection(message)", "value": items}
        common = {
            "f": folder_id,
            "s": list(query.select) if query.select else None,
            "r": list(query.received) if query.received else None,
        }
        if offset + size < len(keys):
            body["@odata.nextLink"] = f"{base}?$skiptoken={_encode_token({**common, 'o': offset + size, 'c': since})}"
        else:
            body["@odata.deltaLink"] = f"{base}?$deltatoken={_encode_token({**common, 'g': self.mail.generation})}"
        return FakeResponse(200, body)

    def _item(self, mailbox: str, key: Any, immutable: bool, select: tuple[str, ...] | None, partial: bool) -> Any:
        if isinstance(key, _Raw):  # an injected item, served as it is
            return key.item
        record = self.mail.render(mailbox, key, immutable)
        if "@removed" in record:
            return record
        if partial:
            return {"@odata.type": "#microsoft.graph.message", **{p: record.get(p) for p in PARTIAL_PROPERTIES}}
        return self._shape(record, select)

    @staticmethod
    def _shape(record: dict[str, Any], select: tuple[str, ...] | None) -> dict[str, Any]:
        shaped: dict[str, Any] = {
            "@odata.type": "#microsoft.graph.message",
            "@odata.etag": f'W/"{record.get("changeKey", "")}"',
        }
        if select is None:
            shaped.update({k: v for k, v in record.items() if k not in SELECT_ONLY})
        else:
            shaped["id"] = record["id"]
            shaped.update({k: record[k] for k in select if k in record})
        return shaped


def _after(received: str, op: str, value: str) -> bool:
    return received > value if op == "gt" else received >= value


def _select(value: str | None) -> tuple[str, ...] | None:
    return tuple(p.strip() for p in value.split(",") if p.strip()) if value else None


def _tuple(value: list[str] | None) -> tuple[str, ...] | None:
    return tuple(value) if value else None


def _pair(value: list[str] | None) -> tuple[str, str] | None:
    return (value[0], value[1]) if value else None


def fake_microsoft(
    *, revision: int = 1, synthetic: tuple[int, int] | None = None, latency: float = 0.0, log_path: Path | None = None
) -> FakeMicrosoft:
    """A ``FakeMicrosoft`` (not started) serving the practice story or a synthetic mailbox."""
    return FakeMicrosoft(revision=revision, synthetic=synthetic, latency=latency, log_path=log_path)


__all__ = ["CLIENT_ID", "CLIENT_SECRET", "TENANT_ID", "FakeMicrosoft", "fake_microsoft"]
