"""Token providers: a callable that returns ``{"access_token", "token_type", "expires_in"}``.

The gateway only ever sees the callable, so tests use the sandbox token while production uses an
MSAL confidential client with a certificate (one long-lived app: MSAL caches and refreshes the
token itself). Tokens and key material are never logged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from spsync.config import AuthConfig

__all__ = ["TokenProvider", "sandbox_token", "certificate_token_provider", "token_provider"]

TokenProvider = Callable[[], dict[str, Any]]

#: Subtracted from ``expires_in``: the client library caches tokens with no safety margin.
EXPIRY_MARGIN_S = 300


def sandbox_token() -> dict[str, Any]:
    """A fixed bearer token the local sandbox accepts."""
    return {"access_token": "sandbox-token", "token_type": "Bearer", "expires_in": 3600}


def certificate_token_provider(auth: AuthConfig, site_url: str) -> TokenProvider:
    """App-only token via an MSAL ``ConfidentialClientApplication`` with a certificate."""
    import os

    import msal

    assert auth.certificate_path and auth.client_id and auth.tenant_id
    credential: dict[str, Any] = {
        "private_key": auth.certificate_path.read_text(encoding="utf-8"),
        "thumbprint": auth.certificate_thumbprint,
    }
    if auth.passphrase_env:
        credential["passphrase"] = os.environ.get(auth.passphrase_env, "")
    authority = auth.authority or f"https://login.microsoftonline.com/{auth.tenant_id}"
    app = msal.ConfidentialClientApplication(
        auth.client_id, authority=authority, client_credential=credential)
    parts = urlsplit(site_url)
    scopes = [f"{parts.scheme}://{parts.netloc}/.default"]

    def _token() -> dict[str, Any]:
        result = app.acquire_token_for_client(scopes=scopes)
        if "access_token" not in result:
            # The error text from Entra ID names the problem; it contains no secret.
            raise PermissionError(f"Geen token gekregen: {result.get('error')}: "
                                  f"{result.get('error_description', '')[:200]}")
        expires = max(60, int(result.get("expires_in", 3600)) - EXPIRY_MARGIN_S)
        return {"access_token": result["access_token"], "token_type": "Bearer",
                "expires_in": expires}

    return _token


def token_provider(auth: AuthConfig, site_url: str) -> TokenProvider:
    """The provider the config asks for."""
    if auth.mode == "sandbox":
        return sandbox_token
    return certificate_token_provider(auth, site_url)
