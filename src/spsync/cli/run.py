"""``spsync run`` and ``spsync demo``: one cycle against a site, or the demo on the sandbox."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path

import click

from spsync.cli.app import close_logging, fail_config, setup_logging, today_amsterdam, main
from spsync.exceptions import ConfigError, GatewayError, UserError

__all__: list[str] = []


@main.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path), required=True,
              help="TOML config file (see config/spsync.example.toml).")
@click.option("--once", is_flag=True, required=True,
              help="Run one cycle and exit (the scheduled daemon is a later step).")
@click.option("--controledatum", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Compute as of this date (default: today in Europe/Amsterdam).")
@click.option("--dry-run", is_flag=True, help="Write and upload nothing; print the diff.")
@click.option("--force", is_flag=True,
              help="Write even when the safety valve finds a list empty, shrunk or incomplete.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Folder for the local report copy (default: report.output_dir).")
@click.pass_context
def run(ctx: click.Context, config_path: Path, once: bool, controledatum: datetime | None,
        dry_run: bool, force: bool, out_dir: Path | None) -> None:
    """Run one cycle: read, check, write back, report, upload."""
    from spsync.auth import token_provider
    from spsync.config import load_config
    from spsync.cycle import run_cycle
    from spsync.sharepoint import SharePointGateway
    from spsync.summary import diff_lines, summary_lines

    setup_logging(max(ctx.obj["verbose"], 1))
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        fail_config(exc)
        return
    day = controledatum.date() if controledatum else today_amsterdam()
    gateway = SharePointGateway(
        config.site.url, token_provider(config.auth, config.site.url),
        user_agent_org=config.site.user_agent_org,
        timeout=(config.http.connect_timeout, config.http.read_timeout),
        page_size=config.http.page_size, batch_size=config.http.batch_size,
        max_retries=config.http.max_retries)
    try:
        outcome = run_cycle(gateway, config, day, dry_run=dry_run, out_dir=out_dir,
                            force=force)
    except (GatewayError, UserError) as exc:
        click.echo(f"Fout: {exc.message or exc}", err=True)
        sys.exit(1)
    finally:
        gateway.close()
        close_logging()
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
    setup_logging(ctx.obj["verbose"], logfile=out_dir / "spsync.log", quiet_level=logging.ERROR)
    try:
        outcome, db = run_demo(out_dir)
    finally:
        close_logging()
    for line in summary_lines(outcome):
        click.echo(line)
    click.echo(f"Logboek: {out_dir / 'spsync.log'}")
    click.echo("Bekijk de sandbox via REST met:")
    click.echo(f"  spsync sandbox serve --db {db}")
    sys.exit(outcome.exit_code)
