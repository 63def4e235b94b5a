"""Access to BigQuery: the credentials a run uses, and what a refusal says about access.

Credentials come through ``google.auth``, so every kind Google issues works: a
service-account key, a user's ``gcloud auth application-default login`` (authorized
user), workload identity federation (external account), an impersonated service account
and, on a Google VM, the metadata server. ``GOOGLE_APPLICATION_CREDENTIALS`` may be set in
the environment or in ``$LORC_HOME/.env`` (which the client library never reads), so the
file it names is loaded here; without it, ``google.auth.default()`` looks in the usual
places. Messages name the variable, the file and what is wrong with its *kind*, never
anything in it.
"""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

import google.auth
from google.api_core import exceptions as gexc
from google.auth import exceptions as auth_exceptions
from google.auth.credentials import AnonymousCredentials, Credentials, with_scopes_if_required

from lorchestra.config import Config
from lorchestra.exceptions import StorageError, StorageRefusedError, StorageUnreachableError

SCOPES = ("https://www.googleapis.com/auth/bigquery",)
VARIABLE = "GOOGLE_APPLICATION_CREDENTIALS"
# The kinds of credentials file google.auth loads that make sense for an unattended run.
FILE_TYPES = (
    "service_account",
    "authorized_user",
    "external_account",
    "external_account_authorized_user",
    "impersonated_service_account",
)
_FIX = (
    f"set {VARIABLE} (environment or $LORC_HOME/.env) to a service-account key, a workload identity "
    "federation config or `gcloud auth application-default login`'s file, or unset it to use "
    "application default credentials"
)


def bigquery_credentials(config: Config) -> Credentials:
    """The credentials a BigQuery client of ``config`` uses: the file named by
    ``GOOGLE_APPLICATION_CREDENTIALS``, else anonymous ones for a local emulator
    (``storage.bigquery.api_endpoint``), else ``google.auth.default()``."""
    path = config.secrets.get(VARIABLE)
    if path:
        return credentials_from_file(path)
    if config.section("storage", "bigquery").get("api_endpoint"):
        return AnonymousCredentials()  # a local emulator checks none
    try:
        found, _project = google.auth.default(scopes=SCOPES)
    except auth_exceptions.GoogleAuthError:
        raise StorageError(
            f"no Google credentials found for BigQuery: {_FIX}, or run on a Google VM with a service account"
        ) from None
    return found


def credentials_from_file(path: str) -> Credentials:
    """Load a credentials file of a supported kind, scoped to BigQuery; one clear
    :class:`StorageError` otherwise (what is wrong with the file, never its content)."""
    kind = _file_kind(path)
    try:
        with warnings.catch_warnings():
            # google.auth warns that a credentials file from an outside party must be checked
            # first: this one is the operator's own, named in their environment, and its kind
            # has just been checked against FILE_TYPES.
            warnings.simplefilter("ignore", DeprecationWarning)
            # Unscoped at load: with scopes, google.auth would ask Cloud Resource Manager for a
            # workload identity pool's project (a network call, and a permission) that the
            # config already names.
            found, _project = google.auth.load_credentials_from_file(path)
    except (auth_exceptions.GoogleAuthError, OSError, ValueError, KeyError, TypeError):
        raise StorageError(
            f"{VARIABLE} names {path}, a {kind} credentials file that google.auth cannot load "
            f"(a field is missing or malformed): download or generate it again; {_FIX}"
        ) from None
    scoped: Credentials = with_scopes_if_required(found, SCOPES)
    return scoped


def _file_kind(path: str) -> str:
    """The ``type`` of a credentials file, checked: readable, JSON, a supported kind."""
    try:
        with open(path, encoding="utf-8") as handle:
            info: Any = json.load(handle)
    except OSError as exc:
        raise StorageError(f"{VARIABLE} names {path}, which cannot be read ({type(exc).__name__}); {_FIX}") from None
    except ValueError:
        raise StorageError(f"{VARIABLE} names {path}, which is not a JSON credentials file; {_FIX}") from None
    kind = info.get("type") if isinstance(info, dict) else None
    if kind in FILE_TYPES:
        return str(kind)
    named = f"type {kind!r}" if isinstance(kind, str) and re.fullmatch(r"[a-z_]{1,40}", kind) else "no known type"
    raise StorageError(
        f"{VARIABLE} names {path}, a credentials file of {named}; supported: {', '.join(FILE_TYPES)}; {_FIX}"
    )


def token_failure(exc: auth_exceptions.GoogleAuthError) -> StorageError:
    """What failed when the credentials were exchanged for an access token, as one line
    (google.auth's own message may quote the token endpoint's answer)."""
    if isinstance(exc, auth_exceptions.TransportError):
        return StorageUnreachableError(
            f"the Google token endpoint is unreachable ({type(exc).__name__}); check the network, then run again"
        )
    return StorageRefusedError(
        f"Google refused the credentials when asked for an access token ({type(exc).__name__}): "
        f"they may be revoked or expired; {_FIX}",
        status=401,
    )


def names_billing(exc: gexc.GoogleAPICallError) -> bool:
    """Whether a refusal is about billing: reason ``billingNotEnabled``, or an ``accessDenied``
    whose message names billing (a project whose billing account is closed). Only this yes
    or no is kept of the message."""
    errors = [e for e in exc.errors or [] if isinstance(e, dict)]
    if any(e.get("reason") == "billingNotEnabled" for e in errors):
        return True
    texts = [str(exc.message or "")] + [str(e.get("message") or "") for e in errors]
    return exc.code == 403 and any("billing" in text.lower() for text in texts)
