"""``spsync provision`` and ``spsync check``: set up a site and compare it with the config.

Exit codes: 0 nothing wrong (or, for provision, nothing left to do); 1 problems found or left
that provisioning cannot fix, or SharePoint could not be reached or refused; 2 a bad config.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from spsync.cli.app import close_logging, fail_config, main, setup_logging
from spsync.exceptions import ConfigError, GatewayError, UserError

__all__: list[str] = []


def _connect(config_path: Path, verbose: int) -> tuple[Any, Any]:
    """(config, gateway) or exit with the Dutch message."""
    from spsync.auth import token_provider
    from spsync.config import load_config
    from spsync.sharepoint import SharePointGateway

    setup_logging(verbose)
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        close_logging()
        fail_config(exc)
    try:
        token = token_provider(config.auth, config.site.url)
    except (OSError, ValueError) as exc:
        close_logging()
        click.echo(f"Fout: het certificaat kon niet worden gelezen: {exc}", err=True)
        sys.exit(1)
    gateway = SharePointGateway(
        config.site.url, token, user_agent_org=config.site.user_agent_org,
        timeout=(config.http.connect_timeout, config.http.read_timeout),
        page_size=config.http.page_size, batch_size=config.http.batch_size,
        max_retries=config.http.max_retries)
    return config, gateway


def _fail(exc: BaseException) -> None:
    """One Dutch line; refusals name the likely cause instead of the library's English text."""
    status = getattr(exc, "status", None)
    if status == 401:
        message = ("SharePoint accepteert het token niet (401). Controleer tenant_id, client_id "
                   "en het certificaat in de configuratie, en of de app de toestemming "
                   "Sites.Selected heeft (docs/INSTALL.md, stap 2 en 4).")
    elif status == 403:
        message = ("SharePoint weigert deze actie (403): de app heeft op deze site niet genoeg "
                   "rechten. 'spsync check' zegt welk recht ontbreekt (docs/INSTALL.md, stap 4).")
    else:
        message = getattr(exc, "message", "") or str(exc)
    click.echo(f"Fout: {message}", err=True)
    sys.exit(1)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _describe(gateway: Any, config: Any) -> Any:
    from spsync import schema
    from spsync.provision import site_titles

    titles = site_titles(schema.provisioned_lists(), config)
    return gateway.describe_site(list(titles.values()))


def _print_problems(problems: list[Any]) -> None:
    for problem in problems:
        click.echo(f"- {problem.message}")


@main.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path), required=True,
              help="TOML-configuratiebestand (zie config/spsync.example.toml).")
@click.pass_context
def check(ctx: click.Context, config_path: Path) -> None:
    """Vergelijk de site met de configuratie: lijsten, kolommen, typen, indexen en rechten."""
    from spsync.provision import compare_site

    config, gateway = _connect(config_path, ctx.obj["verbose"])
    try:
        site = _describe(gateway, config)
    except (GatewayError, UserError, PermissionError) as exc:
        _fail(exc)
    finally:
        gateway.close()
        close_logging()
    problems = compare_site(config, site)
    click.echo(f"Site: {config.site.url}")
    if not problems:
        click.echo("In orde: alle lijsten, kolommen, indexen en rechten die spsync nodig heeft "
                   "zijn aanwezig.")
        sys.exit(0)
    click.echo(f"{_count(len(problems), 'probleem', 'problemen')} gevonden:")
    _print_problems(problems)
    fixable = sum(1 for p in problems if p.fixable)
    if fixable:
        click.echo(f"{fixable} daarvan lost 'spsync provision --config {config_path}' op.")
    sys.exit(1)


@main.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path), required=True,
              help="TOML-configuratiebestand (zie config/spsync.example.toml).")
@click.option("--dry-run", is_flag=True,
              help="Toon wat er gemaakt zou worden; verander niets op de site.")
@click.pass_context
def provision(ctx: click.Context, config_path: Path, dry_run: bool) -> None:
    """Maak de ontbrekende lijsten, kolommen, indexen en de bibliotheek op de site."""
    from spsync import schema
    from spsync.provision import apply_provision, compare_site, plan_provision

    config, gateway = _connect(config_path, ctx.obj["verbose"])
    try:
        site = _describe(gateway, config)
        steps = plan_provision(schema.provisioned_lists(), site, config)
        click.echo(f"Site: {config.site.url}")
        if not steps:
            click.echo("Niets te doen: de site heeft alle lijsten, kolommen en indexen.")
        elif dry_run:
            click.echo(f"Proefdraaien: {_count(len(steps), 'stap', 'stappen')} "
                       f"{'zou' if len(steps) == 1 else 'zouden'} worden uitgevoerd; er is niets "
                       "veranderd:")
            for step in steps:
                click.echo(f"- {step.text}")
            sys.exit(0)
        else:
            started: list[Any] = []

            def _progress(step: Any) -> None:
                started.append(step)
                click.echo(f"- {step.text}")

            try:
                apply_provision(gateway, steps, site, on_step=_progress)
            except (GatewayError, UserError, PermissionError):
                click.echo(f"Gestopt bij stap {len(started)} van {len(steps)}; wat daarvoor is "
                           "gemaakt blijft staan. Los de fout hieronder op en voer 'spsync "
                           "provision' opnieuw uit: dan volgen alleen de overige stappen.",
                           err=True)
                raise
            click.echo(f"{_count(len(steps), 'stap', 'stappen')} uitgevoerd.")
        remaining = compare_site(config, _describe(gateway, config))
    except (GatewayError, UserError, PermissionError) as exc:
        _fail(exc)
    finally:
        gateway.close()
        close_logging()
    if remaining:
        click.echo("Wat 'spsync provision' niet kan oplossen (zie 'spsync check'):")
        _print_problems(remaining)
        sys.exit(1)
    sys.exit(0)
