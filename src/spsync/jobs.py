"""The daemon's jobs: thin functions from config to one unit of work.

Each builds what it needs (the gateway, as ``spsync run`` does), does one thing through the
modules that own it (``cycle.run_cycle``, the alert step, the report package) and returns what
happened. They know nothing of the scheduler: :mod:`spsync.daemon` takes a mapping of
job name to callable (:data:`DEFAULT_JOBS`), so tests and later steps can put their own in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

from spsync.alerts.channels import build_channels
from spsync.auth import sandbox_token
from spsync.config import Config
from spsync.cycle import CycleOutcome, run_cycle
from spsync.exceptions import StateError
from spsync.gateway import Gateway
from spsync.sharepoint import SharePointGateway, add_response_hook, gateway_for
from spsync.state import StateStore, open_state

__all__ = [
    "DEFAULT_JOBS",
    "ResponseHook",
    "alerts_job",
    "build_gateway",
    "graph_token",
    "open_store",
    "report_job",
    "run_once",
    "sync_job",
]

log = logging.getLogger(__name__)

ResponseHook = Callable[[requests.Response], Any]


@contextmanager
def build_gateway(config: Config, on_response: ResponseHook | None = None
                  ) -> Iterator[SharePointGateway]:
    """The gateway ``spsync run`` builds, closed afterwards; ``on_response`` sees every reply."""
    gateway = gateway_for(config)
    if on_response is not None:
        add_response_hook(gateway, on_response)
    try:
        yield gateway
    finally:
        gateway.close()


def _today(config: Config) -> Any:
    return datetime.now(ZoneInfo(config.daemon.timezone)).date()


def graph_token(config: Config) -> Callable[[], str] | None:
    """A bearer-token callable for Microsoft Graph ``sendMail`` from the same app credential
    (scope ``https://graph.microsoft.com/.default``); the sandbox takes its fixed token."""
    if config.alerts.graph is None:
        return None
    if config.auth.mode == "sandbox":
        return lambda: sandbox_token()["access_token"]
    from spsync.alerts.channels.graph import GRAPH_SCOPE
    from spsync.auth import CertificateTokenProvider
    from spsync.config import token_cache_file

    provider = CertificateTokenProvider(config.auth, config.site.url,
                                        cache_path=token_cache_file(config))
    provider.scopes = [GRAPH_SCOPE]
    return lambda: provider()["access_token"]


@contextmanager
def open_store(config: Config, *, dry_run: bool = False) -> Iterator[StateStore | None]:
    """The state store of ``config``. A dry run changes nothing, so it only reads an existing
    store (for the ledger's facts) and runs without one when there is none yet."""
    if dry_run:
        try:
            store = open_state(config.state, create=False)
        except StateError:
            yield None
            return
    else:
        store = open_state(config.state)
    try:
        yield store
    finally:
        store.close()


def run_once(gateway: Gateway, config: Config, controledatum: date, *, dry_run: bool = False,
             out_dir: Path | None = None, force: bool = False, outbox: Path | None = None,
             store: StateStore | None = None, make_report: bool = True,
             now: datetime | None = None) -> CycleOutcome:
    """One full cycle with everything wired: the state store (opened here unless given), the
    alert channels (``outbox`` replaces them all) and the cycle itself."""
    channels = build_channels(config.alerts, outbox=outbox, gateway=gateway,
                              graph_token=None if outbox else graph_token(config),
                              user_agent_org=config.site.user_agent_org)
    if store is not None:
        return run_cycle(gateway, config, controledatum, dry_run=dry_run, out_dir=out_dir,
                         force=force, store=store, channels=channels, make_report=make_report,
                         now=now)
    with open_store(config, dry_run=dry_run) as opened:
        return run_cycle(gateway, config, controledatum, dry_run=dry_run, out_dir=out_dir,
                         force=force, store=opened, channels=channels, make_report=make_report,
                         now=now)


def sync_job(config: Config, *, on_response: ResponseHook | None = None,
             store: StateStore | None = None) -> CycleOutcome:
    """One sync cycle as of today (``daemon.timezone``): read, check, write back and send the
    alerts that are due; the weekly report is its own job. The cycle records itself in the
    state store, so ``spsync status`` and ``/healthz`` after a restart know the last success."""
    with build_gateway(config, on_response) as gateway:
        return run_once(gateway, config, _today(config), store=store, make_report=False)


def alerts_job(config: Config, *, on_response: ResponseHook | None = None,
               store: StateStore | None = None) -> Mapping[str, int]:
    """The daily alert run: a cycle (alerts are planned from fresh statuses, never from
    yesterday's), then the ledger's rows per state for the metrics."""
    with build_gateway(config, on_response) as gateway:
        run_once(gateway, config, _today(config), store=store, make_report=False)
    if store is None:
        return {}
    return store.alert_counts()


def report_job(config: Config, kind: str, period: str, *,
               on_response: ResponseHook | None = None, store: StateStore | None = None) -> Any:
    """Make the ``kind`` report for ``period`` (``weekly`` ``2026-W20``, ``tertiaal``
    ``2026-M4``, ``jaar`` ``2025-2026``). The weekly report comes with a full cycle; the
    others are read-only (``reporting.make_report``)."""
    if kind == "weekly":
        with build_gateway(config, on_response) as gateway:
            return run_once(gateway, config, _today(config), store=store)
    from spsync.report.periods import resolve_period
    from spsync.reporting import make_report

    kind = {"annual": "jaar"}.get(kind, kind)  # the scheduler's job name -> the report kind
    resolved = resolve_period(kind, config.rules.planjaar_mode, _today(config),
                              period=period if kind == "tertiaal" else None,
                              planjaar_text=period if kind == "jaar" else None)
    with build_gateway(config, on_response) as gateway:
        return make_report(gateway, config, resolved, out_dir=config.report.output_dir,
                           upload=config.report.upload, now=datetime.now(UTC))


#: The jobs the daemon runs unless told otherwise: name -> callable.
DEFAULT_JOBS: Mapping[str, Callable[..., Any]] = {
    "sync": sync_job,
    "alerts": alerts_job,
    "report": report_job,
}
