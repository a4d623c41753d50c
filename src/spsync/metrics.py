"""Prometheus metrics of the daemon, in a registry of its own.

A private ``CollectorRegistry`` (not prometheus-client's global one) keeps two daemons in one
test process apart and keeps the library's process/platform collectors out of spsync's page.
The gateway reports every HTTP response through :meth:`DaemonMetrics.observe_response`
(``sharepoint.add_response_hook``), so 429s the client library retried by itself are counted too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE", "DaemonMetrics"]

CONTENT_TYPE = CONTENT_TYPE_LATEST

#: A cycle takes seconds on the demo and minutes on 100k bookings.
_DURATION_BUCKETS = (1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600)


class DaemonMetrics:
    """Counters, a histogram and gauges for one daemon process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.cycles = Counter("spsync_cycles", "Sync cycles by outcome (ok, problemen, fout).",
                              ["outcome"], registry=r)
        self.cycle_duration = Histogram("spsync_cycle_duration_seconds",
                                        "Duration of a sync cycle.", buckets=_DURATION_BUCKETS,
                                        registry=r)
        self.http_requests = Counter("spsync_http_requests",
                                     "HTTP responses from SharePoint by status code.",
                                     ["status"], registry=r)
        self.items_written = Counter("spsync_items_written",
                                     "List items written back, by list.", ["list"], registry=r)
        self.alerts = Counter("spsync_alerts", "Alerts handled, by ledger state.", ["state"],
                              registry=r)
        self.jobs = Counter("spsync_jobs", "Scheduled job runs by job and outcome.",
                            ["job", "outcome"], registry=r)
        self.last_success = Gauge("spsync_last_success_timestamp_seconds",
                                  "Unix time at which the last successful cycle ended.",
                                  registry=r)
        for outcome in ("ok", "problemen", "fout"):
            self.cycles.labels(outcome=outcome)
        self.http_requests.labels(status="429")

    def observe_response(self, response: Any, *_args: Any, **_kwargs: Any) -> None:
        """A ``requests`` response hook: count the response by its status code."""
        self.http_requests.labels(status=str(getattr(response, "status_code", "0"))).inc()

    def record_cycle(self, outcome: str, duration_s: float, written: Mapping[str, int],
                     ended_at_unix: float | None = None) -> None:
        """One cycle: its outcome, its duration, the items it wrote; on "ok" the success time."""
        self.cycles.labels(outcome=outcome).inc()
        self.cycle_duration.observe(duration_s)
        for list_key, count in written.items():
            self.items_written.labels(list=list_key).inc(count)
        if outcome == "ok" and ended_at_unix is not None:
            self.last_success.set(ended_at_unix)

    def record_alerts(self, counts: Mapping[str, int]) -> None:
        """Alerts of one run by state (``sent``, ``failed``, ``pending``)."""
        for state, count in counts.items():
            self.alerts.labels(state=state).inc(count)

    def record_job(self, job: str, outcome: str) -> None:
        self.jobs.labels(job=job, outcome=outcome).inc()

    def render(self) -> bytes:
        """The Prometheus text exposition of this registry."""
        return generate_latest(self.registry)
