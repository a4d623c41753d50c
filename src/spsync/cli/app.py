"""The ``spsync`` click group and what every command shares: logging, dates, error exits.

Messages about the organisation's data are Dutch; errors a user can fix print without a
traceback (exit 2 for a bad config, 1 for a run that could not write or upload everything).
"""

from __future__ import annotations

import logging
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from spsync import __version__
from spsync.exceptions import ConfigError

__all__ = ["main", "setup_logging", "close_logging", "fail_config", "today_amsterdam"]

log = logging.getLogger("spsync")


def close_logging() -> None:
    """Remove and close the handlers spsync installed (a host's handlers stay)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_spsync", False)]:
        root.removeHandler(old)
        old.close()


def setup_logging(verbose: int, logfile: Path | None = None, quiet_level: int = logging.WARNING
                   ) -> None:
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else quiet_level
    close_logging()
    root = logging.getLogger()
    root.setLevel(logging.DEBUG)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(level)
    console.setFormatter(fmt)
    console._spsync = True  # type: ignore[attr-defined]
    root.addHandler(console)
    if logfile is not None:
        logfile.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(logfile, encoding="utf-8")
        handler.setLevel(logging.INFO)
        handler.setFormatter(fmt)
        handler._spsync = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    # Library chatter (and any header it might print) stays out of our logs.
    for noisy in ("urllib3", "office365", "msal", "requests"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def fail_config(exc: ConfigError) -> None:
    click.echo(f"Fout: {exc.message}", err=True)
    for problem in exc.problems:
        click.echo(f"  - {problem}", err=True)
    sys.exit(2)


def today_amsterdam() -> date:
    return datetime.now(ZoneInfo("Europe/Amsterdam")).date()


@click.group()
@click.version_option(__version__, prog_name="spsync")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.pass_context
def main(ctx: click.Context, verbose: int) -> None:
    """spsync: controleert jaarplanregistraties in SharePoint en maakt de MT-rapportage."""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
