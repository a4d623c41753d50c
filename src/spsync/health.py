"""``/healthz`` and ``/metrics``: a small stdlib HTTP server in a daemon thread.

The verdict is schedule-aware (:func:`health_verdict`): ``/healthz`` fails only when a sync that
the schedule asked for at least ``max_age`` ago has not been followed by a successful cycle.
A fixed "younger than 2 h" rule would fail every night and weekend (no cycles are scheduled
then) and so teach the administrator to ignore it. A daemon that just started counts its start
as its baseline, so the start-up grace equals ``max_age`` after the first scheduled sync.
stdlib ``ThreadingHTTPServer`` rather than a web framework: two read-only GET routes.
"""

from __future__ import annotations

import errno
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from spsync.exceptions import UserError
from spsync.metrics import CONTENT_TYPE, DaemonMetrics
from spsync.schedule import latest_fire_time

__all__ = ["PORT_IN_USE_EXIT", "HealthServer", "HealthState", "Verdict", "health_verdict"]

log = logging.getLogger(__name__)

#: Exit code when the health port cannot be bound.
PORT_IN_USE_EXIT = 4


@dataclass(frozen=True)
class Verdict:
    """The health verdict: ``ok`` plus a Dutch reason for a person."""

    ok: bool
    reason: str
    #: The scheduled sync time a success was owed for, if any.
    due: datetime | None = None


def health_verdict(now: datetime, last_success: datetime | None, started_at: datetime,
                   sync_trigger: CronTrigger | None, max_age: timedelta) -> Verdict:
    """Healthy unless a sync scheduled at least ``max_age`` before ``now`` has had no successful
    cycle end after it. ``last_success`` is when the last successful cycle *ended* (a run that
    overran the next slot still covers it); the daemon's own start is a baseline."""
    if sync_trigger is None:
        return Verdict(True, "de synchronisatie is niet ingepland")
    due = latest_fire_time(sync_trigger, now - max_age)
    baseline = max(t for t in (last_success, started_at) if t is not None)
    if due is None or baseline >= due:
        if last_success is None:
            return Verdict(True, "nog geen geslaagde cyclus; de eerste is nog niet te laat", due)
        return Verdict(True, f"laatste geslaagde cyclus {_local(last_success, sync_trigger)}", due)
    minutes = int(max_age.total_seconds() // 60)
    since = (f"de laatste geslaagde cyclus was {_local(last_success, sync_trigger)}"
             if last_success else "er is sinds de start nog geen cyclus geslaagd")
    return Verdict(False, f"geen geslaagde cyclus na de geplande synchronisatie van "
                          f"{_local(due, sync_trigger)} (meer dan {minutes} minuten geleden); "
                          f"{since}", due)


def _local(moment: datetime, trigger: CronTrigger) -> str:
    return moment.astimezone(trigger.timezone).strftime("%d-%m-%Y %H:%M")


@dataclass
class HealthState:
    """What the daemon knows about itself; written by job threads, read by HTTP threads."""

    started_at: datetime
    sync_trigger: CronTrigger | None
    max_age: timedelta
    last_success: datetime | None = None
    last_failure: str | None = None
    next_runs: Callable[[], dict[str, datetime | None]] = field(default=dict)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def success(self, at: datetime) -> None:
        with self._lock:
            self.last_success = at

    def failure(self, message: str) -> None:
        with self._lock:
            self.last_failure = message

    def snapshot(self, now: datetime | None = None) -> tuple[Verdict, dict[str, Any]]:
        now = now or self.clock()
        with self._lock:
            last, failure = self.last_success, self.last_failure
        verdict = health_verdict(now, last, self.started_at, self.sync_trigger, self.max_age)
        try:
            upcoming = {k: (v.isoformat() if v else None) for k, v in self.next_runs().items()}
        except Exception:
            upcoming = {}
        body = {
            "status": "ok" if verdict.ok else "fout",
            "reden": verdict.reason,
            "laatste_geslaagde_cyclus": last.isoformat() if last else None,
            "gestart": self.started_at.isoformat(),
            "laatste_fout": failure,
            "volgende_taken": upcoming,
        }
        return verdict, body


class HealthServer:
    """``GET /healthz`` (200 or 503, JSON) and ``GET /metrics`` (Prometheus text)."""

    def __init__(self, state: HealthState, metrics: DaemonMetrics, host: str, port: int) -> None:
        self.state, self.metrics = state, metrics
        handler = _handler(state, metrics)
        try:
            self._server = ThreadingHTTPServer((host, port), handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UserError(
                    f"Poort {port} op {host} is al in gebruik, dus het health-endpoint kan niet "
                    "starten. Stop het programma dat die poort gebruikt (draait spsync al?) of "
                    "kies een andere poort met [health] port in de configuratie.",
                    exit_code=PORT_IN_USE_EXIT) from None
            raise UserError(
                f"Het health-endpoint kan niet luisteren op {host}:{port} ({exc.strerror}). "
                "Controleer [health] host en port in de configuratie.",
                exit_code=PORT_IN_USE_EXIT) from None
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> HealthServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="spsync-health",
                                        daemon=True)
        self._thread.start()
        host, port = self.address
        log.info("Health-endpoint: http://%s:%d/healthz en /metrics", host, port)
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()


def _handler(state: HealthState, metrics: DaemonMetrics) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "spsync-health"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                verdict, body = state.snapshot()
                self._send(200 if verdict.ok else 503, "application/json; charset=utf-8",
                           json.dumps(body, ensure_ascii=False).encode("utf-8"))
            elif path == "/metrics":
                self._send(200, CONTENT_TYPE, metrics.render())
            else:
                self._send(404, "text/plain; charset=utf-8",
                           b"Niet gevonden: gebruik /healthz of /metrics\n")

        def _send(self, status: int, content_type: str, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("health %s", format % args)

    return Handler
