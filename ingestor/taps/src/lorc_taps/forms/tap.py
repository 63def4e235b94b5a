"""``tap-lorc-forms``: one form per connection. Streams ``forms`` (the ``forms.get``
resource, one record a run) and ``form_responses`` (``forms.responses.list`` records as
sent), both exactly as the API returns them.

Incremental through the API's only filter, ``timestamp > <bookmark>`` on
``lastSubmittedTime``: an edited response comes again with its ``responseId`` and a new
``lastSubmittedTime``, and replaces the old one downstream. The API documents no order, so
the bookmark is the **largest instant** seen (compared as instants: ``…18Z`` is later than
``…17.9Z``), kept as the string the API sent, and saved only once the stream has
completed: a run that fails midway starts again from the old bookmark. The SDK's own
replication-key bookkeeping is not used: it compares strings and, for an unsorted stream,
keeps the last value instead of the largest.

State: ``{"form_id": ..., "lastSubmittedTime": ...}``; a state saved for another form is
dropped and the form is read from the start.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cached_property
from typing import Any, cast

from singer_sdk import Stream, Tap
from singer_sdk import typing as th

from lorc_taps.forms.client import DEFAULT_API_URL, PAGE_SIZE, FormsClient
from lorc_taps.google_auth import api_client, sign_in_settings
from lorc_taps.schema import permissive_schema
from lorc_taps.start_date import start_moment
from lorc_taps.state import write_state_now

FORM_FIELDS = ("formId", "info", "settings", "revisionId", "responderUri", "items", "linkedSheetId", "publishSettings")
RESPONSE_FIELDS = (
    "formId",
    "responseId",
    "createTime",
    "lastSubmittedTime",
    "respondentEmail",
    "answers",
    "totalScore",
)
BOOKMARK = "lastSubmittedTime"


def submitted_instant(value: Any) -> datetime | None:
    """An RFC 3339 timestamp as an aware datetime; None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def responses_filter(bookmark: str | None, start_date: str | None) -> str | None:
    """The ``filter`` of ``forms.responses.list``: after the bookmark, else from ``start_date``."""
    if bookmark:
        return f"timestamp > {bookmark}"
    if start_date:
        return f"timestamp >= {start_moment(start_date).strftime('%Y-%m-%dT%H:%M:%SZ')}"
    return None


def forms_client(stream: Stream) -> FormsClient:
    """The tap's one client: both streams share its access token."""
    return cast("TapLorcForms", stream._tap).client


class FormsStream(Stream):
    name = "forms"
    primary_keys = ("formId",)
    schema = permissive_schema(FORM_FIELDS)

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        yield forms_client(self).form()


class FormResponsesStream(Stream):
    name = "form_responses"
    primary_keys = ("responseId",)
    schema = permissive_schema(RESPONSE_FIELDS)

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        state = self.get_context_state(context)
        form_id = str(self.config["form_id"])
        if state.get("form_id") != form_id:
            if state.get(BOOKMARK):
                self.logger.warning("the saved state is for another form: reading form %s from the start", form_id)
            state.clear()
        bookmark = state.get(BOOKMARK)
        newest, newest_text = submitted_instant(bookmark), bookmark
        client = forms_client(self)
        emitted = skipped = undated = 0
        page_size = int(self.config.get("page_size") or PAGE_SIZE)
        for page in client.response_pages(responses_filter(bookmark, self.config.get("start_date")), page_size):
            for response in page:
                if not isinstance(response, dict):
                    skipped += 1
                    continue
                moment = submitted_instant(response.get(BOOKMARK))
                if moment is None:
                    undated += 1
                elif newest is None or moment > newest:
                    newest, newest_text = moment, response[BOOKMARK]
                emitted += 1
                yield response
        # Reached only when every page was read: the bookmark never skips an unread page.
        self.logger.info(
            "form %s: %d responses emitted, %d without a readable lastSubmittedTime, "
            "%d answers that are not objects skipped",
            form_id,
            emitted,
            undated,
            skipped,
        )
        if newest_text != bookmark or state.get("form_id") != form_id:
            state.update({"form_id": form_id, BOOKMARK: newest_text} if newest_text else {"form_id": form_id})
            write_state_now(self)


class TapLorcForms(Tap):
    name = "tap-lorc-forms"
    config_jsonschema = th.PropertiesList(
        th.Property(
            "form_id",
            th.StringType,
            required=True,
            description="The form's id (from its edit URL: /forms/d/<form_id>/edit).",
        ),
        *sign_in_settings(
            DEFAULT_API_URL, "From `lorc connect google NAME` (scopes forms.body.readonly, forms.responses.readonly)."
        ),
        th.Property(
            "start_date",
            th.StringType,
            description="ISO date: the first run reads responses submitted from then on; absent = all.",
        ),
        th.Property(
            "page_size",
            th.IntegerType,
            default=PAGE_SIZE,
            description="Responses per forms.responses.list page (at most 5000).",
        ),
    ).to_dict()

    @cached_property
    def client(self) -> FormsClient:
        """One client (one access token) for both streams."""
        return FormsClient(self.config, api_client(self.config, pool_size=1))

    def discover_streams(self) -> list[Stream]:
        return [FormsStream(tap=self), FormResponsesStream(tap=self)]


if __name__ == "__main__":
    TapLorcForms.cli()
