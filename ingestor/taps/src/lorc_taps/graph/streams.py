"""The ``messages`` stream: each configured folder walked through Graph's delta function.

State, per folder, is the mailbox and one link relative to ``api_url`` (never the server's
address): ``{"next": ...}`` while a round is under way, ``{"delta": ...}`` once it ended. A STATE
message is written after every page, when every record of that page has been written.
Through target-jsonl only the run's **last** STATE reaches Meltano, so a killed run (a
killed chunk) is read again whole from the state it started with (the warehouse dedupes
by id); the per-page STATEs cost nothing and let a target that forwards each one resume
mid-chunk. With ``max_messages_per_run`` the run ends after the page that reaches the
limit, so a backfill runs as resumable chunks.

Delta items that are not records are counted, not emitted: ``@removed`` entries and items
that are not JSON objects. An object without an ``id`` is emitted as Graph sent it, so lorc
keeps it as a ``rejects`` row (``missing_external_id``) instead of losing it. An item that lacks the message's content (Graph sometimes answers
an incremental round with only ``id``/``isRead``/``parentFolderId``) is read again by id.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from singer_sdk import Stream

from lorc_taps.graph.auth import (
    DEFAULT_API_URL,
    PREFER_IMMUTABLE_ID,
    graph_credentials,
    mailbox_path,
)
from lorc_taps.graph.schema import MESSAGE_SCHEMA, SELECT
from lorc_taps.http import ApiClient, ApiError
from lorc_taps.start_date import start_moment
from lorc_taps.state import write_state_now

DEFAULT_FOLDERS = ("inbox", "sentitems")
# Graph's answers to a delta or skip token it no longer knows: start the folder again.
EXPIRED_SYNC_STATE = frozenset({"syncStateNotFound", "SyncStateNotFound", "syncStateInvalid", "resyncRequired"})
CONTENT_PROPERTIES = ("receivedDateTime", "body")


@dataclass
class RunCounts:
    emitted: int = 0
    removed: int = 0
    refetched: int = 0
    skipped: int = 0
    without_id: int = 0
    resynced: list[str] = field(default_factory=list)


class MessagesStream(Stream):
    name = "messages"
    primary_keys = ()  # lorc keys records itself; a record without an id must still get through
    schema = MESSAGE_SCHEMA

    @property
    def _api_url(self) -> str:
        return str(self.config.get("api_url") or DEFAULT_API_URL).rstrip("/")

    @property
    def _mailbox_path(self) -> str:
        return mailbox_path(str(self.config["mailbox"]))

    def _prefer(self) -> dict[str, str]:
        return {"Prefer": f"{PREFER_IMMUTABLE_ID}, odata.maxpagesize={int(self.config.get('page_size') or 100)}"}

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        credentials = graph_credentials(self.config)
        client = ApiClient(credentials.token, ca_bundle=self.config.get("ca_bundle") or None)
        limit = int(self.config.get("max_messages_per_run") or 0)
        cursors: dict[str, dict[str, str]] = self.stream_state.setdefault("folders", {})
        counts = RunCounts()
        try:
            for folder in self.config.get("folders") or DEFAULT_FOLDERS:
                yield from self._sync_folder(client, folder, cursors, counts, limit)
                if limit and counts.emitted >= limit:
                    self.logger.info("max_messages_per_run=%d reached; the next run continues", limit)
                    break
        finally:
            self.logger.info(
                "graph messages: %d emitted (%d without id), %d removed entries skipped, %d re-read by id, "
                "%d items that are not objects skipped, folders resynced after an expired delta token: %s",
                counts.emitted,
                counts.without_id,
                counts.removed,
                counts.refetched,
                counts.skipped,
                ", ".join(counts.resynced) or "none",
            )

    def _sync_folder(
        self, client: ApiClient, folder: str, cursors: dict[str, dict[str, str]], counts: RunCounts, limit: int
    ) -> Iterator[dict[str, Any]]:
        link: str | None = self._resume_link(folder, cursors.get(folder))
        resynced = False
        while link is not None:
            try:
                page = client.get_json(f"{self._api_url}{link}", headers=self._prefer())
            except ApiError as exc:
                expired = exc.status == 410 or exc.code in EXPIRED_SYNC_STATE
                if not expired or resynced or link == self._first_link(folder):
                    raise
                self.logger.warning(
                    "delta token of folder %s expired (%s); reading the folder again", folder, exc.code or exc.status
                )
                counts.resynced.append(folder)
                resynced, link = True, self._first_link(folder)
                continue
            for item in page.get("value") or []:
                record = self._record(client, item, counts)
                if record is not None:
                    counts.emitted += 1
                    yield record
            if page.get("@odata.nextLink"):
                link = self._relative(page["@odata.nextLink"])
                cursors[folder] = {"mailbox": self.config["mailbox"], "next": link}
            elif page.get("@odata.deltaLink"):
                cursors[folder] = {"mailbox": self.config["mailbox"], "delta": self._relative(page["@odata.deltaLink"])}
                link = None
            else:
                raise ApiError(200, urlsplit(f"{self._api_url}{link}").path, "noDeltaOrNextLink")
            write_state_now(self)
            if limit and counts.emitted >= limit:
                return

    def _record(self, client: ApiClient, item: Any, counts: RunCounts) -> dict[str, Any] | None:
        if not isinstance(item, dict):
            counts.skipped += 1
            return None
        if "@removed" in item:
            counts.removed += 1
            return None
        if not isinstance(item.get("id"), str) or not item["id"]:
            counts.without_id += 1
            return _without_metadata(item)
        if all(name in item for name in CONTENT_PROPERTIES):
            return _without_metadata(item)
        try:
            full = client.get_json(
                f"{self._api_url}{self._mailbox_path}/messages/{quote(item['id'], safe='')}",
                params={"$select": SELECT},
                headers=self._prefer(),
            )
        except ApiError as exc:
            if exc.status != 404:
                raise
            counts.removed += 1  # gone since the delta round listed it
            return None
        counts.refetched += 1
        return _without_metadata(full)

    def _first_link(self, folder: str) -> str:
        query = {"$select": SELECT}
        if self.config.get("start_date"):
            query["$filter"] = f"receivedDateTime ge {_timestamp(str(self.config['start_date']))}"
        return f"{self._folder_path(folder)}/messages/delta?{urlencode(query, safe='$,:')}"

    def _folder_path(self, folder: str) -> str:
        return f"{self._mailbox_path}/mailFolders/{quote(folder, safe='')}"

    def _resume_link(self, folder: str, cursor: dict[str, str] | None) -> str:
        """The saved link, if it was saved for this mailbox; else a first round."""
        link = (cursor or {}).get("next") or (cursor or {}).get("delta")
        if link and cursor and cursor.get("mailbox") == self.config["mailbox"]:
            return link
        if link:
            self.logger.warning("the saved state of folder %s is for another mailbox; reading the folder again", folder)
        return self._first_link(folder)

    def _relative(self, link: str) -> str:
        """A next/delta link relative to ``api_url`` (the state must not hold the host)."""
        api_path = urlsplit(self._api_url).path.rstrip("/")
        parts = urlsplit(link)
        if not parts.path.startswith(f"{api_path}/"):
            raise ApiError(200, parts.path, "linkOutsideApiUrl")
        return parts.path[len(api_path) :] + (f"?{parts.query}" if parts.query else "")


def _without_metadata(item: dict[str, Any]) -> dict[str, Any]:
    """The message without ``@odata.type``/``@odata.etag`` (response metadata, not schema)."""
    return {key: value for key, value in item.items() if not key.startswith("@odata.")}


def _timestamp(start_date: str) -> str:
    """``start_date`` as Graph's UTC literal."""
    return start_moment(start_date).strftime("%Y-%m-%dT%H:%M:%SZ")
