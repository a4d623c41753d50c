"""E-mail over SMTP with the standard library (smtplib): STARTTLS, implicit TLS, or none.

TLS always verifies the server's certificate and host name (``ssl.create_default_context``,
optionally with the private CA in ``ca_file``); STARTTLS that the server does not offer is an
error, never a silent fall-back to plain text. The password is read from its env var or file at
send time and scrubbed from every error message.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Literal

from spsync.alerts.channels.message import build_email
from spsync.alerts.channels.secret import SecretSource, redact
from spsync.alerts.model import Digest, RenderedMessage
from spsync.exceptions import DeliveryError

__all__ = ["DEFAULT_PORTS", "SmtpChannel"]

Security = Literal["starttls", "tls", "none"]
#: The usual port per security mode: submission (587), submissions (465), plain SMTP (25).
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "tls": 465, "none": 25}


class SmtpChannel:
    """Sends each digest as one multipart/alternative message (see :mod:`.message`)."""

    def __init__(self, *, host: str, sender: str, port: int | None = None,
                 security: Security = "starttls", username: str | None = None,
                 password: SecretSource | None = None, ca_file: Path | None = None,
                 timeout: float = 30.0, name: str = "smtp",
                 clock: Callable[[], datetime] | None = None) -> None:
        self.name = name
        self.host = host
        self.port = port or DEFAULT_PORTS[security]
        self.security = security
        self.sender = sender
        self.username = username
        self._password = password
        self.ca_file = ca_file
        self.timeout = timeout
        self._clock = clock

    def _tls_context(self) -> ssl.SSLContext:
        try:
            return ssl.create_default_context(
                cafile=str(self.ca_file) if self.ca_file else None)
        except (OSError, ssl.SSLError) as exc:
            raise DeliveryError(f"CA-bestand {self.ca_file} voor de SMTP-server kan niet worden "
                                f"gelezen ({type(exc).__name__}).", channel=self.name) from None

    def _where(self) -> str:
        return f"SMTP-server {self.host}:{self.port}"

    def send(self, digest: Digest, message: RenderedMessage) -> str:
        """Deliver one digest; returns its Message-ID header. Raises DeliveryError."""
        msg = build_email(digest, message, sender=self.sender,
                          now=self._clock() if self._clock else None, channel=self.name)
        password = None
        if self.username:
            if self._password is None:
                raise DeliveryError(f"Voor SMTP-gebruiker {self.username} is geen wachtwoord "
                                    "ingesteld.", channel=self.name)
            password = self._password.read()
        context = self._tls_context() if self.security != "none" else None
        try:
            if self.security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port,
                                                        timeout=self.timeout, context=context)
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                client.ehlo()
                if self.security == "starttls":
                    client.starttls(context=context)
                    client.ehlo()
                if self.username and password is not None:
                    client.login(self.username, password)
                refused = client.send_message(msg)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"De {self._where()} weigert de aanmelding van gebruiker "
                                f"{self.username} (code {exc.smtp_code}); controleer "
                                "gebruikersnaam en wachtwoord.", channel=self.name) from None
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError(f"De {self._where()} biedt geen STARTTLS of AUTH aan; er is "
                                "niets onversleuteld verstuurd.", channel=self.name) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = ", ".join(f"{addr}: {code}" for addr, (code, _) in exc.recipients.items())
            raise DeliveryError(f"De {self._where()} weigert de ontvanger ({codes}).",
                                channel=self.name) from None
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode("utf-8", "replace") if isinstance(
                exc.smtp_error, bytes) else str(exc.smtp_error)
            raise DeliveryError(redact(f"De {self._where()} antwoordt met fout {exc.smtp_code}: "
                                       f"{text[:200]}", password),
                                channel=self.name, smtp_code=exc.smtp_code) from None
        except ssl.SSLCertVerificationError as exc:
            raise DeliveryError(f"Het certificaat van de {self._where()} is niet te vertrouwen "
                                f"({exc.verify_message}); stel zo nodig ca_file in.",
                                channel=self.name) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(redact(f"De {self._where()} is niet bereikbaar of verbrak de "
                                       f"verbinding ({type(exc).__name__}: {str(exc)[:200]}).",
                                       password), channel=self.name) from None
        if refused:
            raise DeliveryError(f"De {self._where()} weigert ontvanger(s) "
                                f"{', '.join(sorted(refused))}.", channel=self.name)
        return str(msg["Message-ID"])
