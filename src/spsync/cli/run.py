"""``spsync run`` and ``spsync demo``: one cycle against a site, or the demo on the sandbox."""

from __future__ import annotations

import logging
import sys
import uuid
from datetime import date
from pathlib import Path

import click

from spsync.cli.app import (
    close_logging,
    command_logging,
    controledatum_option,
    main,
    setup_logging,
    today_amsterdam,
)

__all__: list[str] = []


@main.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path), required=True,
              help="TOML-configuratiebestand (zie config/spsync.example.toml).")
@click.option("--once", is_flag=True, required=True,
              help="Draai één cyclus en stop (gepland draaien: 'spsync daemon').")
@controledatum_option
@click.option("--dry-run", is_flag=True,
              help="Proefdraaien: schrijf en upload niets (ook geen lokaal rapport zonder "
                   "--out); toon wat er zou veranderen.")
@click.option("--force", is_flag=True,
              help="Schrijf en signaleer ook als de veiligheidsstop een lijst leeg, sterk "
                   "gekrompen of onvolledig vindt.")
@click.option("--outbox", "outbox_dir", type=click.Path(path_type=Path), default=None,
              help="Schrijf elk signaal als .eml-bestand in deze map in plaats van het te "
                   "versturen (vervangt elk ingesteld kanaal).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Map voor de lokale kopie van het rapport (standaard report.output_dir).")
@click.pass_context
def run(ctx: click.Context, config_path: Path, once: bool, controledatum: date | None,
        dry_run: bool, force: bool, outbox_dir: Path | None, out_dir: Path | None) -> None:
    """Draai één cyclus: lezen, controleren, terugschrijven, signalen, rapport, uploaden."""
    from spsync.config import load_config
    from spsync.jobs import run_once
    from spsync.logs import set_run_id
    from spsync.preflight import preflight
    from spsync.sharepoint import gateway_for
    from spsync.summary import diff_lines, summary_lines

    config = load_config(config_path)  # errors: the group prints them (exit 2)
    command_logging(ctx, config, min_verbose=1)
    set_run_id(uuid.uuid4().hex[:12])
    day = controledatum or today_amsterdam()
    gateway = gateway_for(config)  # loads the certificate: exit 3 before any traffic
    preflight(config, out_dir=out_dir, dry_run=dry_run)
    try:
        outcome = run_once(gateway, config, day, dry_run=dry_run, out_dir=out_dir,
                           force=force, outbox=outbox_dir)
    finally:
        gateway.close()  # the group closes the logs, after logging any error to the file
    if dry_run:
        for line in diff_lines(outcome.changes):
            click.echo(line)
    for line in summary_lines(outcome):
        click.echo(line)
    sys.exit(outcome.exit_code)


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("out"),
              show_default=True, help="Map voor het rapport, sandbox.db en spsync.log.")
@click.pass_context
@controledatum_option
@click.option("--continue", "continue_", is_flag=True,
              help="Ga verder met de vorige demo in --out (zelfde site, geschiedenis en "
                   "outbox), bijvoorbeeld met --controledatum een week later.")
def demo(ctx: click.Context, out_dir: Path, controledatum: date | None, continue_: bool) -> None:
    """Draai één cyclus op de lokale sandbox met de demodata (controledatum 15-05-2026)."""
    from spsync.demo import DEMO_CONTROLEDATUM, run_demo
    from spsync.summary import summary_lines

    # The findings go to spsync.log and the report; the console shows the summary (-v for more).
    setup_logging(ctx.obj["verbose"], logfile=out_dir / "spsync.log", quiet_level=logging.ERROR,
                  log_format=ctx.obj.get("log_format") or "text")
    try:
        outcome, db = run_demo(out_dir, controledatum or DEMO_CONTROLEDATUM,
                               fresh=not continue_)
    finally:
        close_logging()
    for line in summary_lines(outcome):
        click.echo(line)
    click.echo(f"Logboek: {out_dir / 'spsync.log'}")
    click.echo(f"Signalen (als e-mail): {out_dir / 'outbox'}")
    click.echo("Bekijk de sandbox via REST met:")
    click.echo(f"  spsync sandbox serve --db {db}")
    sys.exit(outcome.exit_code)
