"""One HTTP client for every tap: bearer tokens, retries that honour ``Retry-After``,
and errors that never quote a response body (it may hold a message's content).

A 401 refreshes the token once and repeats the request; 429, 5xx and Google's 403 rate
limits (``userRateLimitExceeded``/``rateLimitExceeded``, which Google may send instead of
429) are retried with the server's ``Retry-After`` (capped) or a bounded exponential
backoff; anything else raises :class:`ApiError` with the status, the URL path and the API's
error code only.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

# lorc reads this marker from the tap's log to tell "sign in again" apart from other faults.
AUTH_REFUSED_MARKER = "lorc-taps: authorization refused"
# ... and this one to name the connection setting (form id, tab, table) the user must correct.
SETTING_MARKER = "lorc-taps: setting wrong"
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
# Google's ``error.errors[].reason`` of a 403 that means "too fast", not "forbidden".
RATE_LIMIT_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded"})
# Google's ``error.details[].reason`` (google.rpc.ErrorInfo) that names a 403 better than its status.
DETAIL_REASONS = frozenset({"ACCESS_TOKEN_SCOPE_INSUFFICIENT", "SERVICE_DISABLED"})

logger = logging.getLogger(__name__)


class ApiError(RuntimeError):
    """A request the API answered with an error that retrying will not fix."""

    def __init__(self, status: int, path: str, code: str | None = None) -> None:
        self.status = status
        self.path = path
        self.code = code
        super().__init__(f"HTTP {status} from {path}" + (f" ({code})" if code else ""))


class AuthorizationError(RuntimeError):
    """The token endpoint refused the stored credentials (expired, revoked, wrong secret)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"{AUTH_REFUSED_MARKER}: {reason}")


class SettingError(RuntimeError):
    """A connection setting names something the API does not have or will not show this
    account (a form, a spreadsheet, a tab, a table). The message is one line,
    ``lorc-taps: setting wrong: <setting>: <reason>``; the reason names ids and HTTP
    status/error codes only, never record content."""

    def __init__(self, setting: str, reason: str) -> None:
        self.setting = setting
        self.reason = " ".join(reason.split())
        super().__init__(f"{SETTING_MARKER}: {setting}: {self.reason}")


TokenProvider = Callable[[bool], str]
"""Returns an access token; ``True`` forces a new one (the last one was refused)."""


class ApiClient:
    """A ``requests`` session with bearer auth and bounded, ``Retry-After``-aware retries."""

    def __init__(
        self,
        token_provider: TokenProvider,
        *,
        ca_bundle: str | None = None,
        timeout: float = 60.0,
        max_attempts: int = 6,
        max_wait: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        pool_size: int = 10,
    ) -> None:
        self._token_provider = token_provider
        self._session = verifying_session(ca_bundle)
        # One kept-alive connection per worker thread that shares this client.
        adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=max(1, pool_size))
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._max_wait = max_wait
        self._sleep = sleep

    def get_json(
        self, url: str, *, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = self.request("GET", url, params=params, headers=headers).json()
        return body

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send with retries; return the successful response or raise ``ApiError``."""
        refreshed = False
        for attempt in range(1, self._max_attempts + 1):
            token = self._token_provider(False)
            try:
                response = self._session.request(
                    method,
                    url,
                    params=params,
                    timeout=self._timeout,
                    headers={**(headers or {}), "Authorization": f"Bearer {token}"},
                    **kwargs,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt == self._max_attempts:
                    raise ApiError(0, _path(url), type(exc).__name__) from None
                self._wait(attempt, None, _path(url), type(exc).__name__)
                continue
            if response.status_code == 401 and not refreshed:
                refreshed = True
                self._token_provider(True)
                continue
            if _retried(response) and attempt < self._max_attempts:
                self._wait(attempt, response.headers.get("Retry-After"), _path(url), str(response.status_code))
                continue
            if response.status_code >= 400:
                raise ApiError(response.status_code, _path(url), error_code(response))
            return response
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _wait(self, attempt: int, retry_after: str | None, path: str, why: str) -> None:
        wait_before_retry(attempt, retry_after, path, why, max_wait=self._max_wait, sleep=self._sleep)


def wait_before_retry(
    attempt: int, retry_after: str | None, path: str, why: str, *, max_wait: float, sleep: Callable[[float], None]
) -> None:
    """Sleep before retry ``attempt``: the server's ``Retry-After`` if it sent one, else a
    jittered exponential backoff; never longer than ``max_wait``."""
    seconds = retry_after_seconds(retry_after)
    if seconds is None:
        seconds = min(max_wait, 2 ** (attempt - 1)) * (0.5 + random.random() / 2)
    seconds = min(seconds, max_wait)
    logger.warning("%s from %s: retry %d in %.1f s", why, path, attempt, seconds)
    sleep(seconds)


class _PinnedVerifySession(requests.Session):
    """A session whose CA bundle wins over ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``
    (requests lets those environment variables override ``Session.verify``)."""

    def __init__(self, ca_bundle: str) -> None:
        super().__init__()
        self.verify = ca_bundle

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("verify", self.verify)
        return super().request(method, url, *args, **kwargs)


def verifying_session(ca_bundle: str | None) -> requests.Session:
    """A session that verifies TLS with ``ca_bundle`` when given, else the system's CAs."""
    return _PinnedVerifySession(ca_bundle) if ca_bundle else requests.Session()


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _retried(response: requests.Response) -> bool:
    if response.status_code in RETRIED_STATUSES:
        return True
    return response.status_code == 403 and error_code(response) in RATE_LIMIT_REASONS


def error_code(response: requests.Response) -> str | None:
    """The API's machine-readable error code (Google's rate-limit reason or its ErrorInfo
    reason for a missing scope, else its ``error.status``/``error``; Graph's and
    Dataverse's ``error.code``), never its message text."""
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, str):
        return error[:64]
    if isinstance(error, dict):
        reasons = [item.get("reason") for item in error.get("errors") or [] if isinstance(item, dict)]
        rate_limit = next((reason for reason in reasons if reason in RATE_LIMIT_REASONS), None)
        details = [item.get("reason") for item in error.get("details") or [] if isinstance(item, dict)]
        detail = next((reason for reason in details if reason in DETAIL_REASONS), None)
        code = rate_limit or detail or error.get("status") or error.get("code")
        return str(code)[:64] if code else None
    return None


def _path(url: str) -> str:
    """The URL's path without its query (a query may hold a search for a person's name)."""
    return urlsplit(url).path
