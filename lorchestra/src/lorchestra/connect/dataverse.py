"""``lorc connect dataverse NAME``: verify an app registration's credentials against the
connection's Dataverse environment — a token for ``<environment>/.default``, ``WhoAmI`` as
the application user, and the session table looked up by its logical name — and return
them for ``$LORC_HOME/.env``.

Every failure names the fix; no message ever holds the secret.
"""

from __future__ import annotations

from collections.abc import Mapping

from lorc_taps.dataverse.client import ProbeResult, probe
from lorc_taps.http import ApiError, AuthorizationError, SettingError
from lorchestra.connect.errors import ConnectError
from lorchestra.connect.exchange import PORTAL, authorization_fix
from lorchestra.connections import Connection

ADMIN_CENTER = "Power Platform admin center → Environments → your environment → Settings → Users + permissions"


class DataverseConnectError(ConnectError):
    """The credentials, the application user or the session table setting do not work."""


def connect_dataverse(
    connection: Connection, *, tenant_id: str, client_id: str, client_secret: str
) -> tuple[dict[str, str], ProbeResult]:
    """Verify the credentials against the environment; return ``{TENANT_ID, CLIENT_ID,
    CLIENT_SECRET}`` and what the environment said (application user, session table)."""
    secrets = {"TENANT_ID": tenant_id.strip(), "CLIENT_ID": client_id.strip(), "CLIENT_SECRET": client_secret.strip()}
    if not all(secrets.values()):
        missing = ", ".join(key.lower() for key, value in secrets.items() if not value)
        raise DataverseConnectError(f"connection {connection.name}: {missing} is empty; copy it from {PORTAL}")
    return secrets, verify_dataverse(connection, {key.lower(): value for key, value in secrets.items()})


def verify_dataverse(connection: Connection, secrets: Mapping[str, str]) -> ProbeResult:
    """Sign in, ``WhoAmI``, find the session table; raise ``DataverseConnectError`` naming the fix."""
    settings = {**connection.tap_settings(), **secrets}
    name = connection.name
    try:
        return probe(settings)
    except AuthorizationError as exc:
        raise DataverseConnectError(
            authorization_fix(
                exc,
                command=f"lorc connect dataverse {name}",
                connection=name,
                consent=f"add the app as an application user of the environment ({ADMIN_CENTER} → Application users)",
            )
        ) from None
    except SettingError as exc:
        raise DataverseConnectError(
            f"connection {name}: {exc.reason}",
            fix=f"set `{exc.setting}` of connection {name} in config.yaml "
            "(Power Apps → Tables → your session table → Properties → Advanced "
            "options show its logical name and entity set name)",
        ) from None
    except ApiError as exc:
        raise DataverseConnectError(
            f"connection {name}: the environment {connection.source['environment_url']} answered {exc}",
            fix=_environment_fix(exc),
        ) from None


def described(found: ProbeResult) -> str:
    return (
        f"signed in as application user {found.user_id}; session table {found.session_table} "
        f"(entity set {found.session_entity_set}) exists"
    )


def _environment_fix(error: ApiError) -> str:
    if error.status in (401, 403):
        return (
            f"create an application user for the app ({ADMIN_CENTER} → Application users → New app user) and give "
            "it a security role that may read contacts and the session table"
        )
    if error.status == 404:
        return "check the connection's environment_url in config.yaml (Power Platform admin center → Environments → your environment → Environment URL)"
    if error.status == 0:
        return "check the network and the connection's environment_url"
    return "try again later; if it persists, check the Power Platform admin center's service health"
