"""Token providers: a callable that returns ``{"access_token", "token_type", "expires_in"}``.

The gateway only ever sees the callable, so tests use the sandbox token while production uses
spsync's own msal ``ConfidentialClientApplication`` with a certificate. spsync owns that app
(not the client library, which builds a new one per token): one long-lived app per process, a
persistent token cache (0600 file), an authority and instance discovery that can be configured,
and a token renewed ``refresh_margin_s`` before it expires.

The certificate is read and checked when the provider is made, before any network traffic, so
an absent file, a wrong passphrase or a file that is not a certificate is one Dutch sentence
(:class:`~spsync.exceptions.CertificateError`) instead of a failure half-way a run. The client
assertion names the certificate by its SHA-256 thumbprint (x5t#S256, PS256); SHA-1 (x5t, RS256)
is only the fallback. Tokens, keys and passphrases are never logged.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from spsync.config import AuthConfig
from spsync.exceptions import AuthUnavailable, CertificateError, TokenRefused
from spsync.logs import register_secret

__all__ = [
    "TokenProvider",
    "CertificateCredential",
    "CertificateTokenProvider",
    "load_certificate",
    "sandbox_token",
    "certificate_token_provider",
    "token_provider",
    "site_scope",
    "msal_supports_sha256",
]

log = logging.getLogger(__name__)

TokenProvider = Callable[[], dict[str, Any]]

#: Subtracted from ``expires_in`` when no config says otherwise: the client library caches
#: tokens with no safety margin.
EXPIRY_MARGIN_S = 300
#: A certificate that expires within this many days gets a warning in every run.
EXPIRY_WARNING_DAYS = 30
_AADSTS = re.compile(r"AADSTS(\d+)")

#: What the common AADSTS codes mean for the administrator, in Dutch.
_AADSTS_HINTS = {
    "700027": "de handtekening of het certificaat is niet bekend bij de app-registratie",
    "700016": "de app (client_id) bestaat niet in deze tenant",
    "90002": "de tenant (tenant_id) bestaat niet",
    "7000215": "er is een clientgeheim gestuurd waar een certificaat nodig is",
    "7000274": "het certificaat is verlopen of nog niet geldig",
    "700024": "de klok van deze machine loopt af (de assertion valt buiten haar geldigheid)",
    "1002012": "de scope is ongeldig; controleer site.url",
    "500011": "de SharePoint-resource is niet gevonden in de tenant; controleer site.url",
    "50049": "de authority is onbekend of ongeldig; controleer auth.authority",
}


def sandbox_token() -> dict[str, Any]:
    """A fixed bearer token the local sandbox accepts."""
    return {"access_token": "sandbox-token", "token_type": "Bearer", "expires_in": 3600}


def site_scope(site_url: str) -> list[str]:
    """App-only scope of SharePoint: ``<scheme>://<host>/.default`` of the site."""
    parts = urlsplit(site_url)
    return [f"{parts.scheme}://{parts.netloc}/.default"]


