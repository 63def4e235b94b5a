"""A fake Google: the OAuth endpoints and the Gmail API's users.getProfile, messages.list,
messages.get and history.list, speaking the real wire protocol on loopback.

Stateless between instances: refresh tokens and page tokens are derived from the request
alone, so a server started later with the same arguments accepts what an earlier one
handed out (lorc starts a new server for every run; bookmarks outlive it). Knobs for
tests: ``revoked`` mailboxes (``invalid_grant``), ``access_token_ttl`` shorter than the
advertised ``expires_in`` (a 401 on a token the client thinks valid), ``expire_history``
(404 for older start ids), ``quota_units_per_second`` (429 with ``Retry-After``),
``malformed`` and ``deleted`` messages, ``unsorted_listing`` (``messages.list`` only roughly
newest first: Google does not document its order), ``expire_page_tokens`` (400 for any
``messages.list`` page token), plus the base server's faults and latency.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import deque
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from sample_taps import mailboxes

from ingestor.fake_apis.gmail_mailbox import Entry, Mailbox, QueryError, matcher
from ingestor.fake_apis.server import FakeApiServer, FakeRequest, FakeResponse

SCOPE = "https://www.googleapis.com/auth/gmail.readonly"
CLIENT_ID = "lorc-fake-client.apps.googleusercontent.com"
CLIENT_SECRET = "lorc-fake-client-secret"
# Refresh tokens must survive the server (they live in $LORC_HOME/.env), so they are signed
# with a fixed key: this is a fake, and the key guards nothing.
_REFRESH_KEY = b"lorc fake google refresh tokens"
# Google's per-method quota units (Gmail API "Usage limits").
COSTS = {"profile": 1, "list": 5, "get": 5, "history": 2}
PAGE_DEFAULT, PAGE_MAX = 100, 500
HIDDEN_LABELS = frozenset({"SPAM", "TRASH"})
# With ``unsorted_listing``, messages.list shuffles each run of this many messages.
UNSORTED_BLOCK = 10


def api_error(code: int, status: str, message: str, reason: str) -> FakeResponse:
    """Google's JSON error body for its REST APIs."""
    return FakeResponse(code, {"error": {"code": code, "message": message, "status": status,
                                         "errors": [{"message": message, "domain": "global", "reason": reason}]}})


def oauth_error(code: int, error: str, description: str) -> FakeResponse:
    """Google's error body for its token endpoint."""
    return FakeResponse(code, {"error": error, "error_description": description})


def refresh_token_for(mailbox: str) -> str:
    encoded = base64.urlsafe_b64encode(mailbox.encode()).decode().rstrip("=")
    signature = hmac.new(_REFRESH_KEY, mailbox.encode(), hashlib.sha256).hexdigest()[:32]
    return f"1//lorc-fake.{encoded}.{signature}"


def _mailbox_of_refresh_token(token: str) -> str | None:
    prefix, _, rest = token.partition(".")
    encoded, _, signature = rest.partition(".")
    if prefix != "1//lorc-fake" or not signature:
        return None
    try:
        mailbox = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return mailbox if hmac.compare_digest(refresh_token_for(mailbox), token) else None


