"""``tap-lorc-sheets``: one tab per connection, one stream ``sheet_responses`` with one
record per non-empty data row (row 1 is the header), **full table**: the Sheets API has no
change query, and lorc's ingest keeps an unchanged record unchanged.

Rows are read in blocks of ``block_rows`` (``'<tab>'!1:<n>``, ``'<tab>'!<n+1>:<2n>`` ...)
up to the grid's row count (empty rows inside the data do not end the reading), or, if
the API does not tell the count, until a block comes back shorter than asked. Each record
holds the row's cells under their header titles exactly, the sheet's locale and time zone
(its timestamps are local wall-clock time) and the columns that identify it; see
``lorc_taps.sheets.rows`` for the ``rowId``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from singer_sdk import Stream, Tap
from singer_sdk import typing as th

from lorc_taps.google_auth import api_client, sign_in_settings
from lorc_taps.http import SettingError
from lorc_taps.schema import permissive_schema
from lorc_taps.sheets.client import DEFAULT_API_URL, SheetsClient, Tab
from lorc_taps.sheets.rows import (
    RowCounts,
    column_titles,
    default_email_column,
    identified,
    row_values,
)

RECORD_FIELDS = ("rowId", "spreadsheetId", "sheet", "timeZone", "locale", "timestampColumn", "emailColumn", "values")
BLOCK_ROWS = 5000


class SheetResponsesStream(Stream):
    name = "sheet_responses"
    primary_keys = ("rowId",)
    schema = permissive_schema(RECORD_FIELDS)

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        config = self.config
        client = SheetsClient(config, api_client(config, pool_size=1))
        tab = client.tab()
        rows = self._rows(client, tab, max(1, int(config.get("block_rows") or BLOCK_ROWS)))
        header = next(rows, [])
        titles = column_titles(header)
        named = [title for title in titles if title.strip()]
        timestamp_column = str(config.get("timestamp_column") or (titles[0] if titles else ""))
        email_column = config.get("email_column") or default_email_column(titles)
        for setting, column in (("timestamp_column", timestamp_column), ("email_column", email_column)):
            if column and column not in named:
                raise SettingError(
                    setting,
                    f"tab '{tab.title}' has no column with that title "
                    f"({len(named)} titled columns; titles are case-sensitive)",
                )
        counts = RowCounts()
        values = []
        for row in rows:
            counts.rows += 1
            cells = row_values(titles, row)
            if cells:
                values.append(cells)
            else:
                counts.empty += 1
        spreadsheet_id = str(config["spreadsheet_id"])
        emitted = 0
        for row_id, cells in identified(
            values,
            spreadsheet_id=spreadsheet_id,
            sheet=tab.title,
            timestamp_column=timestamp_column,
            email_column=email_column,
            counts=counts,
        ):
            emitted += 1
            yield {
                "rowId": row_id,
                "spreadsheetId": spreadsheet_id,
                "sheet": tab.title,
                "timeZone": tab.time_zone,
                "locale": tab.locale,
                "timestampColumn": timestamp_column,
                "emailColumn": email_column,
                "values": cells,
            }
        self.logger.info(
            "sheet %s: %d data rows read, %d records emitted, %d empty rows, %d duplicate rows "
            "emitted once, %d rows identified by their content",
            spreadsheet_id,
            counts.rows,
            emitted,
            counts.empty,
            counts.duplicates,
            counts.by_content,
        )

    @staticmethod
    def _rows(client: SheetsClient, tab: Tab, block_rows: int) -> Iterator[list[Any]]:
        """Every row of the tab, header first (Google leaves a block's trailing empty rows
        out; nothing in a record depends on a row's position, so they are not missed)."""
        read = 0
        while tab.row_count is None or read < tab.row_count:
            block = client.rows(read + 1, read + block_rows)
            yield from block
            if tab.row_count is None and len(block) < block_rows:
                return
            read += block_rows


class TapLorcSheets(Tap):
    name = "tap-lorc-sheets"
    config_jsonschema = th.PropertiesList(
        th.Property(
            "spreadsheet_id",
            th.StringType,
            required=True,
            description="The spreadsheet's id (from its URL: /spreadsheets/d/<spreadsheet_id>/edit).",
        ),
        th.Property(
            "sheet",
            th.StringType,
            required=True,
            description="The tab's title, e.g. `Form Responses 1` / `Formularantworten 1`.",
        ),
        *sign_in_settings(DEFAULT_API_URL, "From `lorc connect google NAME` (scope spreadsheets.readonly)."),
        th.Property(
            "timestamp_column",
            th.StringType,
            description="The column of the submission timestamp; default: the first column.",
        ),
        th.Property(
            "email_column",
            th.StringType,
            description="The respondent's e-mail column; default: Google Forms' e-mail header in the "
            "sheet's language, if any.",
        ),
        th.Property("block_rows", th.IntegerType, default=BLOCK_ROWS, description="Rows read per request."),
    ).to_dict()

    def discover_streams(self) -> list[Stream]:
        return [SheetResponsesStream(tap=self)]


if __name__ == "__main__":
    TapLorcSheets.cli()
