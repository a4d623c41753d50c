"""spsync's exception tree. Callers catch categories; context travels as keyword attributes.

Every class carries the two things the command line shows an administrator: ``exit_code`` and
``fix`` (Dutch: what to do about it). ``spsync.cli.app`` maps them in one place; see
``docs/ERRORS.md`` for the table.

    SpsyncError                   exit 70: a bug; ``--debug`` shows the traceback
    ├── UserError                 exit 2: a message for a person, printed without a traceback
    │   └── ConfigError           the config file is wrong; carries ``problems``
    ├── AuthError                 exit 3: signing in with the certificate failed
    │   ├── CertificateError      the certificate/key file is absent, unreadable, wrong passphrase
    │   ├── TokenRefused          Entra ID refused the token request (``error``, ``aadsts``)
    │   └── AuthUnavailable       Entra ID could not be reached
    ├── GatewayError              exit 4: talking to SharePoint failed (translated at the gateway)
    │   ├── ListNotFound          404 on a list (``list_title``)
    │   ├── ItemNotFound          404 on an item (``list_title``, ``item_id``)
    │   ├── PreconditionFailed    412: the item changed since it was read (``item_id``)
    │   ├── Throttled             429/503 after the retries (``retry_after``)
    │   ├── GatewayUnavailable    connection refused, timeout, DNS (after the retries)
    │   ├── ChangeTokenExpired    a change token older than the change log (``list_title``)
    │   ├── SiteError             the site answers, but not as a site (404 on the site, 5xx)
    │   └── PermissionDenied      401/403: the token is not accepted for this site
    ├── LocalError                exit 5: something on this machine
    │   ├── LocalIOError          a file or folder cannot be written (disk full, no rights)
    │   ├── PortInUse             the address/port to listen on is taken
    │   ├── ReportError           the report template is broken or the report came out wrong
    │   ├── LockHeld              another spsync holds the lock on the same state
    │   └── StateError            the state store cannot be opened or is inconsistent
    └── DeliveryError             exit 4: an alert channel could not deliver (``channel``)
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CycleDeadline",
    "ConfigError",
    "DeliveryError",
    "AuthError",
    "CertificateError",
    "TokenRefused",
    "AuthUnavailable",
    "SiteError",
    "PermissionDenied",
    "LocalError",
    "LocalIOError",
    "PortInUse",
    "ReportError",
    "LockHeld",
    "StateError",
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "EXIT_UNEXPECTED",
    "ChangeTokenExpired",
]

EXIT_OK = 0
#: The cycle ran to the end, but something could not be written or uploaded (see the summary).
EXIT_PROBLEMS = 1
#: A bug in spsync (an exception that is not an ``SpsyncError``); ``--debug`` shows where.
EXIT_UNEXPECTED = 70


class SpsyncError(Exception):
    """Base of every spsync error; keyword arguments become attributes (vdirsyncer style).

    ``fix`` may be passed per instance to name the fix more precisely than the class does.
    """

    exit_code: int = EXIT_UNEXPECTED
    fix: str = ("Draai opnieuw met --debug ('spsync --debug <opdracht> ...') en geef de uitvoer "
                "aan de beheerder van spsync.")

    def __init__(self, message: str = "", **context: Any) -> None:
        super().__init__(message)
        self.message = message
        for key, value in context.items():
            setattr(self, key, value)


class UserError(SpsyncError):
    """Something a user can fix; the CLI prints ``message`` (Dutch) and no traceback."""

    exit_code = 2
    fix = "Pas de opdracht of de configuratie aan; 'spsync --help' toont de mogelijkheden."


class ConfigError(UserError):
    """The config is invalid. ``problems`` lists one Dutch sentence per problem."""

    fix = "Pas het configuratiebestand aan (voorbeeld: config/spsync.example.toml) en draai opnieuw."

    def __init__(self, message: str, problems: list[str] | None = None, **context: Any) -> None:
        super().__init__(message, problems=list(problems or []), **context)


class GatewayError(SpsyncError):
    """A SharePoint request failed. ``status`` is the HTTP status when there was one."""

    exit_code = 4
    fix = "Controleer site.url en of de site werkt; draai daarna opnieuw."


class ListNotFound(GatewayError):
    """The list (``list_title``) does not exist on the site."""


class ItemNotFound(GatewayError):
    """The item (``list_title``, ``item_id``) does not exist (any more)."""


class PreconditionFailed(GatewayError):
    """HTTP 412: the item changed after it was read; re-read and recompute."""


class Throttled(GatewayError):
    """HTTP 429/503 that outlasted the retries; ``retry_after`` in seconds when given."""

    fix = "SharePoint is druk; probeer het later opnieuw (buiten kantoortijd gaat het sneller)."


class GatewayUnavailable(GatewayError):
    """SharePoint could not be reached (connection refused, timeout)."""

    fix = ("Controleer site.url, de netwerkverbinding en een eventuele proxy; "
           "[http] connect_timeout en max_retries bepalen hoe lang spsync het probeert.")


class DeliveryError(SpsyncError):
    """An alert channel (``channel``) could not deliver a message; the alert stays pending."""

    exit_code = 4
    fix = "Controleer de instellingen van het kanaal; het signaal blijft klaarstaan."


# --- sign-in (exit 3) -------------------------------------------------------------------------

class AuthError(SpsyncError):
    """Signing in to Entra ID with the app's certificate failed."""

    exit_code = 3
    fix = "Controleer [auth] in de configuratie en de app-registratie in Entra ID."


