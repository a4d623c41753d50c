"""``spsync report``: the weekly, tertiaal and annual reports on demand.

Reads the site and runs the checks like a cycle, but writes nothing to the lists: it only
renders the chosen report, saves it locally (with a PDF when LibreOffice is there) and uploads
it to the MT-rapportages library under a name per kind and period, replacing an earlier run.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click

from spsync.cli.app import close_logging, fail_config, main, setup_logging, today_amsterdam
from spsync.exceptions import ConfigError, GatewayError, UserError

__all__ = ["parse_controledatum"]


def parse_controledatum(text: str | None) -> date | None:
    """``15-05-2026`` or ``2026-05-15``; None when not given. Raises click.BadParameter."""
    if not text:
        return None
    for fmt in ("%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise click.BadParameter(f"'{text}' is geen datum; gebruik DD-MM-JJJJ of JJJJ-MM-DD.",
                             param_hint="--controledatum")


@main.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path), required=True,
              help="TOML-configuratie (zie config/spsync.example.toml).")
@click.option("--kind", type=click.Choice(["weekly", "tertiaal", "jaar"]), required=True,
              help="Soort rapport: weekly (MT-rapportage), tertiaal (M4/M8/M12) of jaar.")
@click.option("--week", default=None, help="Bij weekly: ISO-week, bijvoorbeeld 2026-W20.")
@click.option("--period", default=None,
              help="Bij tertiaal: M4, M8 of M12, eventueel met planjaar (2025-M8).")
@click.option("--planjaar", "planjaar_text", default=None,
              help="Bij jaar: het planjaar, bijvoorbeeld 2025-2026 of 2025.")
@click.option("--controledatum", default=None,
              help="Rekenen per deze datum (DD-MM-JJJJ of JJJJ-MM-DD); standaard het einde "
                   "van de periode, of vandaag als die nog loopt.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Map voor de lokale kopie (standaard report.output_dir).")
@click.option("--no-upload", is_flag=True, help="Alleen lokaal opslaan, niet uploaden.")
@click.pass_context
def report(ctx: click.Context, config_path: Path, kind: str, week: str | None,
           period: str | None, planjaar_text: str | None, controledatum: str | None,
           out_dir: Path | None, no_upload: bool) -> None:
    """Maak een rapport (weekly, tertiaal of jaar) en zet het in de bibliotheek."""
    from spsync.auth import token_provider
    from spsync.config import load_config
    from spsync.report.periods import PeriodError, resolve_period
    from spsync.report.render import ReportError
    from spsync.reporting import make_report
    from spsync.sharepoint import SharePointGateway

    setup_logging(ctx.obj["verbose"])
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        close_logging()
        fail_config(exc)
        return
    try:
        chosen = resolve_period(kind, config.rules.planjaar_mode, today_amsterdam(),
                               week=week, period=period, planjaar_text=planjaar_text,
                               controledatum=parse_controledatum(controledatum))
    except (PeriodError, click.BadParameter) as exc:
        close_logging()
        click.echo(f"Fout: {exc.message if isinstance(exc, click.BadParameter) else exc}",
                   err=True)
        sys.exit(2)
    gateway = SharePointGateway(
        config.site.url, token_provider(config.auth, config.site.url),
        user_agent_org=config.site.user_agent_org,
        timeout=(config.http.connect_timeout, config.http.read_timeout),
        page_size=config.http.page_size, batch_size=config.http.batch_size,
        max_retries=config.http.max_retries)
    try:
        outcome = make_report(gateway, config, chosen, out_dir=out_dir, upload=not no_upload)
    except (GatewayError, UserError) as exc:
        click.echo(f"Fout: {exc.message or exc}", err=True)
        sys.exit(1)
    except ReportError as exc:
        click.echo(f"Fout: {exc}", err=True)
        click.echo("Het rapport is niet gemaakt; de lijsten zijn niet gewijzigd.", err=True)
        sys.exit(1)
    finally:
        gateway.close()
        close_logging()
    click.echo(f"{chosen.file_name.removesuffix('.docx')} (controledatum "
               f"{chosen.controledatum:%d-%m-%Y}, planjaar {chosen.planjaar})")
    click.echo(f"Opgeslagen: {outcome.path}")
    if outcome.pdf_path is not None:
        click.echo(f"PDF: {outcome.pdf_path}")
    for uploaded in outcome.uploaded:
        click.echo(f"Geüpload: {uploaded.server_relative_url}")
    for problem in outcome.problems:
        click.echo(f"Let op: {problem}", err=True)
    sys.exit(outcome.exit_code)
