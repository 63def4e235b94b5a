"""The Sheets API calls of one tab: its spreadsheet's properties and blocks of its rows.

A spreadsheet that does not exist or that the account may not read (404/403) is a wrong
``spreadsheet_id``; a tab it does not have (or a range Sheets cannot parse) is a wrong
``sheet``; a token without the Sheets scope is a sign-in to repeat.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from lorc_taps.google_auth import names_a_wrong_id, raise_for_scope
from lorc_taps.http import ApiClient, ApiError, SettingError

DEFAULT_API_URL = "https://sheets.googleapis.com"
PROPERTIES_FIELDS = "properties(title,locale,timeZone),sheets.properties(sheetId,title,gridProperties.rowCount)"


@dataclass(frozen=True)
class Tab:
    title: str
    locale: str | None
    time_zone: str | None
    row_count: int | None  # the grid's rows, empty ones included; None when not told


class SheetsClient:
    def __init__(self, settings: Mapping[str, Any], api: ApiClient) -> None:
        base = str(settings.get("api_url") or DEFAULT_API_URL).rstrip("/")
        self._spreadsheet_id = str(settings["spreadsheet_id"])
        self._sheet = str(settings["sheet"])
        self._url = f"{base}/v4/spreadsheets/{quote(self._spreadsheet_id, safe='')}"
        self._api = api

    def _get(self, path: str, params: Mapping[str, Any]) -> dict[str, Any]:
        try:
            body = self._api.get_json(self._url + path, params=params)
        except ApiError as exc:
            raise_for_scope(exc, "sheets")
            detail = f"HTTP {exc.status}{f', {exc.code}' if exc.code else ''}"
            if names_a_wrong_id(exc):
                raise SettingError(
                    "spreadsheet_id",
                    f"no spreadsheet '{self._spreadsheet_id}' that this Google account may read ({detail})",
                ) from None
            if exc.status == 400 and path.startswith("/values/"):
                raise SettingError(
                    "sheet", f"spreadsheet '{self._spreadsheet_id}' has no tab named '{self._sheet}' ({detail})"
                ) from None
            raise
        if not isinstance(body, dict):
            raise ApiError(200, f"/v4/spreadsheets/{self._spreadsheet_id}", "answer is not a JSON object")
        return body

    def tab(self) -> Tab:
        """The configured tab with its spreadsheet's locale and time zone."""
        body = self._get("", {"fields": PROPERTIES_FIELDS})
        properties = body.get("properties") or {}
        tabs = [sheet.get("properties") or {} for sheet in body.get("sheets") or [] if isinstance(sheet, dict)]
        found = next((tab for tab in tabs if tab.get("title") == self._sheet), None)
        if found is None:
            raise SettingError(
                "sheet",
                f"spreadsheet '{self._spreadsheet_id}' has no tab named '{self._sheet}' "
                f"(it has {len(tabs)} tab(s); titles are case-sensitive)",
            )
        rows = (found.get("gridProperties") or {}).get("rowCount")
        return Tab(
            self._sheet,
            properties.get("locale"),
            properties.get("timeZone"),
            int(rows) if isinstance(rows, int) else None,
        )

    def rows(self, first: int, last: int) -> list[list[Any]]:
        """Sheet rows ``first``..``last`` (1-based, header = 1) as formatted values; Google
        leaves out trailing empty cells and trailing empty rows."""
        quoted = "'" + self._sheet.replace("'", "''") + "'"
        body = self._get(
            f"/values/{quote(f'{quoted}!{first}:{last}', safe='')}",
            {"majorDimension": "ROWS", "valueRenderOption": "FORMATTED_VALUE"},
        )
        values = body.get("values") or []
        return [row if isinstance(row, list) else [] for row in values] if isinstance(values, list) else []
