"""Sign-in to a Dataverse environment (client credentials, ``lorc_taps.microsoft_auth``,
scope ``<environment_url>/.default``), its Web API URLs, and :func:`probe`, the check that
``lorc connect dataverse`` and ``lorc doctor`` share with the tap.

The application signs in as an *application user* of the environment: Dataverse needs no
API permission for it, but the user needs a security role that may read contacts and
the session table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from lorc_taps.http import ApiClient, ApiError, SettingError
from lorc_taps.microsoft_auth import ClientCredentials

DEFAULT_API_VERSION = "9.2"
# Dataverse's error codes for a resource or property the environment does not have.
RESOURCE_NOT_FOUND = "0x80060888"
PROPERTY_NOT_FOUND = "0x0"
ENTITY_NOT_IN_METADATA = "0x80041102"


def environment_url(settings: Mapping[str, Any]) -> str:
    return str(settings["environment_url"]).rstrip("/")


def api_url(settings: Mapping[str, Any]) -> str:
    """``<environment_url>/api/data/v<api_version>``."""
    return f"{environment_url(settings)}/api/data/v{settings.get('api_version') or DEFAULT_API_VERSION}"


def dataverse_client(settings: Mapping[str, Any], *, max_attempts: int = 6) -> ApiClient:
    """An API client signed in to the environment (``tenant_id``, ``client_id``,
    ``client_secret``, ``authority_url``, ``ca_bundle`` from ``settings``)."""
    credentials = ClientCredentials(
        settings, f"{environment_url(settings)}/.default", consent="the application in this tenant"
    )
    return ApiClient(credentials.token, ca_bundle=settings.get("ca_bundle") or None, max_attempts=max_attempts)


@dataclass(frozen=True)
class ProbeResult:
    """What the environment said: who the application user is, and the session table's
    entity set (the name its rows are read under)."""

    user_id: str
    organization_id: str
    session_table: str
    session_entity_set: str


def probe(settings: Mapping[str, Any]) -> ProbeResult:
    """Sign in, ``WhoAmI``, and look the session table up in the metadata.

    Raises ``AuthorizationError`` when the credentials are refused, ``ApiError`` when the
    environment refuses the application user (e.g. 403: no application user or no security
    role), ``SettingError("session_table")`` when no table has that logical name and
    ``SettingError("session_entity_set")`` when the table's entity set is another one.
    """
    client = dataverse_client(settings, max_attempts=3)
    base = api_url(settings)
    who = client.get_json(f"{base}/WhoAmI")
    table = str(settings["session_table"])
    try:
        definition = client.get_json(
            f"{base}/EntityDefinitions(LogicalName='{quote(table, safe='')}')",
            params={"$select": "LogicalName,EntitySetName"},
        )
    except ApiError as exc:
        if exc.status != 404:
            raise
        raise SettingError(
            "session_table", f"no table with the logical name '{table}' in the environment (HTTP 404, {exc.code})"
        ) from None
    entity_set = str(definition.get("EntitySetName") or "")
    configured = str(settings.get("session_entity_set") or "")
    if configured and configured != entity_set:
        raise SettingError(
            "session_entity_set", f"the table '{table}' has the entity set '{entity_set}', not '{configured}'"
        )
    return ProbeResult(str(who.get("UserId") or ""), str(who.get("OrganizationId") or ""), table, entity_set)
