"""``lorc connect exchange NAME``: verify an app registration's tenant id, client id and
client secret with a token request and one cheap Graph call on the connection's mailbox,
and return them for ``$LORC_HOME/.env``.

Every failure names the fix; no message ever holds the secret.
"""

from __future__ import annotations

from collections.abc import Mapping

from lorc_taps.graph.auth import probe
from lorc_taps.http import ApiError, AuthorizationError
from lorc_taps.microsoft_auth import MicrosoftAuthorizationError
from lorchestra.connect.errors import ConnectError

PORTAL = "Microsoft Entra admin center → App registrations → your app"


class ExchangeConnectError(ConnectError):
    """The credentials or the tenant's set-up do not let the app read the mailbox."""


def connect_exchange(
    name: str,
    mailbox: str,
    *,
    tenant_id: str,
    client_id: str,
    client_secret: str,
    endpoints: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Verify the credentials against the mailbox; return ``{TENANT_ID, CLIENT_ID, CLIENT_SECRET}``.

    ``endpoints`` may override ``api_url``, ``authority_url`` and ``ca_bundle`` (a test
    server); by default the real Microsoft endpoints are used.
    """
    secrets = {"TENANT_ID": tenant_id.strip(), "CLIENT_ID": client_id.strip(), "CLIENT_SECRET": client_secret.strip()}
    if not all(secrets.values()):
        missing = ", ".join(key.lower() for key, value in secrets.items() if not value)
        raise ExchangeConnectError(f"connection {name}: {missing} is empty; copy it from {PORTAL}")
    settings = {
        **(endpoints or {}),
        "mailbox": mailbox,
        "tenant_id": secrets["TENANT_ID"],
        "client_id": secrets["CLIENT_ID"],
        "client_secret": secrets["CLIENT_SECRET"],
    }
    try:
        probe(settings)
    except AuthorizationError as exc:
        raise ExchangeConnectError(_authorization_fix(name, exc)) from None
    except ApiError as exc:
        raise ExchangeConnectError(_mailbox_fix(name, mailbox, exc)) from None
    return secrets


def _authorization_fix(name: str, error: AuthorizationError) -> str:
    return authorization_fix(
        error,
        command=f"lorc connect exchange {name}",
        connection=name,
        consent=f"under {PORTAL} → API permissions, add Microsoft Graph → Application "
        "permissions → Mail.Read and press 'Grant admin consent'",
    )


def authorization_fix(error: AuthorizationError, *, command: str, connection: str, consent: str) -> str:
    """What to do when Microsoft's identity platform refuses an app: by the refusal's kind."""
    refusal = error.refusal if isinstance(error, MicrosoftAuthorizationError) else ""
    again = f"then run `{command}` again"
    fixes = {
        "invalid_client": f"Microsoft refused the client secret: create a new one under {PORTAL} → "
        f"Certificates & secrets (copy its Value, not its ID), {again}",
        "unauthorized_client": f"the client id is not an application of this tenant: copy the Application (client) ID "
        f"from {PORTAL} → Overview, {again}",
        "invalid_tenant": f"the tenant id is not known: copy the Directory (tenant) ID from {PORTAL} → Overview, "
        f"{again}",
        "consent_missing": f"admin consent is missing: {consent}, {again}",
    }
    return f"connection {connection}: " + fixes.get(refusal, f"Microsoft refused the sign-in ({error}); {again}")


def _mailbox_fix(name: str, mailbox: str, error: ApiError) -> str:
    if error.status == 403:
        return (
            f"connection {name}: Graph refused to open {mailbox} (ErrorAccessDenied). Either the Mail.Read "
            f"application permission has no admin consent (grant it under {PORTAL} → API permissions), or an "
            "application access policy does not include this mailbox: add the mailbox to the mail-enabled "
            "security group the policy names (check with Test-ApplicationAccessPolicy in Exchange Online "
            "PowerShell)"
        )
    if error.status == 404:
        return (
            f"connection {name}: the tenant has no mailbox {mailbox} ({error.code or 'not found'}); "
            "check the connection's mailbox in config.yaml"
        )
    return (
        f"connection {name}: Graph answered {error} while opening {mailbox}; check the network and try "
        f"`lorc connect exchange {name}` again"
    )
