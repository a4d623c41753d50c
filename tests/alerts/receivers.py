"""Real receivers on loopback for the channel tests: an SMTP server (aiosmtpd) with optional
STARTTLS, implicit TLS and AUTH; a webhook receiver (http.server); a self-signed certificate
for 127.0.0.1 made with ``cryptography``."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SMTP_USER = "spsync"
SMTP_PASSWORD = "geheim-wachtwoord-42"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_cert(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost; returns (cert.pem, key.pem)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "spsync test mail server")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Inbox:
    """aiosmtpd handler that keeps every accepted message."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.logins: list[str] = []
        self.refuse: set[str] = set()  # recipient addresses answered with 550

    async def handle_RCPT(self, server: Any, session: Any, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 2.0.0 OK: queued"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        ok = (getattr(auth_data, "login", b"") == SMTP_USER.encode()
              and getattr(auth_data, "password", b"") == SMTP_PASSWORD.encode())
        if ok:
            self.logins.append(mechanism)
        return AuthResult(success=ok, handled=False)  # False: aiosmtpd answers 535 itself


@contextmanager
def smtp_server(mode: str = "none", cert: tuple[Path, Path] | None = None,
                auth: bool = False, only_plain: bool = False) -> Iterator[tuple[int, Inbox]]:
    """Serve SMTP on 127.0.0.1 (``mode`` none | starttls | tls); yields (port, inbox).

    ``only_plain`` offers AUTH PLAIN alone: after a failed PLAIN, smtplib retries with AUTH
    LOGIN plus an initial response, which aiosmtpd 1.4 leaves unanswered until the timeout."""
    inbox = Inbox()
    kwargs: dict[str, Any] = {"auth_exclude_mechanism": ["LOGIN"]} if only_plain else {}
    if mode != "none":
        assert cert is not None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*cert)
        if mode == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        else:
            kwargs.update(ssl_context=context)
    if auth:
        # aiosmtpd counts only STARTTLS as TLS and warns about AUTH without it; under implicit
        # TLS the link is encrypted anyway, so AUTH is offered (and Inbox.logins proves its use).
        starttls = mode == "starttls"
        kwargs.update(authenticator=inbox.authenticate, auth_required=starttls,
                      auth_require_tls=starttls)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


@dataclass
class Hooked:
    """What the webhook receiver saw, and what it answers next."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 202
    headers: dict[str, str] = field(default_factory=dict)


@contextmanager
def webhook_receiver() -> Iterator[tuple[int, Hooked]]:
    """A Workflows-like webhook on 127.0.0.1: records each POST (path, headers, JSON body)."""
    hooked = Hooked()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            hooked.requests.append({"path": self.path, "headers": dict(self.headers),
                                    "body": json.loads(body)})
            self.send_response(hooked.status)
            for key, value in hooked.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1]), hooked
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
