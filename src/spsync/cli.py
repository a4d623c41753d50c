"""The ``spsync`` command: a thin click shell over the library (sqlite-utils style).

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
from spsync.exceptions import ConfigError, GatewayError, UserError

__all__ = ["main"]

log = logging.getLogger("spsync")


def _close_logging() -> None:
    """Remove and close the handlers spsync installed (a host's handlers stay)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_spsync", False)]:
        root.removeHandler(old)
        old.close()


def _setup_logging(verbose: int, logfile: Path | None = None, quiet_level: int = logging.WARNING
                   ) -> None:
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else quiet_level
    _close_logging()
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


def _fail_config(exc: ConfigError) -> None:
    click.echo(f"Fout: {exc.message}", err=True)
    for problem in exc.problems:
        click.echo(f"  - {problem}", err=True)
    sys.exit(2)


def _today_amsterdam() -> date:
    return datetime.now(ZoneInfo("Europe/Amsterdam")).date()


@click.group()
@click.version_option(__version__, prog_name="spsync")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.pass_context
def main(ctx: click.Context, verbose: int) -> None:
    """spsync: controleert jaarplanregistraties in SharePoint en maakt de MT-rapportage."""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose


@main.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path), required=True,
              help="TOML config file (see config/spsync.example.toml).")
@click.option("--once", is_flag=True, required=True,
              help="Run one cycle and exit (the scheduled daemon is a later step).")
@click.option("--controledatum", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Compute as of this date (default: today in Europe/Amsterdam).")
@click.option("--dry-run", is_flag=True, help="Write and upload nothing; print the diff.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Folder for the local report copy (default: report.output_dir).")
@click.pass_context
def run(ctx: click.Context, config_path: Path, once: bool, controledatum: datetime | None,
        dry_run: bool, out_dir: Path | None) -> None:
    """Run one cycle: read, check, write back, report, upload."""
    from spsync.auth import token_provider
    from spsync.config import load_config
    from spsync.cycle import run_cycle
    from spsync.sharepoint import SharePointGateway
    from spsync.summary import diff_lines, summary_lines

    _setup_logging(max(ctx.obj["verbose"], 1))
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        _fail_config(exc)
        return
    day = controledatum.date() if controledatum else _today_amsterdam()
    gateway = SharePointGateway(
        config.site.url, token_provider(config.auth, config.site.url),
        user_agent_org=config.site.user_agent_org,
        timeout=(config.http.connect_timeout, config.http.read_timeout),
        page_size=config.http.page_size, batch_size=config.http.batch_size,
        max_retries=config.http.max_retries)
    try:
        outcome = run_cycle(gateway, config, day, dry_run=dry_run, out_dir=out_dir)
    except (GatewayError, UserError) as exc:
        click.echo(f"Fout: {exc.message or exc}", err=True)
        sys.exit(1)
    finally:
        gateway.close()
        _close_logging()
    if dry_run:
        for line in diff_lines(outcome.changes):
            click.echo(line)
    for line in summary_lines(outcome):
        click.echo(line)
    sys.exit(outcome.exit_code)


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("out"),
              show_default=True, help="Folder for the report, sandbox.db and spsync.log.")
@click.pass_context
def demo(ctx: click.Context, out_dir: Path) -> None:
    """Run one cycle on the local sandbox with the demo data (controledatum 2026-05-15)."""
    from spsync.demo import run_demo
    from spsync.summary import summary_lines

    # The findings go to spsync.log and the report; the console shows the summary (-v for more).
    _setup_logging(ctx.obj["verbose"], logfile=out_dir / "spsync.log", quiet_level=logging.ERROR)
    try:
        outcome, db = run_demo(out_dir)
    finally:
        _close_logging()
    for line in summary_lines(outcome):
        click.echo(line)
    click.echo(f"Logboek: {out_dir / 'spsync.log'}")
    click.echo("Bekijk de sandbox via REST met:")
    click.echo(f"  spsync sandbox serve --db {db}")
    sys.exit(outcome.exit_code)


@main.group()
def sandbox() -> None:
    """The local SharePoint-compatible sandbox (loopback only)."""


@sandbox.command("serve")
@click.option("--db", type=click.Path(path_type=Path), required=True, help="SQLite file.")
@click.option("--port", type=int, default=0, show_default=True, help="0 picks a free port.")
@click.option("--host", default="127.0.0.1", show_default=True)
def sandbox_serve(db: Path, port: int, host: str) -> None:
    """Serve DB over the SharePoint REST dialect; prints the site URL first."""
    from spsync.sandbox import serve

    if not db.exists():
        click.echo(f"Fout: {db} bestaat niet. Maak hem met 'spsync sandbox load' of "
                   "'spsync demo'.", err=True)
        sys.exit(2)
    serve(db, port=port, host=host)


@sandbox.command("load")
@click.option("--db", type=click.Path(path_type=Path), required=True, help="SQLite file.")
@click.option("--csv", "csv_dir", type=click.Path(path_type=Path, exists=True, file_okay=False),
              required=True, help="Folder with one CSV per list (format of the demo data).")
def sandbox_load(db: Path, csv_dir: Path) -> None:
    """Create the lists of the data model in DB and fill them from CSV files."""
    from spsync.sandbox import load_csv_dir

    counts = load_csv_dir(db, csv_dir)
    for title, n in counts.items():
        click.echo(f"{title}: {n} items")


if __name__ == "__main__":  # pragma: no cover
    main()
