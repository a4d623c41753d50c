"""``spsync sandbox serve|load``: the local SharePoint-compatible sandbox."""

from __future__ import annotations

from pathlib import Path

import click

from spsync.cli.app import main
from spsync.exceptions import UserError

__all__: list[str] = []


@main.group()
def sandbox() -> None:
    """De lokale SharePoint-sandbox (alleen op deze machine bereikbaar)."""


@sandbox.command("serve")
@click.option("--db", type=click.Path(path_type=Path), required=True, help="SQLite-bestand.")
@click.option("--port", type=int, default=0, show_default=True,
              help="Poort; 0 kiest een vrije poort.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adres om op te luisteren.")
def sandbox_serve(db: Path, port: int, host: str) -> None:
    """Bied DB aan via de SharePoint-REST-API; de eerste regel is de site-URL."""
    from spsync.sandbox import serve

    if not db.exists():
        raise UserError(f"{db} bestaat niet.",
                        fix="Maak hem met 'spsync sandbox load' of 'spsync demo'.")
    serve(db, port=port, host=host)  # a taken port: PortInUse (exit 5)


@sandbox.command("load")
@click.option("--db", type=click.Path(path_type=Path), required=True, help="SQLite-bestand.")
@click.option("--csv", "csv_dir", type=click.Path(path_type=Path, exists=True, file_okay=False),
              required=True, help="Map met één CSV per lijst (formaat van de demodata).")
def sandbox_load(db: Path, csv_dir: Path) -> None:
    """Maak de lijsten van het datamodel in DB en vul ze uit CSV-bestanden."""
    from spsync.sandbox.loader import load_csv_dir

    counts = load_csv_dir(db, csv_dir)  # a LoadError is mapped by the group (exit 2)
    for title, n in counts.items():
        click.echo(f"{title}: {n} items")
