"""Which BigQuery failures are worth retrying, and the bounded backoff for them.

HTTP 429 and 5xx answers and dropped connections are transient; any other 4xx is a
mistake in the request and fails at once. A transaction aborted by a concurrent update of
its tables (400 ``invalidQuery``, recognised by its message alone) wrote nothing and is
worth submitting again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

import requests
from google.api_core import exceptions as gexc
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

T = TypeVar("T")

_TRANSIENT = (
    gexc.TooManyRequests,
    gexc.InternalServerError,
    gexc.BadGateway,
    gexc.ServiceUnavailable,
    gexc.GatewayTimeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    ConnectionError,
)


# "Could not serialize access to table ... due to concurrent update", "Transaction is aborted
# due to concurrent update against table ...": matched here, never repeated (they quote names).
_CONFLICT = re.compile(r"could not serialize access|aborted due to concurrent update", re.IGNORECASE)


def is_conflict(reason: str, messages: Iterable[str]) -> bool:
    """A serialization conflict: ``invalidQuery`` with one of BigQuery's concurrent-update messages."""
    return reason == "invalidQuery" and any(_CONFLICT.search(m) for m in messages)


# Reasons of a failed job (or an error answer) that a later attempt may not meet.
RETRIABLE_REASONS = frozenset({"backendError", "internalError", "rateLimitExceeded", "jobRateLimitExceeded"})


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, _TRANSIENT):
        return True
    # A job can fail with a retriable reason inside an otherwise 4xx-looking answer.
    errors = getattr(exc, "errors", None) or []
    return any(isinstance(e, dict) and e.get("reason") in RETRIABLE_REASONS for e in errors)


def call_with_retry(
    func: Callable[[], T],
    *,
    attempts: int = 5,
    max_wait: float = 8.0,
    retry_on: Callable[[BaseException], bool] = is_transient,
) -> T:
    retrying = Retrying(
        retry=retry_if_exception(retry_on),
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=0.25, max=max_wait),
        reraise=True,
    )
    return retrying(func)