class CertificateError(AuthError):
    """The certificate or key (``path``) cannot be used: absent, unreadable, wrong passphrase,
    not a certificate, expired."""

    fix = ("Zet het certificaat (PEM met sleutel, of PFX) op de plek van auth.certificate_path, "
           "leesbaar voor de gebruiker van spsync; zie docs/INSTALL.md.")


class TokenRefused(AuthError):
    """Entra ID answered the token request with an error (``error``, ``aadsts`` code)."""

    fix = ("Controleer tenant_id en client_id, en of dit certificaat in Entra ID bij de "
           "app-registratie is geüpload (Certificaten en geheimen).")


class AuthUnavailable(AuthError):
    """Entra ID (the authority) could not be reached."""

    fix = ("Controleer de netwerkverbinding naar login.microsoftonline.com (of auth.authority) "
           "en een eventuele proxy; draai daarna opnieuw.")


# --- SharePoint (exit 4) ----------------------------------------------------------------------

class SiteError(GatewayError):
    """The site answers, but not as the configured site (404 on the site itself, 5xx)."""

    fix = "Controleer site.url: open de site in een browser en neem het adres tot en met /sites/<naam> over."


class PermissionDenied(GatewayError):
    """401/403: SharePoint does not accept the token for this site."""

    fix = ("Geef de app toegang tot deze site: Sites.Selected (SharePoint) met toestemming van "
           "een beheerder, en de rol 'write' voor deze site; zie docs/INSTALL.md.")


# --- this machine (exit 5) --------------------------------------------------------------------

class LocalError(SpsyncError):
    """Something on the machine spsync runs on."""

    exit_code = 5
    fix = "Controleer de machine waarop spsync draait (schijfruimte, rechten, poorten)."


class LocalIOError(LocalError):
    """A file or folder (``path``) cannot be read or written: disk full, no rights, not a folder."""

    fix = ("Maak ruimte vrij of kies een map waar de gebruiker van spsync mag schrijven "
           "(report.output_dir of --out).")


class PortInUse(LocalError):
    """The address (``host``, ``port``) to listen on is already taken."""

    fix = "Kies een andere poort (--port, of 0 voor een vrije poort) of stop het andere programma."


class ReportError(LocalError):
    """The report could not be made: a broken template, or the output lost content."""

    fix = ("Herstel het sjabloon (report.template) in Word, of haal de instelling weg om het "
           "standaardsjabloon te gebruiken.")


class LockHeld(LocalError):
    """Another spsync process holds the lock on the same state."""

    fix = "Er draait al een spsync op deze state; stop die eerst of wacht tot hij klaar is."


class StateError(LocalError):
    """The state store cannot be opened or is inconsistent."""

    fix = "Controleer [state] in de configuratie en of het bestand of de database bereikbaar is."


class ChangeTokenExpired(GatewayError):
    """The site no longer has the changes after a stored change token (older than its change
    log, or from another list): read the list (``list_title``) in full."""


class CycleDeadline(GatewayError):
    """The cycle ran past ``[http] cycle_deadline``: stopped before the next request or wait.
    Intents are recorded and writes are idempotent, so the next cycle repairs what is left."""

    fix = ("De volgende cyclus maakt het werk af. Gebeurt dit vaker, verhoog dan "
           "[http] cycle_deadline (0 = geen grens) of kijk waarom SharePoint zo traag is.")
