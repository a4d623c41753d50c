"""``spsync provision`` and ``spsync check``: set up a site and compare it with the config.

Exit codes: 0 nothing wrong (or, for provision, nothing left to do); 1 problems found or left
that provisioning cannot fix. A bad config, a certificate or a site that cannot be reached or
refuses end in the group's one Dutch line and exit code (docs/ERRORS.md).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from spsync.cli.app import command_logging, main
from spsync.exceptions import PermissionDenied, SpsyncError

__all__: list[str] = []


def _connect(ctx: click.Context, config_path: Path) -> tuple[Any, Any]:
    """(config, gateway); errors are raised for the group to map."""
    from spsync.config import load_config
    from spsync.sharepoint import gateway_for

    config = load_config(config_path)
    command_logging(ctx, config)
    return config, gateway_for(config)


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

    config, gateway = _connect(ctx, config_path)
    try:
        site = _describe(gateway, config)
    finally:
        gateway.close()
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

    config, gateway = _connect(ctx, config_path)
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
            except SpsyncError as exc:
                click.echo(f"Gestopt bij stap {len(started)} van {len(steps)}; wat daarvoor is "
                           "gemaakt blijft staan. Los de fout hieronder op en voer 'spsync "
                           "provision' opnieuw uit: dan volgen alleen de overige stappen.",
                           err=True)
                if isinstance(exc, PermissionDenied):
                    exc.fix = ("Lijsten en kolommen maken vraagt de Sites.Selected-rol "
                               "'manage' op deze site (daarna is 'write' genoeg voor spsync); "
                               "zie docs/INSTALL.md, stap 4.")
                raise
            click.echo(f"{_count(len(steps), 'stap', 'stappen')} uitgevoerd.")
        remaining = compare_site(config, _describe(gateway, config))
    finally:
        gateway.close()
    if remaining:
        click.echo("Wat 'spsync provision' niet kan oplossen (zie 'spsync check'):")
        _print_problems(remaining)
        sys.exit(1)
    sys.exit(0)