def _page_token(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _page_key(token: str | None) -> Any:
    if not token:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        return None


@cache
def _mailbox(address: str, revision: int, synthetic_range: tuple[int, int] | None) -> Mailbox:
    return Mailbox(address, revision=revision, synthetic_range=synthetic_range)


class FakeGoogle(FakeApiServer):
    def __init__(self, *, revision: int = 1, synthetic: tuple[int, int] | None = None, latency: float = 0.0,
                 log_path: Path | None = None, tls: bool = False) -> None:
        super().__init__(tls=tls, latency=latency, log_path=log_path)
        self.revision = revision
        self.synthetic = synthetic
        self.revoked: set[str] = set()
        self.access_token_ttl = 3600.0
        self.advertised_expires_in = 3599
        self.quota_units_per_second: float | None = None
        self.malformed: dict[str, Any] = {}
        self.deleted: set[str] = set()
        self.unsorted_listing = False
        self.expire_page_tokens = False
        self.consent_mailbox: str | None = None
        self._history_floor: dict[str, int] = {}
        self._spent: dict[str, deque[tuple[float, int]]] = {}
        self._quota_lock = threading.Lock()
        self.route("POST", r"/token", self._token)
        self.route("GET", r"/o/oauth2/auth", self._consent)
        users = r"/gmail/v1/users/(?P<user>[^/]+)"
        self.route("GET", users + r"/profile", self._profile)
        self.route("GET", users + r"/messages", self._list)
        self.route("GET", users + r"/messages/[^/]+", self._get)
        self.route("GET", users + r"/history", self._history)

    # --- the story --------------------------------------------------------------------------
    def mailbox(self, address: str) -> Mailbox | None:
        if self.synthetic is None and address not in mailboxes.known_mailboxes("gmail"):
            return None
        return _mailbox(address, self.revision, self.synthetic)

    def expire_history(self, mailbox: str | None = None) -> None:
        """Forget history before the mailbox's current history id: older start ids get 404."""
        for address in [mailbox] if mailbox else mailboxes.known_mailboxes("gmail"):
            box = self.mailbox(address)
            if box is not None:
                self._history_floor[address] = box.history_id

    # --- settings for a tap ---------------------------------------------------------------------
    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    @property
    def auth_url(self) -> str:
        return f"{self.url}/o/oauth2/auth"

    def tap_settings(self, mailbox: str) -> dict[str, str]:
        settings = {"mailbox": mailbox, "api_url": self.url, "token_url": self.token_url,
                    "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                    "refresh_token": refresh_token_for(mailbox)}
        if self.ca_path is not None:
            settings["ca_bundle"] = str(self.ca_path)
        return settings

    # --- OAuth ----------------------------------------------------------------------------------
    def _token(self, request: FakeRequest) -> FakeResponse:
        form = request.form()
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        basic = request.header("Authorization") or ""
        if basic.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            return oauth_error(401, "invalid_client", "The OAuth client was not found.")
        grant = form.get("grant_type")
        if grant == "refresh_token":
            mailbox = _mailbox_of_refresh_token(form.get("refresh_token", ""))
            if mailbox is None or mailbox in self.revoked or self.mailbox(mailbox) is None:
                return oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
            return FakeResponse(200, self._access_token(mailbox))
        if grant == "authorization_code":
            return self._exchange_code(form)
        return oauth_error(400, "unsupported_grant_type", "Invalid grant_type: " + str(grant))

    def _access_token(self, mailbox: str) -> dict[str, Any]:
        return {"access_token": self.issue_token(mailbox, self.access_token_ttl),
                "expires_in": self.advertised_expires_in, "scope": SCOPE, "token_type": "Bearer"}

    def _consent(self, request: FakeRequest) -> FakeResponse:
        """The consent screen, already agreed to: redirect at once with a code."""
        redirect_uri = request.param("redirect_uri") or ""
        if request.param("client_id") != CLIENT_ID:
            return FakeResponse(401, b"Error 401: invalid_client", {"Content-Type": "text/html"})
        if urlsplit(redirect_uri).hostname not in ("localhost", "127.0.0.1") or request.param("response_type") != "code":
            return FakeResponse(400, b"Error 400: invalid_request", {"Content-Type": "text/html"})
        if request.param("scope") != SCOPE:
            return FakeResponse(400, b"Error 400: invalid_scope", {"Content-Type": "text/html"})
        mailbox = request.param("login_hint") or self.consent_mailbox or mailboxes.known_mailboxes("gmail")[0]
        code = self.issue_token(json.dumps({
            "mailbox": mailbox, "redirect_uri": redirect_uri, "challenge": request.param("code_challenge"),
            "offline": request.param("access_type") == "offline"}), ttl=600)
        query = urlencode({"state": request.param("state") or "", "code": code, "scope": SCOPE})
        return FakeResponse(302, None, {"Location": f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}"})

    def _exchange_code(self, form: dict[str, str]) -> FakeResponse:
        subject = self.verify_token(form.get("code", ""))
        grant = json.loads(subject) if subject else None
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return oauth_error(400, "invalid_grant", "Malformed auth code.")
        if grant["challenge"]:
            verifier = form.get("code_verifier", "").encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).decode().rstrip("=")
            if not hmac.compare_digest(digest, grant["challenge"]):
                return oauth_error(400, "invalid_grant", "Invalid code verifier.")
        body = self._access_token(grant["mailbox"])
        if grant["offline"]:
            body["refresh_token"] = refresh_token_for(grant["mailbox"])
        return FakeResponse(200, body)

    # --- the Gmail API ------------------------------------------------------------------------
    def _authorize(self, request: FakeRequest, method: str) -> tuple[Mailbox | None, FakeResponse | None]:
        subject = self.token_subject(request)
        if subject is None:
            return None, api_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.",
                                   "authError")
        user = request.path.split("/")[4]
        if user not in ("me", subject):
            return None, api_error(403, "PERMISSION_DENIED", "Delegation denied.", "forbidden")
        if not self._within_quota(subject, COSTS[method]):
            response = api_error(429, "RESOURCE_EXHAUSTED", "User-rate limit exceeded.", "rateLimitExceeded")
            response.headers["Retry-After"] = "1"
            return None, response
        return self.mailbox(subject), None

    def _within_quota(self, user: str, units: int) -> bool:
        if self.quota_units_per_second is None:
            return True
        now = time.monotonic()
        with self._quota_lock:
            spent = self._spent.setdefault(user, deque())
            while spent and spent[0][0] <= now - 1.0:
                spent.popleft()
            if sum(cost for _, cost in spent) + units > self.quota_units_per_second:
                return False
            spent.append((now, units))
            return True

    def _profile(self, request: FakeRequest) -> FakeResponse:
        box, refused = self._authorize(request, "profile")
        if refused:
            return refused
        return FakeResponse(200, {"emailAddress": box.address, "messagesTotal": len(box.entries),
                                  "threadsTotal": len({entry.thread_id for entry in box.entries}),
                                  "historyId": str(box.history_id)})

    def _list(self, request: FakeRequest) -> FakeResponse:
        box, refused = self._authorize(request, "list")
        if refused:
            return refused
        try:
            after, before = matcher(request.param("q") or "")
        except QueryError:
            return api_error(400, "INVALID_ARGUMENT", "Invalid query.", "invalidArgument")
        hide = request.param("includeSpamTrash", "false") != "true"
        size = min(PAGE_MAX, int(request.param("maxResults") or PAGE_DEFAULT))
        matching = [entry for entry in box.entries
                    if (after is None or entry.internal_ms >= after) and (before is None or entry.internal_ms < before)
                    and not (hide and HIDDEN_LABELS.intersection(entry.labels))]
        if self.unsorted_listing:
            matching = _shuffled_in_blocks(matching)
        start = 0
        if (key := _page_key(request.param("pageToken"))) is not None:
            if self.expire_page_tokens:
                return api_error(400, "INVALID_ARGUMENT", "Invalid pageToken.", "invalidArgument")
            start = _listing_position(matching, key)
        page = matching[start:start + size]
        body: dict[str, Any] = {"resultSizeEstimate": len(matching)}
        if page:
            body["messages"] = [{"id": entry.id, "threadId": entry.thread_id} for entry in page]
        if start + size < len(matching):
            last = page[-1]
            body["nextPageToken"] = _page_token(last.id if self.unsorted_listing else [last.internal_ms, last.id])
        return FakeResponse(200, body)

    def _get(self, request: FakeRequest) -> FakeResponse:
        box, refused = self._authorize(request, "get")
        if refused:
            return refused
        message_id = request.path.rsplit("/", 1)[1]
        if message_id in self.malformed:
            return FakeResponse(200, self.malformed[message_id])
        message = None if message_id in self.deleted else box.message(message_id)
        if message is None:
            return api_error(404, "NOT_FOUND", "Requested entity was not found.", "notFound")
        return FakeResponse(200, message)

    def _history(self, request: FakeRequest) -> FakeResponse:
        box, refused = self._authorize(request, "history")
        if refused:
            return refused
        start = request.param("startHistoryId") or ""
        if not start.isdigit():
            return api_error(400, "INVALID_ARGUMENT", "Invalid startHistoryId.", "invalidArgument")
        if int(start) < max(box.oldest_history_id, self._history_floor.get(box.address, 0)):
            return api_error(404, "NOT_FOUND", "Requested entity was not found.", "notFound")
        types = request.query.get("historyTypes") or ["messageAdded", "messageDeleted", "labelAdded", "labelRemoved"]
        fields = {"messageAdded": "messagesAdded", "labelAdded": "labelsAdded", "labelRemoved": "labelsRemoved"}
        wanted = [fields[kind] for kind in types if kind in fields]
        after = _page_key(request.param("pageToken")) or int(start)
        records = []
        for event in box.history:
            if int(event["id"]) <= after:
                continue
            record = {"id": event["id"], "messages": event["messages"]}
            record.update({field: event[field] for field in wanted if event[field]})
            if len(record) > 2:
                records.append(record)
        size = min(PAGE_MAX, int(request.param("maxResults") or PAGE_DEFAULT))
        body: dict[str, Any] = {"historyId": str(box.history_id)}
        if records:
            body["history"] = records[:size]
        if len(records) > size:
            body["nextPageToken"] = _page_token(int(records[size - 1]["id"]))
        return FakeResponse(200, body)


def _shuffled_in_blocks(entries: list[Entry]) -> list[Entry]:
    """Newest first by block, each block in a fixed order of its own (by a hash of the id)."""
    shuffled: list[Entry] = []
    for start in range(0, len(entries), UNSORTED_BLOCK):
        block = entries[start:start + UNSORTED_BLOCK]
        shuffled += sorted(block, key=lambda entry: hashlib.sha256(entry.id.encode()).digest())
    return shuffled


def _listing_position(matching: list[Entry], key: Any) -> int:
    """Where the page after ``key`` starts: after the entry named by an unsorted listing's
    token (its id), or after the ``[internal_ms, id]`` of a sorted one."""
    if isinstance(key, str):
        return next((i + 1 for i, entry in enumerate(matching) if entry.id == key), len(matching))
    return next((i for i, entry in enumerate(matching) if [entry.internal_ms, entry.id] < key), len(matching))


def fake_google(*, revision: int = 1, synthetic: tuple[int, int] | None = None, latency: float = 0.0,
                log_path: Path | None = None, tls: bool = False) -> FakeGoogle:
    """A fake Google (not started) serving the practice story at ``revision``, or synthetic
    mailboxes of ``first + count`` messages when ``synthetic`` is ``(count, first)``."""
    return FakeGoogle(revision=revision, synthetic=synthetic, latency=latency, log_path=log_path, tls=tls)
