"""The Gmail API calls the tap makes, each paying its quota cost before it is sent.

Costs are Google's per-method quota units (Gmail API "Usage limits"); the bucket keeps
the whole tap, all worker threads together, under ``quota_units_per_second``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from lorc_taps.google_auth import raise_for_scope
from lorc_taps.http import ApiClient, ApiError
from lorc_taps.ratelimit import TokenBucket

DEFAULT_API_URL = "https://gmail.googleapis.com"
COST_PROFILE = 1
COST_HISTORY = 2
COST_LIST = 5
COST_GET = 5
PAGE_SIZE = 500  # the most messages.list and history.list return per page
HISTORY_TYPES = ("messageAdded", "labelAdded", "labelRemoved")


class HistoryExpiredError(RuntimeError):
    """``history.list`` answered 404: the start history id is too old; a listing must fill the gap."""


@dataclass(frozen=True)
class Malformed:
    """A ``messages.get`` answer that is not a JSON object; only the requested id is kept."""

    id: str


class GmailClient:
    def __init__(self, settings: Mapping[str, Any], api: ApiClient, bucket: TokenBucket | None = None) -> None:
        base = str(settings.get("api_url") or DEFAULT_API_URL).rstrip("/")
        self._user_url = f"{base}/gmail/v1/users/{quote(str(settings['mailbox']), safe='@')}"
        self._api = api
        self._bucket = bucket

    def _get(self, cost: int, path: str, params: Mapping[str, Any] | None = None) -> Any:
        if self._bucket is not None:
            self._bucket.take(cost)
        try:
            response = self._api.request("GET", self._user_url + path, params=params)
        except ApiError as exc:
            raise_for_scope(exc, "gmail")
            raise
        try:
            return response.json()
        except ValueError:
            return None

    def profile(self) -> dict[str, Any]:
        """``users.getProfile``: the mailbox's address and its current ``historyId``."""
        body = self._get(COST_PROFILE, "/profile")
        if not isinstance(body, dict) or not body.get("historyId"):
            raise ApiError(200, "/profile", "no historyId in the profile")
        return body

    def list_page(self, query: str, page_token: str | None) -> tuple[list[str], str | None]:
        """One page of ``users.messages.list`` (spam and trash left out; roughly newest first,
        an order Google does not document)."""
        params: dict[str, Any] = {"maxResults": PAGE_SIZE, "includeSpamTrash": "false"}
        if query:
            params["q"] = query
        if page_token:
            params["pageToken"] = page_token
        body = self._get(COST_LIST, "/messages", params) or {}
        ids = [str(item["id"]) for item in body.get("messages") or [] if isinstance(item, dict) and item.get("id")]
        return ids, body.get("nextPageToken") or None

    def history_page(self, start_history_id: str, page_token: str | None) -> dict[str, Any]:
        """One page of ``users.history.list``; raises ``HistoryExpiredError`` on 404."""
        params: dict[str, Any] = {
            "startHistoryId": start_history_id,
            "maxResults": PAGE_SIZE,
            "historyTypes": list(HISTORY_TYPES),
        }
        if page_token:
            params["pageToken"] = page_token
        try:
            body = self._get(COST_HISTORY, "/history", params)
        except ApiError as exc:
            if exc.status == 404:
                raise HistoryExpiredError(start_history_id) from None
            raise
        if not isinstance(body, dict) or not body.get("historyId"):
            raise ApiError(200, "/history", "no historyId in the history response")
        return body

    def get(self, message_id: str) -> dict[str, Any] | Malformed | None:
        """``users.messages.get?format=full``; None when the message was deleted since (404)."""
        try:
            body = self._get(COST_GET, f"/messages/{quote(message_id, safe='')}", {"format": "full"})
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise
        return body if isinstance(body, dict) else Malformed(message_id)
