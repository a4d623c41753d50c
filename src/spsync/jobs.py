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
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import requests

from spsync.config import Config
from spsync.cycle import CycleOutcome, run_cycle
from spsync.exceptions import UserError
from spsync.sharepoint import SharePointGateway, add_response_hook

__all__ = [
    "DEFAULT_JOBS",
    "ResponseHook",
    "alerts_job",
    "build_gateway",
    "report_job",
    "sync_job",
]

log = logging.getLogger(__name__)

ResponseHook = Callable[[requests.Response], Any]


@contextmanager
def build_gateway(config: Config, on_response: ResponseHook | None = None
                  ) -> Iterator[SharePointGateway]:
    """The gateway ``spsync run`` builds, closed afterwards; ``on_response`` sees every reply."""
    from spsync.auth import token_provider

    gateway = SharePointGateway(
        config.site.url, token_provider(config.auth, config.site.url),
        user_agent_org=config.site.user_agent_org,
        timeout=(config.http.connect_timeout, config.http.read_timeout),
        page_size=config.http.page_size, batch_size=config.http.batch_size,
        max_retries=config.http.max_retries)
    if on_response is not None:
        add_response_hook(gateway, on_response)
    try:
        yield gateway
    finally:
        gateway.close()


def _today(config: Config) -> Any:
    return datetime.now(ZoneInfo(config.daemon.timezone)).date()


def sync_job(config: Config, *, on_response: ResponseHook | None = None,
             store: Any = None) -> CycleOutcome:
    """One sync cycle as of today (``daemon.timezone``): read, check, write back, report.

    With a state ``store`` the run is recorded (``begin_run``/``finish_run``: outcome, counts,
    HTTP requests made, items written), so ``spsync status`` and ``/healthz`` after a restart
    know the last successful cycle."""
    day = _today(config)
    requests_made = 0

    def _count(response: requests.Response) -> None:
        nonlocal requests_made
        requests_made += 1
        if on_response is not None:
            on_response(response)

    run_id = None
    if store is not None:
        run_id = store.begin_run(controledatum=day, started_at=datetime.now(UTC), dry_run=False)
    try:
        with build_gateway(config, _count) as gateway:
            outcome = run_cycle(gateway, config, day)
    except BaseException as exc:
        if store is not None and run_id is not None:
            store.finish_run(run_id, outcome="fout", ended_at=datetime.now(UTC), read_counts={},
                             requests=requests_made, items_written=0,
                             details={"fout": type(exc).__name__})
        raise
    if store is not None and run_id is not None:
        store.finish_run(run_id, outcome="ok" if outcome.exit_code == 0 else "problemen",
                         ended_at=datetime.now(UTC), read_counts=outcome.read_counts,
                         requests=requests_made, items_written=sum(outcome.written.values()),
                         details={"problemen": outcome.problems[:20]})
    return outcome


def alerts_job(config: Config, *, on_response: ResponseHook | None = None,
               store: Any = None) -> Mapping[str, int]:
    """The alert run; returns the number of alerts per ledger state (for the metrics).

    The alert step (S3) plugs in here; until it is wired this job says so and sends nothing."""
    log.info("Signalen: de signaleringsstap is in deze versie nog niet gekoppeld aan de "
             "daemon; er is niets verstuurd.")
    return {}


def report_job(config: Config, kind: str, period: str, *,
               on_response: ResponseHook | None = None, store: Any = None) -> Any:
    """Make the ``kind`` report for ``period`` (``weekly`` ``2026-W20``, ``tertiaal``
    ``2026-M4``, ``annual`` ``2025-2026``). The weekly report is the cycle's own report today."""
    if kind == "weekly":
        return sync_job(config, on_response=on_response, store=store)
    raise UserError(f"Het {kind}-rapport ({period}) kan deze versie nog niet maken; "
                    f"zet [daemon.{kind}_report] enabled = false.")


#: The jobs the daemon runs unless told otherwise: name -> callable.
DEFAULT_JOBS: Mapping[str, Callable[..., Any]] = {
    "sync": sync_job,
    "alerts": alerts_job,
    "report": report_job,
}