def msal_supports_sha256() -> bool:
    """msal >= 1.35 signs a PEM key + certificate with x5t#S256/PS256 (SHA-1 before)."""
    import msal

    try:
        major, minor = (int(p) for p in msal.__version__.split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (1, 35)


@dataclass(frozen=True)
class CertificateCredential:
    """A loaded certificate with its key; ``private_key_pem`` stays in memory only."""

    certificate_pem: str
    private_key_pem: str = field(repr=False)
    sha256: str
    sha1: str
    subject: str
    not_after: datetime

    def msal_credential(self, algorithm: str = "sha256") -> dict[str, str]:
        """msal's ``client_credential``: SHA-256 via ``public_certificate``, SHA-1 via
        ``thumbprint`` (msal treats a given thumbprint as SHA-1)."""
        if algorithm == "sha256" and msal_supports_sha256():
            return {"private_key": self.private_key_pem,
                    "public_certificate": self.certificate_pem}
        return {"private_key": self.private_key_pem, "thumbprint": self.sha1}


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CertificateError(f"{what} {path} bestaat niet.", path=path) from None
    except IsADirectoryError:
        raise CertificateError(f"{what} {path} is een map, geen bestand.", path=path) from None
    except PermissionError:
        raise CertificateError(
            f"{what} {path} is niet leesbaar voor deze gebruiker.", path=path,
            fix=f"Geef de gebruiker waaronder spsync draait leesrecht op {path} "
                "(bijvoorbeeld: chown spsync en chmod 0600).") from None
    except OSError as exc:
        raise CertificateError(f"{what} {path} kan niet worden gelezen: {exc.strerror}.",
                               path=path) from None


_WRONG_PASS = ("Controleer de wachtwoordzin in de omgevingsvariabele uit auth.passphrase_env "
               "(of zet passphrase_env als de sleutel versleuteld is).")


def load_certificate(path: Path, *, pfx: bool, key_path: Path | None = None,
                     passphrase: str | None = None) -> CertificateCredential:
    """Read a PEM (key + certificate, or key in ``key_path``) or PFX file and check it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    secret = passphrase.encode("utf-8") if passphrase else None
    register_secret(passphrase)
    data = _read(path, "Certificaatbestand")
    if pfx:
        try:
            key, cert, _extra = pkcs12.load_key_and_certificates(data, secret)
        except ValueError:
            raise CertificateError(
                f"PFX-bestand {path} kan niet worden geopend: verkeerde wachtwoordzin of geen "
                "PKCS#12-bestand.", path=path, fix=_WRONG_PASS) from None
        if key is None or cert is None:
            raise CertificateError(f"PFX-bestand {path} bevat niet zowel een sleutel als een "
                                   "certificaat.", path=path)
    else:
        key_data = _read(key_path, "Sleutelbestand") if key_path else data
        if b"-----BEGIN" not in data:
            raise CertificateError(f"{path} is geen PEM-bestand (geen '-----BEGIN').",
                                   path=path)
        try:
            cert = x509.load_pem_x509_certificate(data)
        except ValueError:
            raise CertificateError(
                f"{path} bevat geen (leesbaar) certificaat.", path=path,
                fix="Zet het certificaat (-----BEGIN CERTIFICATE-----) in hetzelfde PEM-bestand "
                    "als de sleutel, of gebruik een PFX-bestand.") from None
        try:
            key = serialization.load_pem_private_key(key_data, secret)
        except TypeError:  # encrypted without a passphrase, or a passphrase for a plain key
            raise CertificateError(
                f"De sleutel in {key_path or path} is "
                + ("versleuteld, maar er is geen wachtwoordzin." if not secret
                   else "niet versleuteld, maar er is een wachtwoordzin gegeven."),
                path=path, fix=_WRONG_PASS) from None
        except ValueError:
            raise CertificateError(
                f"De sleutel in {key_path or path} kan niet worden gelezen: verkeerde "
                "wachtwoordzin of geen private key.", path=path, fix=_WRONG_PASS) from None
    public = cert.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    own = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    if public != own:
        raise CertificateError(f"Sleutel en certificaat in {path} horen niet bij elkaar.",
                               path=path, fix="Gebruik de sleutel waarmee dit certificaat is "
                                              "gemaakt (openssl req -key ...).")
    not_after = cert.not_valid_after_utc
    now = datetime.now(UTC)
    if not_after <= now:
        raise CertificateError(
            f"Het certificaat in {path} is verlopen op {not_after:%d-%m-%Y}.", path=path,
            fix="Maak een nieuw certificaat, upload het in Entra ID bij de app-registratie en "
                "zet het op de plek van auth.certificate_path; zie docs/INSTALL.md.")
    if cert.not_valid_before_utc > now:
        raise CertificateError(
            f"Het certificaat in {path} is pas geldig vanaf {cert.not_valid_before_utc:%d-%m-%Y}.",
            path=path, fix="Controleer de klok van deze machine of gebruik een geldig certificaat.")
    if not_after - now < timedelta(days=EXPIRY_WARNING_DAYS):
        log.warning("Het certificaat in %s verloopt op %s: maak op tijd een nieuw en upload het "
                    "in Entra ID.", path, f"{not_after:%d-%m-%Y}")
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode("ascii")
    _register_key_lines(key_pem, key_data if not pfx else b"")
    return CertificateCredential(
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        private_key_pem=key_pem,
        sha256=cert.fingerprint(hashes.SHA256()).hex(),
        sha1=cert.fingerprint(hashes.SHA1()).hex(),  # a name, not a security hash
        subject=cert.subject.rfc4514_string(),
        not_after=not_after,
    )


def _register_key_lines(*pems: str | bytes) -> None:
    """Every line of the key's PEM (as stored and as held in memory) is a secret for the logs."""
    for pem in pems:
        text = pem.decode("ascii", "replace") if isinstance(pem, bytes) else pem
        inside = False
        for line in text.splitlines():
            if "PRIVATE KEY-----" in line:
                inside = "BEGIN" in line
                continue
            if inside and len(line.strip()) >= 16:
                register_secret(line.strip())


def _check_thumbprints(auth: AuthConfig, credential: CertificateCredential) -> None:
    """Warn (Dutch) when a configured thumbprint is not the certificate's own."""
    for configured in (auth.certificate_thumbprint, auth.certificate_thumbprint_sha256):
        if not configured:
            continue
        own, kind = ((credential.sha1, "SHA-1") if len(configured) == 40
                     else (credential.sha256, "SHA-256"))
        if configured != own:
            log.warning(
                "De ingestelde %s-vingerafdruk %s hoort niet bij het certificaat in %s (dat "
                "heeft %s). spsync gebruikt de vingerafdruk van het certificaat zelf; controleer "
                "of dit certificaat in Entra ID is geüpload en pas de instelling aan.",
                kind, configured.upper(), auth.certificate_path, own.upper())


class _AuthSession(requests.Session):
    """msal's HTTP client: spsync's time-out on every request and, when configured, an extra
    CA bundle passed per request (``REQUESTS_CA_BUNDLE`` would otherwise override a
    session-wide ``verify``)."""

    def __init__(self, timeout: float | tuple[float, float], ca_bundle: Path | None) -> None:
        super().__init__()
        self._timeout = timeout
        self._verify: str | bool = str(ca_bundle) if ca_bundle else True

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
                ) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self._timeout)
        if self._verify is not True:
            kwargs["verify"] = self._verify
        return super().request(method, url, *args, **kwargs)


