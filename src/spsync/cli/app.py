"""The ``spsync`` click group and what every command shares: logging, dates, and the one place
where errors become a Dutch line and an exit code.

Exit codes (also in docs/ERRORS.md)::

    0   ok
    1   the cycle ran to the end, but something could not be written or uploaded, or a list or
        column is missing (the summary says what)
    2   configuration or command line: missing/invalid config file, unknown option (ConfigError,
        UserError, click's usage errors)
    3   signing in: certificate absent/unreadable/wrong passphrase/not a certificate, Entra ID
        unreachable or refusing the token (AuthError: CertificateError, AuthUnavailable,
        TokenRefused)
    4   SharePoint (or an alert channel): unreachable after the retries, 401/403, site not found,
        throttled (GatewayError: GatewayUnavailable, PermissionDenied, SiteError, Throttled, ...;
        DeliveryError)
    5   this machine: report template broken, report/log not writable or disk full, port in
        use, lock held, state store (LocalError: ReportError, LocalIOError, PortInUse, LockHeld,
        StateError)
    70  unexpected error (a bug): one Dutch line; ``--debug`` shows the traceback
    130 interrupted (Ctrl-C)

Every :class:`~spsync.exceptions.SpsyncError` is printed by :class:`SpsyncGroup` as
``Fout: <message>`` and ``Oplossing: <fix>`` on stderr; commands raise, they never exit on an
error themselves. click's own texts (usage, help, its errors) are shown in Dutch.
"""

from __future__ import annotations

import errno
import logging
import sys
import traceback
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import click

from spsync import __version__
from spsync.exceptions import EXIT_UNEXPECTED, ConfigError, SpsyncError
from spsync.logs import close_logging, log_to_files, setup_logging

__all__ = [
    "main",
    "setup_logging",
    "close_logging",
    "command_logging",
    "fail_config",
    "today_amsterdam",
    "DutchDate",
    "DUTCH_DATE",
    "controledatum_option",
    "SpsyncGroup",
    "DutchGroup",
    "DutchCommand",
    "report_error",
    "EXIT_INTERRUPTED",
]

log = logging.getLogger("spsync")

EXIT_INTERRUPTED = 130

# --- click in Dutch ----------------------------------------------------------------------------

#: click's own messages (its gettext msgids) in Dutch.
_DUTCH_CLICK = {
    "Usage:": "Gebruik:",
    "Options": "Opties",
    "Commands": "Opdrachten",
    "Positional arguments": "Argumenten",
    "Show this message and exit.": "Toon deze hulptekst en stop.",
    "Show the version and exit.": "Toon de versie en stop.",
    "%(prog)s, version %(version)s": "%(prog)s, versie %(version)s",
    "Error: {message}": "Fout: {message}",
    "Try '{command} {option}' for help.": "Zie '{command} {option}' voor hulp.",
    "Missing command.": "Er ontbreekt een opdracht.",
    "No such option {name!r}.": "Onbekende optie {name!r}.",
    "No such command {name!r}.": "Onbekende opdracht {name!r}.",
    "Missing argument": "Ontbrekend argument",
    "Missing option": "Ontbrekende optie",
    "Missing parameter": "Ontbrekende parameter",
    "Missing {param_type}": "Ontbrekende {param_type}",
    "Missing parameter: {param_name}": "Ontbrekende parameter: {param_name}",
    "Invalid value: {message}": "Ongeldige waarde: {message}",
    "Invalid value for {param_hint}: {message}": "Ongeldige waarde voor {param_hint}: {message}",
    "Got unexpected extra argument ({args})": "Onverwacht extra argument ({args})",
    "Got unexpected extra arguments ({args})": "Onverwachte extra argumenten ({args})",
    "Option {name!r} requires an argument.": "Optie {name!r} heeft een waarde nodig.",
    "Option {name!r} requires {nargs} arguments.": "Optie {name!r} heeft {nargs} waarden nodig.",
    "Option {name!r} does not take a value.": "Optie {name!r} neemt geen waarde.",
    "Did you mean {possibility}?": "Bedoelde u {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Bedoelde u een van: {possibilities}?)",
    "{value!r} is not {choice}.": "{value!r} is niet {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} is niet een van {choices}.",
    "{value!r} does not match the format {format}.": "{value!r} past niet bij het formaat {format}.",
    "{value!r} does not match the formats {formats}.":
        "{value!r} past niet bij de formaten {formats}.",
    "{value!r} is not a valid {number_type}.": "{value!r} is geen geldig {number_type}.",
    "{value} is not in the range {range}.": "{value} ligt niet in het bereik {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} is geen geldige ja/nee-waarde. Bekend zijn: {states}",
    "{name} {filename!r} does not exist.": "{name} {filename!r} bestaat niet.",
    "{name} {filename!r} is a file.": "{name} {filename!r} is een bestand.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} is een map.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} is niet leesbaar.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} is niet schrijfbaar.",
    "file": "bestand",
    "directory": "map",
    "path": "pad",
    "Aborted!": "Afgebroken.",
    "default: {default}": "standaard: {default}",
    "required": "verplicht",
    "env var: {var}": "omgevingsvariabele: {var}",
    "deprecated": "verouderd",
    "Could not open file {filename!r}: {message}": "Bestand {filename!r} kan niet worden geopend: "
                                                   "{message}",
    "unknown error": "onbekende fout",
    "Choose from:\n\t{choices}": "Kies uit:\n\t{choices}",
}


def _gettext(message: str) -> str:
    return _DUTCH_CLICK.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


