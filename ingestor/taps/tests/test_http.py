"""``lorc_taps.http.ApiClient`` against a fake Google on loopback: which answers it retries."""

from __future__ import annotations

import pytest

from ingestor.fake_apis import Fault
from ingestor.fake_apis.google import api_error, fake_google
from lorc_taps.google_auth import RefreshTokenSource
from lorc_taps.http import ApiClient, ApiError

PROFILE = "/gmail/v1/users/praxis@praxis-weber.example/profile"


def rate_limited(reason: str) -> Fault:
    """Google's 403 for a per-user or per-project rate limit (it may send 403 instead of 429)."""
    return Fault(
        PROFILE, status=403, times=10, body=api_error(403, "PERMISSION_DENIED", "Rate Limit Exceeded", reason).body
    )


@pytest.mark.parametrize("reason", ["userRateLimitExceeded", "rateLimitExceeded"])
def test_a_403_rate_limit_is_retried_and_named_by_its_reason(reason: str) -> None:
    slept: list[float] = []
    with fake_google() as server:
        server.inject(rate_limited(reason))
        client = ApiClient(lambda _force: "a-token", max_attempts=3, sleep=slept.append)
        with pytest.raises(ApiError) as failed:
            client.request("GET", server.url + PROFILE)
    assert (failed.value.status, failed.value.code) == (403, reason)
    assert [request.status for request in server.requests] == [403, 403, 403]
    assert len(slept) == 2


def test_a_403_that_is_no_rate_limit_is_not_retried() -> None:
    with fake_google() as server:
        server.inject(
            Fault(PROFILE, status=403, body=api_error(403, "PERMISSION_DENIED", "Delegation denied.", "forbidden").body)
        )
        client = ApiClient(lambda _force: "a-token", max_attempts=3, sleep=lambda _seconds: None)
        with pytest.raises(ApiError) as failed:
            client.request("GET", server.url + PROFILE)
    assert (failed.value.status, failed.value.code) == (403, "PERMISSION_DENIED")
    assert len(server.requests) == 1


def test_the_token_endpoint_is_retried_with_the_same_bounded_backoff() -> None:
    slept: list[float] = []
    with fake_google() as server:
        server.inject(Fault(r"^/token$", status=503, retry_after="7", times=1))
        server.inject(Fault(r"^/token$", status=429, retry_after="3600", times=1))
        source = RefreshTokenSource(server.tap_settings("praxis@praxis-weber.example"), sleep=slept.append)
        assert source(False)
    assert slept == [7.0, 30.0], "Retry-After honoured, capped at the token endpoint's bound"
    assert [request.status for request in server.requests] == [503, 429, 200]
