"""A local stand-in for Entra ID's token endpoint, for tests and the sandbox: HTTPS on loopback.

msal accepts https authorities only, so the endpoint serves TLS with a server certificate from a
throw-away CA (:class:`TestCA`); the client trusts that CA through ``auth.ca_bundle``. It answers
the OpenID discovery msal needs and the client-credentials request, and it checks the client
assertion the way Entra ID does: the JWT's signature with the public key of a registered
certificate found by its ``x5t#S256`` (or SHA-1 ``x5t``) header, ``aud`` = the token endpoint,
``iss`` = ``sub`` = the client id, and ``exp``. Issued tokens can be handed to
``SandboxServer(require_token=endpoint.is_valid)``.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import secrets
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

__all__ = ["TestCA", "AppCertificate", "make_app_certificate", "TokenEndpoint", "TokenRequest"]


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class AppCertificate:
    """An app registration's self-signed certificate and its key, writable in the usual forms."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def sha256(self) -> str:
        return self.cert.fingerprint(hashes.SHA256()).hex()

    @property
    def sha1(self) -> str:
        return self.cert.fingerprint(hashes.SHA1()).hex()  # a name only

    def key_pem(self, passphrase: str | None = None) -> bytes:
        encryption = (serialization.BestAvailableEncryption(passphrase.encode())
                      if passphrase else serialization.NoEncryption())
        return self.key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8, encryption)

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def write_pem(self, path: Path, passphrase: str | None = None) -> Path:
        """Key and certificate in one PEM file (what ``openssl req -x509 ...`` plus ``cat``
        gives)."""
        path.write_bytes(self.key_pem(passphrase) + self.cert_pem())
        return path

    def write_pfx(self, path: Path, passphrase: str | None = None) -> Path:
        encryption = (serialization.BestAvailableEncryption(passphrase.encode())
                      if passphrase else serialization.NoEncryption())
        path.write_bytes(pkcs12.serialize_key_and_certificates(
            b"spsync", self.key, self.cert, None, encryption))
        return path


def make_app_certificate(common_name: str = "spsync", days: int = 730,
                         not_before: datetime | None = None) -> AppCertificate:
    """A self-signed certificate as ``openssl req -x509 -newkey rsa:2048 -sha256`` makes it."""
    key = _key()
    start = not_before or datetime.now(UTC) - timedelta(minutes=5)
    cert = (x509.CertificateBuilder().subject_name(_name(common_name))
            .issuer_name(_name(common_name)).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + timedelta(days=days))
            .sign(key, hashes.SHA256()))
    return AppCertificate(key, cert)


class TestCA:
    """A throw-away certificate authority for loopback TLS servers."""

    __test__ = False  # not a pytest class

    def __init__(self) -> None:
        self.key = _key()
        now = datetime.now(UTC) - timedelta(minutes=5)
        self.cert = (x509.CertificateBuilder().subject_name(_name("spsync test CA"))
                     .issuer_name(_name("spsync test CA")).public_key(self.key.public_key())
                     .serial_number(x509.random_serial_number())
                     .not_valid_before(now).not_valid_after(now + timedelta(days=2))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                     .sign(self.key, hashes.SHA256()))

    def write_ca(self, path: Path) -> Path:
        path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return path

    def server_context(self, directory: Path, host: str = "127.0.0.1") -> ssl.SSLContext:
        """A server-side TLS context with a certificate for ``host`` signed by this CA."""
        key = _key()
        now = datetime.now(UTC) - timedelta(minutes=5)
        cert = (x509.CertificateBuilder().subject_name(_name(host))
                .issuer_name(self.cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now).not_valid_after(now + timedelta(days=2))
                .add_extension(x509.SubjectAlternativeName(
                    [x509.IPAddress(ipaddress.ip_address(host))]), critical=False)
                .sign(self.key, hashes.SHA256()))
        cert_file, key_file = directory / "tls-server.crt", directory / "tls-server.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        return context


@dataclass
class TokenRequest:
    """One token request as the endpoint saw it (the assertion's header and claims)."""

    path: str
    form: dict[str, str]
    header: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)
    status: int = 0
    refusal: str | None = None


