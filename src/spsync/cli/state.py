"""``spsync runs`` and ``spsync history``: the state store's record of runs and changes.

Both only read: a store that does not exist yet is one Dutch line with the fix (exit 2), never a
new empty file or a traceback.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from spsync.cli.app import fail_config, main
from spsync.exceptions import ConfigError, StateError

__all__ = ["format_value", "runs_table", "resolve_list"]

_ZONE = ZoneInfo("Europe/Amsterdam")
_OUTCOME = {"ok": "ok", "problemen": "problemen", "gestopt": "gestopt (veiligheidsklep)",
            "fout": "fout", None: "niet afgerond"}
_STATE = {"pending": "nog te verzenden", "sent": "verzonden", "failed": "mislukt"}


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(_ZONE).strftime("%d-%m-%Y %H:%M")


def format_value(value: Any) -> str:
    """A recorded field value as staff read it: blank as "(leeg)", 262.5 as "262,5", an ISO
    date or timestamp as dd-mm-jjjj (HH:MM in Europe/Amsterdam)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "(leeg)"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, (int, float)):
        return f"{value:g}".replace(".", ",") if isinstance(value, float) else str(value)
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return date.fromisoformat(value).strftime("%d-%m-%Y")
            return _when(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def runs_table(records: list[Any]) -> list[str]:
    """The lines of ``spsync runs``: one aligned row per run, newest first."""
    header = ("nummer", "start", "controledatum", "uitkomst", "gelezen", "geschreven",
              "verzonden", "verzoeken")
    rows = [header]
    for r in records:
        outcome = _OUTCOME.get(r.outcome, r.outcome)
        notes = [n for n in ("proefrun" if r.dry_run else "",
                             r.kind if r.kind != "cycle" else "") if n]
        if notes:
            outcome += f" ({', '.join(notes)})"
        read = sum(v for v in r.read_counts.values() if v is not None)
        counts = ((str(read), str(r.items_written), str(r.alerts_sent), str(r.requests))
                  if r.ended_at is not None else ("-",) * 4)  # running, or it died
        rows.append((str(r.id), _when(r.started_at), r.controledatum.strftime("%d-%m-%Y"),
                     outcome, *counts))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    numeric = {0, 4, 5, 6, 7}
    return ["  ".join(cell.rjust(w) if i in numeric else cell.ljust(w)
                      for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
            for row in rows]


def resolve_list(name: str, titles: dict[str, str]) -> str | None:
    """The list key for a key ("projecten") or a site title ("Projecten"), any case."""
    wanted = name.strip().casefold()
    for key, title in titles.items():
        if wanted in (key.casefold(), title.casefold()):
            return key
    return None


def _state_config(config_path: Path | None) -> tuple[Any, dict[str, str]]:
    from spsync import schema
    from spsync.config import Config, StateConfig, load_config

    if config_path is None:
        return StateConfig(), {d.key: d.title for d in (*schema.LISTS, schema.LIBRARY)}
    config: Config = load_config(config_path)
    return config.state, dict(config.lists)


def _fail_state(exc: StateError) -> None:
    click.echo(f"Fout: {exc.message}", err=True)
    sys.exit(2)


_CONFIG = click.option("--config", "config_path", type=click.Path(path_type=Path),
                       help="TOML config file; its [state] section says where the store is.")


@main.command("runs")
@_CONFIG
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many runs to show, newest first.")
def runs_command(config_path: Path | None, limit: int) -> None:
    """Toon de laatste runs met hun uitkomst."""
    from spsync.state import open_state

    try:
        state_cfg, _titles = _state_config(config_path)
        with open_state(state_cfg, create=False) as store:
            records = store.runs(limit)
    except ConfigError as exc:
        fail_config(exc)
        return
    except StateError as exc:
        _fail_state(exc)
        return
    if not records:
        click.echo("Nog geen runs vastgelegd.")
        return
    for line in runs_table(records):
        click.echo(line)


@main.command("history")
@_CONFIG
@click.option("--list", "list_name", required=True,
              help="The list: its key (projecten) or its title on the site (Projecten).")
@click.option("--item", "item_id", type=int, required=True, help="The item's ID.")
def history_command(config_path: Path | None, list_name: str, item_id: int) -> None:
    """Toon wat spsync aan één item heeft gewijzigd en gesignaleerd."""
    from spsync.state import open_state

    try:
        state_cfg, titles = _state_config(config_path)
    except ConfigError as exc:
        fail_config(exc)
        return
    key = resolve_list(list_name, titles)
    if key is None:
        click.echo(f"Fout: onbekende lijst '{list_name}'. Bekend zijn: "
                   + ", ".join(f"{t} ({k})" for k, t in titles.items()) + ".", err=True)
        sys.exit(2)
    title = titles[key]
    try:
        with open_state(state_cfg, create=False) as store:
            changes = store.history(key, item_id)
            alerts = store.alerts_for_item(key, item_id)
    except StateError as exc:
        _fail_state(exc)
        return
    if not changes and not alerts:
        click.echo(f"Geen wijzigingen gevonden voor {title} item {item_id}.")
        return
    if changes:
        click.echo(f"Wijzigingen door spsync in {title}, item {item_id}:")
        for c in changes:
            click.echo(f"  {_when(c.at)}  run {c.run_id}  {c.column}: "
                       f"{format_value(c.old)} → {format_value(c.new)}")
    else:
        click.echo(f"Geen wijzigingen gevonden voor {title} item {item_id}.")
    if alerts:
        click.echo(f"Signalen over {title}, item {item_id}:")
        for a in alerts:
            state = _STATE.get(a.state, a.state)
            if a.state == "sent":
                state += f" {_when(a.sent_at)}"
            click.echo(f"  {_when(a.created_at)}  run {a.run_id}  {a.kind} aan "
                       f"{a.recipient.address} via {a.channel}: {state}")
