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
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import requests

from spsync.config import Config
from spsync.cycle import CycleOutcome, run_cycle
from spsync.exceptions import UserError
from spsync.sharepoint import SharePointGateway, add_response_hook

__all__ = ["ResponseHook", "build_gateway", "sync_job", "alerts_job", "report_job",
           "DEFAULT_JOBS"]

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


def sync_job(config: Config, on_response: ResponseHook | None = None) -> CycleOutcome:
    """One sync cycle as of today (Europe/Amsterdam): read, check, write back, report."""
    with build_gateway(config, on_response) as gateway:
        return run_cycle(gateway, config, _today(config))


def alerts_job(config: Config, on_response: ResponseHook | None = None) -> Mapping[str, int]:
    """The alert run; returns the number of alerts per ledger state (for the metrics).

    The alert step (S3) plugs in here; until it exists this job says so and sends nothing."""
    log.info("Signalen: de signaleringsstap is in deze versie nog niet beschikbaar; "
             "er is niets verstuurd.")
    return {}


def report_job(config: Config, kind: str, period: str,
               on_response: ResponseHook | None = None) -> Any:
    """Make the ``kind`` report for ``period`` (``weekly`` ``2026-W20``, ``tertiaal``
    ``2026-M4``, ``annual`` ``2025-2026``). The weekly report is the cycle's own report today."""
    if kind == "weekly":
        return sync_job(config, on_response)
    raise UserError(f"Het {kind}-rapport ({period}) kan deze versie nog niet maken; "
                    f"zet [daemon.{kind}_report] enabled = false.")


#: The jobs the daemon runs unless told otherwise: name -> callable.
DEFAULT_JOBS: Mapping[str, Callable[..., Any]] = {
    "sync": sync_job,
    "alerts": alerts_job,
    "report": report_job,
}
