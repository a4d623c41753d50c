"""``spsync alerts``: what would be sent to whom (``--dry-run``), or send what is due now.

The dry run reads the site and the ledger and changes nothing: no list writes, no ledger rows,
no messages. Without it, the command runs the cycle without the weekly report (as the daemon's
daily alert job does), so alerts are always planned from fresh statuses.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from spsync.cli.app import command_logging, controledatum_option, main, today_amsterdam

__all__: list[str] = []


@main.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path), required=True,
              help="TOML-configuratiebestand (zie config/spsync.example.toml).")
@controledatum_option
@click.option("--dry-run", is_flag=True,
              help="Toon per ontvanger wat er verstuurd zou worden; verander en verstuur niets.")
@click.option("--outbox", "outbox_dir", type=click.Path(path_type=Path), default=None,
              help="Schrijf de berichten als .eml-bestanden in deze map in plaats van ze te "
                   "versturen.")
@click.pass_context
def alerts(ctx: click.Context, config_path: Path, controledatum: date | None, dry_run: bool,
           outbox_dir: Path | None) -> None:
    """Signalen: laat zien of verstuur wat er nu aan herinneringen en meldingen klaarstaat."""
    from spsync.alerts.rules import plan_summary
    from spsync.config import load_config
    from spsync.jobs import open_store, run_once
    from spsync.sharepoint import gateway_for
    from spsync.summary import summary_lines

    config = load_config(config_path)
    command_logging(ctx, config)
    day = controledatum or today_amsterdam()
    gateway = gateway_for(config)
    try:
        with open_store(config, dry_run=dry_run) as store:
            if store is None:  # a dry run before the first real run: nothing signalled yet
                from spsync.state import open_state

                scratch = config.state.model_copy(update={"path": Path(":memory:"),
                                                          "url": "sqlite://"})
                with open_state(scratch) as empty:
                    outcome = run_once(gateway, config, day, dry_run=True, store=empty,
                                       make_report=False)
            else:
                outcome = run_once(gateway, config, day, dry_run=dry_run, store=store,
                                   outbox=outbox_dir, make_report=False)
                waiting = [] if not dry_run else store.pending(config.alerts.max_attempts)
    finally:
        gateway.close()
    if dry_run:
        click.echo(f"Proefdraaien, controledatum {day:%d-%m-%Y}: er is niets verstuurd of "
                   "geschreven.")
        if outcome.verdict.stopped:
            click.echo("Let op: de veiligheidsstop houdt signalen tegen: "
                       + outcome.verdict.messages()[-1])
        if outcome.alert_plan is not None:
            for line in plan_summary(outcome.alert_plan):
                click.echo(line)
        if store is not None and waiting:
            click.echo(f"Nog niet verstuurd uit eerdere runs: {len(waiting)} melding(en); "
                       "die gaan mee met de volgende echte run.")
        sys.exit(0)
    for line in summary_lines(outcome):
        click.echo(line)
    sys.exit(outcome.exit_code)