def _token_refused(result: dict[str, Any]) -> TokenRefused:
    error = str(result.get("error") or "onbekend")
    description = str(result.get("error_description") or "")
    match = _AADSTS.search(description)
    code = match.group(1) if match else None
    hint = _AADSTS_HINTS.get(code or "", "")
    first_line = description.splitlines()[0][:160] if description else ""
    message = f"Entra ID weigert het token ({error}" + (f", AADSTS{code}" if code else "") + ")"
    message += f": {hint}." if hint else (f": {first_line}" if first_line else ".")
    return TokenRefused(message, error=error, aadsts=code)


class CertificateTokenProvider:
    """App-only tokens for one site from spsync's own msal app (built on first use: its
    constructor already contacts the authority)."""

    def __init__(self, auth: AuthConfig, site_url: str, *, cache_path: Path | None = None,
                 timeout: float | tuple[float, float] = (10.0, 60.0)) -> None:
        if not (auth.certificate_path and auth.client_id and auth.tenant_id):
            raise CertificateError("Voor mode = \"certificate\" zijn tenant_id, client_id en "
                                   "certificate_path nodig.")
        passphrase = None
        if auth.passphrase_env:
            passphrase = os.environ.get(auth.passphrase_env)
            if passphrase is None:
                raise CertificateError(
                    f"De omgevingsvariabele {auth.passphrase_env} (auth.passphrase_env) is niet "
                    "gezet.", fix=f"Zet {auth.passphrase_env} in de omgeving van spsync (bij "
                                  "systemd: EnvironmentFile of LoadCredential), of haal "
                                  "passphrase_env weg als de sleutel niet versleuteld is.")
        self.credential = load_certificate(auth.certificate_path, pfx=auth.is_pfx,
                                           key_path=auth.private_key_path, passphrase=passphrase)
        _check_thumbprints(auth, self.credential)
        self.auth = auth
        self.authority = (auth.authority or
                          f"https://login.microsoftonline.com/{auth.tenant_id}").rstrip("/")
        self.scopes = site_scope(site_url)
        self.cache_path = cache_path
        self.margin = auth.refresh_margin_s
        self._timeout = timeout
        self._app: Any = None
        self._cache: Any = None
        self._lock = threading.Lock()
        self.algorithm = ("sha256" if auth.thumbprint_algorithm == "sha256"
                          and msal_supports_sha256() else "sha1")
        log.debug("Certificaat %s (SHA-256 %s), verloopt %s; assertion met %s.",
                  self.credential.subject, self.credential.sha256,
                  f"{self.credential.not_after:%d-%m-%Y}", self.algorithm.upper())

    # -- cache ---------------------------------------------------------------------------
    def _load_cache(self) -> Any:
        import msal

        cache = msal.SerializableTokenCache()
        if self.cache_path is not None and self.cache_path.exists():
            try:
                cache.deserialize(self.cache_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                log.warning("Tokencache %s is onleesbaar (%s); spsync begint met een lege.",
                            self.cache_path, type(exc).__name__)
        return cache

    def _save_cache(self) -> None:
        if self.cache_path is None or not self._cache.has_state_changed:
            return
        path = self.cache_path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(self._cache.serialize())
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except OSError as exc:  # a cache is an optimisation: say it, keep the token
            log.warning("Tokencache %s kan niet worden opgeslagen: %s.", path, exc.strerror)

    # -- msal ----------------------------------------------------------------------------
    def _application(self) -> Any:
        import msal

        if self._app is None:
            self._cache = self._load_cache()
            try:
                self._app = msal.ConfidentialClientApplication(
                    self.auth.client_id, authority=self.authority,
                    client_credential=self.credential.msal_credential(self.algorithm),
                    token_cache=self._cache,
                    http_client=_AuthSession(self._timeout, self.auth.ca_bundle),
                    instance_discovery=self.auth.instance_discovery,
                    app_name="spsync")
            except requests.RequestException as exc:
                raise self._unreachable(exc) from None
            except ValueError as exc:  # msal: authority discovery answered with an error
                raise TokenRefused(f"Entra ID kent de authority {self.authority} niet: "
                                   f"{str(exc)[:160]}", error="invalid_authority",
                                   fix="Controleer tenant_id en auth.authority.") from None
        return self._app

    def _unreachable(self, exc: BaseException) -> AuthUnavailable:
        host = urlsplit(self.authority).netloc
        kind = "time-out" if isinstance(exc, requests.Timeout) else (
            "TLS-certificaat niet vertrouwd" if isinstance(exc, requests.exceptions.SSLError)
            else "geen verbinding")
        return AuthUnavailable(f"Entra ID ({host}) is niet bereikbaar: {kind}.", host=host)

    def _acquire(self) -> dict[str, Any]:
        app = self._application()
        try:
            result = app.acquire_token_for_client(scopes=self.scopes)
        except requests.RequestException as exc:
            raise self._unreachable(exc) from None
        if "access_token" not in result:
            raise _token_refused(result)
        return result

    def _drop_cached(self) -> None:
        """Forget the cached access token so msal asks Entra ID for a new one."""
        cache = self._cache
        for entry in list(cache.search(cache.CredentialType.ACCESS_TOKEN, target=self.scopes,
                                       query={"client_id": self.auth.client_id})):
            cache.remove_at(entry)

    def __call__(self) -> dict[str, Any]:
        with self._lock:
            result = self._acquire()
            expires = int(result.get("expires_in", 3600))
            if result.get("token_source") == "cache" and expires <= self.margin:
                # Refresh before expiry: msal would hand out this token until 5 min before.
                self._drop_cached()
                result = self._acquire()
                expires = int(result.get("expires_in", 3600))
            register_secret(result["access_token"], rolling=True)
            self._save_cache()
            log.debug("Token voor %s uit %s, nog %d s geldig.", " ".join(self.scopes),
                      result.get("token_source", "?"), expires)
            return {"access_token": result["access_token"], "token_type": "Bearer",
                    "expires_in": max(1, expires - self.margin)}


def certificate_token_provider(auth: AuthConfig, site_url: str, *,
                               cache_path: Path | None = None,
                               timeout: float | tuple[float, float] = (10.0, 60.0)
                               ) -> CertificateTokenProvider:
    """App-only token via spsync's msal ``ConfidentialClientApplication`` with a certificate."""
    return CertificateTokenProvider(auth, site_url, cache_path=cache_path, timeout=timeout)


def token_provider(auth: AuthConfig, site_url: str, *, cache_path: Path | None = None,
                   timeout: float | tuple[float, float] = (10.0, 60.0)) -> TokenProvider:
    """The provider the config asks for (the certificate is loaded and checked here)."""
    if auth.mode == "sandbox":
        return sandbox_token
    return certificate_token_provider(auth, site_url, cache_path=cache_path, timeout=timeout)

