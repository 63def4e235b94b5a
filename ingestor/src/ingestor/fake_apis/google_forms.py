"""The fake Google Forms API: ``forms.get`` and ``forms.responses.list`` of the practice's forms.

``responses.list`` takes Google's only filters, ``timestamp > T`` and ``timestamp >= T`` on
``lastSubmittedTime`` (anything else: 400 ``INVALID_ARGUMENT``), ``pageSize`` (at most
5000) and an opaque ``pageToken`` bound to its filter, and answers in no time order
(Google documents none). Knobs: ``renamed_questions`` (question id → new title),
``extra_responses`` (form id → records served after the story's, as they are).

The story keeps the dates of ``CLIENTS.md``, so Marie Engel's response edited at revision
2 says ``lastSubmittedTime`` 07.10., older than revision 1's newest response. A real edit
would carry the moment of editing; so that an incremental run finds it as it would find a
real edit, the filter treats a response changed at revision 2 as submitted just after
every revision-1 response (``REVISION_2_SUBMITTED``), while the record stays the story's.
"""

from __future__ import annotations

import copy
import hashlib
import re
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from ingestor.fake_apis.google_oauth import (
    FORMS_BODY_SCOPE,
    FORMS_RESPONSES_SCOPE,
    PRACTICE_ACCOUNT,
    GoogleOAuth,
    api_error,
    opaque_key,
    opaque_token,
)
from ingestor.fake_apis.server import FakeRequest, FakeResponse
from sample_taps import practice

PAGE_MAX = 5000
SERVICE = "forms.googleapis.com"
_FILTER = re.compile(r"\s*timestamp\s*(>=|>)\s*(\S+)\s*")


def instant(value: str) -> datetime:
    """An RFC 3339 UTC timestamp (``Z``, any number of fraction digits) as a datetime."""
    return datetime.fromisoformat(value)


@cache
def _filter_times(revision: int) -> dict[str, datetime]:
    """responseId → the instant the timestamp filter compares (see the module's docstring)."""
    revision_1 = {r["responseId"]: r for r in practice.form_responses(1)}
    times = {rid: instant(r["lastSubmittedTime"]) for rid, r in revision_1.items()}
    if revision == 2:
        submitted = max(times.values()) + timedelta(hours=1)
        for record in practice.form_responses(2):
            if record != revision_1.get(record["responseId"]):
                times[record["responseId"]] = submitted
    return times


def revision_2_submitted() -> datetime:
    """When the filter sees the responses edited at revision 2 as submitted."""
    return max(_filter_times(2).values())


def renamed_form(form: dict[str, Any], renamed: dict[str, str]) -> dict[str, Any]:
    """``form`` with the titles of the questions in ``renamed`` (question id → title) changed:
    a grid row's ``rowQuestion.title``, a single question's item ``title``."""
    form = copy.deepcopy(form)
    for item in form.get("items", []):
        question = item.get("questionItem", {}).get("question", {})
        if question.get("questionId") in renamed:
            item["title"] = renamed[question["questionId"]]
        for row in item.get("questionGroupItem", {}).get("questions", []):
            if row.get("questionId") in renamed:
                row["rowQuestion"]["title"] = renamed[row["questionId"]]
    return form


class FormsApi(GoogleOAuth):
    """Forms' routes; ``revision`` is set by the composed server."""

    revision: int

    def _init_forms(self) -> None:
        self.renamed_questions: dict[str, str] = {}
        self.extra_responses: dict[str, list[dict[str, Any]]] = {}
        self.route("GET", r"/v1/forms/[^/]+", self._form)
        self.route("GET", r"/v1/forms/[^/]+/responses", self._responses)

    def _known_form(self, request: FakeRequest, scope: str) -> str | FakeResponse:
        """The form id, or the refusal."""
        account = self.authorize(request, SERVICE, scope)
        if isinstance(account, FakeResponse):
            return account
        form_id = request.path.split("/")[3]
        if form_id not in practice.form_ids():
            return api_error(404, "NOT_FOUND", "Requested entity was not found.", "notFound")
        if account != PRACTICE_ACCOUNT:
            return api_error(403, "PERMISSION_DENIED", "The caller does not have permission", "forbidden")
        return form_id

    def _form(self, request: FakeRequest) -> FakeResponse:
        form_id = self._known_form(request, FORMS_BODY_SCOPE)
        if isinstance(form_id, FakeResponse):
            return form_id
        return FakeResponse(200, renamed_form(practice.forms(form_id)[0], self.renamed_questions))

    def _responses(self, request: FakeRequest) -> FakeResponse:
        form_id = self._known_form(request, FORMS_RESPONSES_SCOPE)
        if isinstance(form_id, FakeResponse):
            return form_id
        text = request.param("filter") or ""
        times = _filter_times(self.revision)
        times = {
            **times,
            **{r["responseId"]: instant(r["lastSubmittedTime"]) for r in self.extra_responses.get(form_id, [])},
        }
        records = practice.form_responses(self.revision, form_id) + copy.deepcopy(self.extra_responses.get(form_id, []))
        if text:
            match = _FILTER.fullmatch(text)
            try:
                bound = instant(match.group(2)) if match else None
            except ValueError:
                bound = None
            if match is None or bound is None or bound.tzinfo is None:
                return api_error(400, "INVALID_ARGUMENT", "Invalid filter.", "badRequest")
            strict = match.group(1) == ">"
            records = [
                r for r in records if times[r["responseId"]] > bound or (not strict and times[r["responseId"]] == bound)
            ]
        # Google documents no order: answer in one that is not by time.
        records.sort(key=lambda r: hashlib.sha256(r["responseId"].encode()).digest())
        size = int(request.param("pageSize") or 0)
        size = PAGE_MAX if size <= 0 else min(size, PAGE_MAX)
        start = 0
        if request.param("pageToken"):
            key = opaque_key(request.param("pageToken"))
            if not isinstance(key, dict) or key.get("filter") != text or key.get("form") != form_id:
                return api_error(400, "INVALID_ARGUMENT", "Invalid page token.", "badRequest")
            start = int(key["offset"])
        body: dict[str, Any] = {}
        if records[start : start + size]:
            body["responses"] = records[start : start + size]
        if start + size < len(records):
            body["nextPageToken"] = opaque_token({"form": form_id, "filter": text, "offset": start + size})
        return FakeResponse(200, body)
