"""The Microsoft identity platform that ``msal`` signs in against, for the fake Microsoft
APIs (Graph mail, Dataverse): OpenID discovery and the client-credentials token endpoint of
one tenant and one application, with AADSTS-style errors.

A fake API server inherits it, names the one scope its tokens are for (``token_scope``)
and checks a request's bearer token with :meth:`MicrosoftIdentity.signed_in`; both read
the OData ``Prefer`` header with :func:`prefer_header`.
"""

from __future__ import annotations

from pathlib import Path

from ingestor.fake_apis.server import FakeApiServer, FakeRequest, FakeResponse


def api_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> FakeResponse:
    """The error body Microsoft's REST APIs (Graph, the Dataverse Web API) send."""
    return FakeResponse(status, {"error": {"code": code, "message": message}}, headers or {})


TENANT_ID = "5b1f2c3d-7e8a-4b9c-a0d1-e2f3a4b5c6d7"
CLIENT_ID = "0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f"
CLIENT_SECRET = "fake-microsoft-client-secret"  # only these fakes accept it


def identity_error(status: int, error: str, code: int, description: str) -> FakeResponse:
    return FakeResponse(
        status, {"error": error, "error_description": f"AADSTS{code}: {description}", "error_codes": [code]}
    )


def prefer_header(request: FakeRequest) -> dict[str, str]:
    """The request's ``Prefer`` preferences by lower-cased name (comma-separated, quotes
    dropped), as both Microsoft APIs read them (``odata.maxpagesize``, ``IdType``, ...)."""
    preferences: dict[str, str] = {}
    for part in (request.header("Prefer") or "").split(","):
        name, _, value = part.strip().partition("=")
        if name:
            preferences[name.strip().lower()] = value.strip().strip('"')
    return preferences


class MicrosoftIdentity(FakeApiServer):
    """A TLS fake server that is also its tenant's identity platform (``msal`` accepts only
    ``https`` authorities).

    Knobs for tests: ``client_secret`` (what the token endpoint accepts), ``consent_granted``
    (False: ``invalid_grant`` AADSTS65001), ``token_ttl`` (how long issued tokens really
    live, while ``expires_in`` says an hour: the API answers 401 on expiry).
    """

    def __init__(self, *, latency: float = 0.0, log_path: Path | None = None, token_ttl: float = 3600.0) -> None:
        super().__init__(tls=True, latency=latency, log_path=log_path)
        self.client_secret = CLIENT_SECRET
        self.consent_granted = True
        self.token_ttl = token_ttl
        self.route("GET", r"/[^/]+/v2\.0/\.well-known/openid-configuration", self._openid_configuration)
        self.route("POST", r"/[^/]+/oauth2/v2\.0/token", self._token)

    @property
    def token_scope(self) -> str:
        """The one scope the token endpoint grants (the API's ``<resource>/.default``)."""
        raise NotImplementedError

    def signed_in(self, request: FakeRequest) -> bool:
        """Whether the request carries a genuine, unexpired token of the application."""
        return self.token_subject(request) == CLIENT_ID

    def _openid_configuration(self, request: FakeRequest) -> FakeResponse:
        tenant = request.path.split("/")[1]
        if tenant != TENANT_ID:
            return identity_error(400, "invalid_tenant", 90002, "Tenant not found.")
        base = f"{self.url}/{tenant}"
        return FakeResponse(
            200,
            {
                "issuer": f"{self.url}/{tenant}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "private_key_jwt",
                    "client_secret_basic",
                ],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "tenant_region_scope": "EU",
            },
        )

    def _token(self, request: FakeRequest) -> FakeResponse:
        form = request.form()
        if request.path.split("/")[1] != TENANT_ID:
            return identity_error(400, "invalid_request", 90002, "Tenant not found.")
        if form.get("grant_type") != "client_credentials":
            return identity_error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
        if form.get("client_id") != CLIENT_ID:
            return identity_error(400, "unauthorized_client", 700016, "Application was not found in the directory.")
        if form.get("client_secret") != self.client_secret:
            return identity_error(401, "invalid_client", 7000215, "Invalid client secret provided.")
        if form.get("scope") != self.token_scope:
            return identity_error(400, "invalid_scope", 1002012, "The provided value for scope is not valid.")
        if not self.consent_granted:
            return identity_error(
                400, "invalid_grant", 65001, "The user or administrator has not consented to use the application."
            )
        return FakeResponse(
            200,
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": self.issue_token(CLIENT_ID, self.token_ttl),
            },
        )
