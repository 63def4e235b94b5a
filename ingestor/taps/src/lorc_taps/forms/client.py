"""The Forms API calls of one form: ``forms.get`` and the pages of ``forms.responses.list``.

A form that does not exist or that the signed-in account may not read (404/403) is a wrong
``form_id`` setting; a token without the Forms scopes is a sign-in to repeat.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from lorc_taps.google_auth import names_a_wrong_id, raise_for_scope
from lorc_taps.http import ApiClient, ApiError, SettingError

DEFAULT_API_URL = "https://forms.googleapis.com"
PAGE_SIZE = 5000  # the most forms.responses.list returns per page


class FormsClient:
    def __init__(self, settings: Mapping[str, Any], api: ApiClient) -> None:
        base = str(settings.get("api_url") or DEFAULT_API_URL).rstrip("/")
        self._form_id = str(settings["form_id"])
        self._form_url = f"{base}/v1/forms/{quote(self._form_id, safe='')}"
        self._api = api

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        try:
            body = self._api.get_json(self._form_url + path, params=params)
        except ApiError as exc:
            raise_for_scope(exc, "forms")
            if names_a_wrong_id(exc):
                raise SettingError(
                    "form_id",
                    f"no form '{self._form_id}' that this Google account may read "
                    f"(HTTP {exc.status}{f', {exc.code}' if exc.code else ''})",
                ) from None
            raise
        if not isinstance(body, dict):
            raise ApiError(200, f"/v1/forms/{self._form_id}{path}", "answer is not a JSON object")
        return body

    def form(self) -> dict[str, Any]:
        """``forms.get``: the form's definition (items, question ids, grid rows)."""
        return self._get("")

    def response_pages(self, query_filter: str | None, page_size: int = PAGE_SIZE) -> Iterator[list[Any]]:
        """The pages of ``forms.responses.list`` under ``query_filter`` (sent on every page)."""
        params: dict[str, Any] = {"pageSize": max(1, min(page_size, PAGE_SIZE))}
        if query_filter:
            params["filter"] = query_filter
        while True:
            page = self._get("/responses", params)
            responses = page.get("responses") or []
            yield responses if isinstance(responses, list) else []
            token = page.get("nextPageToken")
            if not token:
                return
            params["pageToken"] = token
