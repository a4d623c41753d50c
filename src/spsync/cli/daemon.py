"""``spsync daemon`` and ``spsync status``: the scheduled service and its health."""

from __future__ import annotations

import contextlib
import json
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from spsync.cli.app import close_logging, fail_config, main, setup_logging
from spsync.exceptions import ConfigError, StateError, UserError

__all__: list[str] = []


def _load(config_path: Path) -> Any:
    from spsync.config import load_config

    try:
        return load_config(config_path)
    except ConfigError as exc:
        fail_config(exc)


def _fail(exc: UserError) -> None:
    click.echo(f"Fout: {exc.message or exc}", err=True)
    sys.exit(getattr(exc, "exit_code", 1))


@main.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path), required=True,
              help="TOML-configuratie (zie config/spsync.example.toml).")
@click.pass_context
def daemon(ctx: click.Context, config_path: Path) -> None:
    """Draai spsync als dienst: de geplande taken, /healthz en /metrics (stoppen: SIGTERM)."""
    from spsync.daemon import Daemon

    config = _load(config_path)
    setup_logging(max(ctx.obj["verbose"], 1), logfile=config.logging.file)
    try:
        code = Daemon(config).run()
    except UserError as exc:
        _fail(exc)
        return
    finally:
        close_logging()
    sys.exit(code)


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d-%m-%Y %H:%M") if moment else "onbekend"


def _endpoint(config: Any) -> dict[str, Any] | None:
    """The running daemon's /healthz answer, or None when nothing answers."""
    host = config.health.host
    host = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
    url = f"http://{host}:{config.health.port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:  # 503 still carries the JSON verdict
        try:
            return json.loads(exc.read())
        except ValueError:
            return None
    except (OSError, ValueError):
        return None


def _daemon_running(config: Any) -> str:
    import fcntl
    import os

    from spsync.daemon import lock_path

    if (config.state.url or "").startswith("postgresql"):
        return "onbekend (PostgreSQL-state: zie het health-endpoint)"
    path = lock_path(config)
    if not path.exists():
        return "nee"
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return f"ja (pid {pid})" if pid else "ja"
    finally:
        os.close(fd)
    return "nee"


@main.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path), required=True,
              help="TOML-configuratie (zie config/spsync.example.toml).")
def status(config_path: Path) -> None:
    """Toon de toestand van spsync: laatste cyclus, geplande taken, signalen, gezondheid."""
    from spsync.daemon import JOB_NAMES, job_triggers, planned_runs
    from spsync.health import health_verdict
    from spsync.state import open_state

    config = _load(config_path)
    zone = ZoneInfo(config.daemon.timezone)
    now = datetime.now(UTC)
    try:
        store = open_state(config.state, create=False)
    except StateError as exc:
        store = None
        click.echo(f"Statusopslag: {exc.message}")
    last = None
    with store if store is not None else contextlib.nullcontext():
        if store is not None:
            last = store.last_successful_run()
            runs = store.runs(limit=1)
            pending = store.pending(10**9)
            week = store.alerts_between(now - timedelta(days=7), now)
    click.echo(f"Daemon actief: {_daemon_running(config)}")
    if last is not None:
        click.echo(f"Laatste geslaagde cyclus: {_local(last.ended_at, zone)} "
                   f"({last.outcome}, {last.items_written} item(s) bijgewerkt, "
                   f"controledatum {last.controledatum:%d-%m-%Y})")
    else:
        click.echo("Laatste geslaagde cyclus: nog geen")
    if store is not None and runs and (last is None or runs[0].id != last.id):
        latest = runs[0]
        click.echo(f"Laatste run: {_local(latest.started_at, zone)}, "
                   f"uitkomst {latest.outcome or 'niet afgerond'}")
    click.echo("Volgende geplande taken:")
    for job_id, at in planned_runs(config, now).items():
        click.echo(f"  {JOB_NAMES[job_id]}: {_local(at, zone) if at else 'niet meer'}")
    if store is not None:
        by_state: dict[str, int] = {}
        for entry in week:
            by_state[entry.state] = by_state.get(entry.state, 0) + 1
        shown = ", ".join(f"{n} {s}" for s, n in sorted(by_state.items())) or "geen"
        click.echo(f"Openstaande signalen: {len(pending)} (afgelopen 7 dagen: {shown})")
    answer = _endpoint(config)
    if answer is not None:
        ok = answer.get("status") == "ok"
        click.echo(f"Gezondheid (health-endpoint): {'in orde' if ok else 'NIET in orde'}: "
                   f"{answer.get('reden', '')}")
    else:
        trigger = job_triggers(config, with_jitter=False).get("sync")
        ended = (last.ended_at or last.started_at) if last is not None else None
        verdict = health_verdict(now, ended, ended or now, trigger,
                                 timedelta(seconds=config.health.max_age))
        ok = verdict.ok and last is not None
        reason = verdict.reason if last is not None else "er is nog geen geslaagde cyclus"
        click.echo(f"Gezondheid (berekend; health-endpoint niet bereikbaar): "
                   f"{'in orde' if ok else 'NIET in orde'}: {reason}")
    sys.exit(0 if ok else 1)

