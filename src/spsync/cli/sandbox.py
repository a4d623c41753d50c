"""``spsync sandbox serve|load``: the local SharePoint-compatible sandbox."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from spsync.cli.app import main

__all__: list[str] = []


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
    from spsync.sandbox.loader import LoadError, load_csv_dir

    try:
        counts = load_csv_dir(db, csv_dir)
    except LoadError as exc:
        click.echo(f"Fout: {exc.message} Pas het CSV-bestand aan en laad opnieuw.", err=True)
        sys.exit(2)
    for title, n in counts.items():
        click.echo(f"{title}: {n} items")