def _dutch_click() -> None:
    """Point click's gettext hooks at the Dutch table (click ships no Dutch catalogue)."""
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.types

    for module in (click.core, click.decorators, click.exceptions, click.formatting,
                   click.parser, click.types):
        if hasattr(module, "_"):
            module._ = _gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext  # type: ignore[attr-defined]


_dutch_click()


# --- dates -------------------------------------------------------------------------------------

class DutchDate(click.ParamType):
    """A date as ``2026-05-15`` or as the report prints it, ``15-05-2026``."""

    name = "datum"
    formats = ("%Y-%m-%d", "%d-%m-%Y")

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "JJJJ-MM-DD|DD-MM-JJJJ"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> date:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        for fmt in self.formats:
            try:
                return datetime.strptime(str(value).strip(), fmt).date()
            except ValueError:
                continue
        self.fail(f"'{value}' is geen datum; gebruik 2026-05-15 of 15-05-2026.", param, ctx)


DUTCH_DATE = DutchDate()

#: ``--controledatum`` for every command that computes as of a date.
controledatum_option = click.option(
    "--controledatum", type=DUTCH_DATE, default=None,
    help="Reken alsof het deze datum is (2026-05-15 of 15-05-2026; standaard vandaag in "
         "Europe/Amsterdam).")


def today_amsterdam() -> date:
    return datetime.now(ZoneInfo("Europe/Amsterdam")).date()


# --- errors ------------------------------------------------------------------------------------

def report_error(exc: SpsyncError, *, debug: bool = False) -> int:
    """Print ``Fout:``/``Oplossing:`` for ``exc`` on stderr (and to the log files); return the
    exit code."""
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    message = exc.message or str(exc) or type(exc).__name__
    lines = [f"Fout: {message}"]
    lines += [f"  - {problem}" for problem in getattr(exc, "problems", None) or []]
    lines.append(f"Oplossing: {exc.fix}")
    for line in lines:
        click.echo(line, err=True)
    log_to_files(logging.ERROR, " ".join(lines))
    return exc.exit_code


def _unexpected(exc: BaseException, *, debug: bool) -> int:
    import requests

    from spsync.exceptions import GatewayUnavailable, LocalIOError

    # Errors nobody translated still get the right family where that is unambiguous.
    if isinstance(exc, requests.RequestException):
        return report_error(GatewayUnavailable(f"Netwerkfout: {type(exc).__name__}."),
                            debug=debug)
    if isinstance(exc, OSError) and exc.filename:
        return report_error(LocalIOError(f"{exc.filename}: {exc.strerror or exc}."),
                            debug=debug)
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    line = (f"Fout: onverwachte fout ({type(exc).__name__}); draai opnieuw met --debug "
            "('spsync --debug <opdracht> ...') en meld de details aan de beheerder van spsync.")
    click.echo(line, err=True)
    log_to_files(logging.ERROR, line)
    log.debug("Onverwachte fout", exc_info=exc)
    return EXIT_UNEXPECTED


class DutchCommand(click.Command):
    """A command whose usage line reads ``[OPTIES]``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPTIES]")
        super().__init__(*args, **kwargs)


class DutchGroup(click.Group):
    """A group whose usage line, commands and sub-groups read Dutch."""

    command_class = DutchCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPTIES]")
        kwargs.setdefault("subcommand_metavar", "OPDRACHT [ARGUMENTEN]...")
        super().__init__(*args, **kwargs)


DutchGroup.group_class = DutchGroup


class SpsyncGroup(DutchGroup):
    """The top-level group: maps every error of every command to a Dutch line + exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except SpsyncError as exc:
            raise click.exceptions.Exit(report_error(exc, debug=debug)) from None
        except KeyboardInterrupt:
            click.echo("Afgebroken.", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:  # the one catch-all of the CLI
            if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
                raise
            raise click.exceptions.Exit(_unexpected(exc, debug=debug)) from None
        finally:
            close_logging()


def fail_config(exc: ConfigError) -> None:
    """Kept for callers of the first CLI: raise, the group prints it (exit 2)."""
    raise exc


def command_logging(ctx: click.Context, config: Any | None = None, *, min_verbose: int = 0
                    ) -> None:
    """Logging for a command from the group's ``-v``/``--log-format`` and the config's
    ``[logging]`` (file, format); registers the config's secrets for redaction."""
    from spsync.logs import register_config_secrets

    obj = ctx.find_root().obj or {}
    logging_cfg = getattr(config, "logging", None)
    log_format = obj.get("log_format") or getattr(logging_cfg, "format", None) or "text"
    if config is not None:
        register_config_secrets(config)
    setup_logging(max(obj.get("verbose", 0), min_verbose),
                  logfile=getattr(logging_cfg, "file", None), log_format=log_format)


@click.group(cls=SpsyncGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="spsync")
@click.option("-v", "--verbose", count=True,
              help="Meer logregels: -v voor voortgang (INFO), -vv voor alle details (DEBUG).")
@click.option("--log-format", type=click.Choice(["text", "json"]), default=None,
              help="Logregels als leesbare tekst (standaard) of als JSON, één object per regel.")
@click.option("--debug", is_flag=True,
              help="Toon bij een fout ook de technische details (traceback).")
@click.pass_context
def main(ctx: click.Context, verbose: int, log_format: str | None, debug: bool) -> None:
    """spsync: controleert jaarplanregistraties in SharePoint en maakt de MT-rapportage."""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    ctx.obj["log_format"] = log_format
    ctx.obj["debug"] = debug