class TokenEndpoint:
    """Entra-like ``/<tenant>/oauth2/v2.0/token`` over HTTPS on loopback."""

    def __init__(self, ca: TestCA, directory: Path, *, tenant: str, client_id: str,
                 certificates: list[x509.Certificate], expires_in: int = 3599,
                 host: str = "127.0.0.1") -> None:
        self.tenant = tenant
        self.client_id = client_id
        self.certificates = list(certificates)
        self.expires_in = expires_in
        self.host = host
        self._context = ca.server_context(directory, host)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()
        self.requests: list[TokenRequest] = []
        self.discovery_hits = 0
        self._refusals: list[tuple[int, dict[str, str]]] = []

    # -- lifecycle -----------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._httpd is not None
        return self._httpd.server_address[1]

    @property
    def authority(self) -> str:
        return f"https://{self.host}:{self.port}/{self.tenant}"

    @property
    def token_url(self) -> str:
        return f"{self.authority}/oauth2/v2.0/token"

    def start(self) -> TokenEndpoint:
        endpoint = self

        class Handler(_Handler):
            owner = endpoint

        httpd = ThreadingHTTPServer((self.host, 0), Handler)
        httpd.daemon_threads = True
        httpd.socket = self._context.wrap_socket(httpd.socket, server_side=True)
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever,
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- tokens --------------------------------------------------------------------------
    def is_valid(self, token: str) -> bool:
        """Whether ``token`` was issued here and has not expired (for ``require_token``)."""
        with self._lock:
            expiry = self._tokens.get(token)
        return expiry is not None and expiry > time.time()

    @property
    def issued(self) -> list[str]:
        with self._lock:
            return list(self._tokens)

    def refuse_next(self, error: str = "invalid_client", description: str = "", *,
                    status: int = 401) -> None:
        """Answer the next token request with this OAuth error."""
        self._refusals.append((status, {"error": error, "error_description": description}))

    def _discovery(self) -> dict[str, Any]:
        self.discovery_hits += 1
        return {"token_endpoint": self.token_url,
                "authorization_endpoint": f"{self.authority}/oauth2/v2.0/authorize",
                "issuer": f"{self.authority}/v2.0",
                "token_endpoint_auth_methods_supported": ["private_key_jwt"]}

    def _token(self, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}
        seen = TokenRequest(path, {k: v for k, v in form.items() if k != "client_assertion"})
        self.requests.append(seen)
        status, answer = self._judge(form, seen)
        seen.status = status
        seen.refusal = answer.get("error")
        return status, answer

    def _judge(self, form: dict[str, str], seen: TokenRequest) -> tuple[int, dict[str, Any]]:
        if self._refusals:
            return self._refusals.pop(0)
        if form.get("grant_type") != "client_credentials":
            return 400, _refusal("unsupported_grant_type", "AADSTS70003: grant_type")
        if form.get("client_id") != self.client_id:
            return 400, _refusal("unauthorized_client",
                                 f"AADSTS700016: Application with identifier "
                                 f"'{form.get('client_id')}' was not found in the directory.")
        if form.get("client_assertion_type") != \
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            return 401, _refusal("invalid_client", "AADSTS7000215: Invalid client secret "
                                                   "provided; a certificate is required.")
        assertion = form.get("client_assertion", "")
        try:
            seen.header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            return 401, _refusal("invalid_client", "AADSTS50027: Invalid JWT token.")
        cert = self._registered(seen.header)
        if cert is None:
            return 401, _refusal("invalid_client", "AADSTS700027: Client assertion contains an "
                                 "invalid signature. [Reason - The key was not found.]")
        try:
            seen.claims = jwt.decode(
                assertion, cert.public_key(), algorithms=["PS256", "RS256"],
                audience=self.token_url, issuer=self.client_id,
                options={"require": ["exp", "iss", "sub", "aud"]})
        except jwt.InvalidSignatureError:
            return 401, _refusal("invalid_client", "AADSTS700027: Client assertion contains an "
                                 "invalid signature.")
        except jwt.PyJWTError as exc:
            return 401, _refusal("invalid_client", f"AADSTS700023: {type(exc).__name__}")
        if seen.claims.get("sub") != self.client_id:
            return 401, _refusal("invalid_client", "AADSTS700023: sub is not the client id.")
        if form.get("scope", "").split() and not form["scope"].split()[0].endswith("/.default"):
            return 400, _refusal("invalid_scope", "AADSTS1002012: The provided value for scope "
                                 "is not valid.")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = time.time() + self.expires_in
        return 200, {"token_type": "Bearer", "expires_in": self.expires_in,
                     "ext_expires_in": self.expires_in, "access_token": token}

    def _registered(self, header: dict[str, Any]) -> x509.Certificate | None:
        # base64url with or without padding (msal pads; RFC 7515 says without).
        x5t256 = str(header.get("x5t#S256", "")).rstrip("=")
        x5t = str(header.get("x5t", "")).rstrip("=")
        for cert in self.certificates:
            if x5t256 and x5t256 == _b64url(cert.fingerprint(hashes.SHA256())):
                return cert
            if x5t and x5t == _b64url(cert.fingerprint(hashes.SHA1())):
                return cert
        return None


def _refusal(error: str, description: str) -> dict[str, str]:
    return {"error": error, "error_description": description + "\r\nTrace ID: 0\r\n"
            "Correlation ID: 0\r\nTimestamp: 2026-01-01 00:00:00Z", "error_codes": []}


class _Handler(BaseHTTPRequestHandler):
    owner: TokenEndpoint

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        owner = self.owner
        if self.path.split("?")[0] == f"/{owner.tenant}/v2.0/.well-known/openid-configuration":
            self._send(200, owner._discovery())
        else:
            self._send(404, _refusal("invalid_tenant", "AADSTS90002: Tenant not found."))

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path.split("?")[0]
        if path != f"/{self.owner.tenant}/oauth2/v2.0/token":
            self._send(404, _refusal("invalid_tenant", "AADSTS90002: Tenant not found."))
            return
        status, payload = self.owner._token(path, body)
        self._send(status, payload)
