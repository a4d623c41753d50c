"""``spsync daemon``: APScheduler 3.11 ``BlockingScheduler`` running the configured jobs.

Choices (see docs/OPERATIONS.md and ../shared/reference/reporting-scheduling-security.md §3):

- One worker thread: every job talks to the same SharePoint site and state store, so jobs run
  one after another; ``max_instances=1`` and ``coalesce=True`` turn a backlog into one run.
- A memory job store plus an explicit catch-up instead of a persistent job store: at start, a
  report whose scheduled time passed in its period (this ISO week for the weekly report) and
  that the state store has not recorded is made once. Reports are keyed by kind and period in
  the state store, so a re-run or a second restart never makes a second one; nothing is pickled.
- A lock keeps a second daemon off the same state: an exclusive ``fcntl.flock`` on
  ``<state path>.lock`` for SQLite (the kernel drops it when the process dies, even on SIGKILL,
  so there is no stale lock to clean up), a PostgreSQL session advisory lock for a PostgreSQL
  state (held by the daemon's connection, dropped by the server when that connection ends,
  and it works across machines, which a file lock does not). No lease row: a lease needs an
  expiry that is either too short for a long cycle or too long after a crash.
- SIGTERM/SIGINT: the handler only starts a thread that calls ``shutdown(wait=True)``; the
  running job finishes, ``start()`` returns and the process exits 0.
- A job that raises is logged in Dutch and counted; the scheduler and the other jobs go on.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
import threading
import time as _time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import (
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_STARTED,
    JobEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from spsync.config import Config
from spsync.exceptions import SpsyncError, UserError
from spsync.health import HealthServer, HealthState
from spsync.metrics import DaemonMetrics
from spsync.schedule import (
    latest_fire_time,
    make_trigger,
    next_fire_times,
    period_window_start,
    report_period,
)

__all__ = [
    "JOB_NAMES",
    "LOCKED_EXIT",
    "REPORT_JOBS",
    "Daemon",
    "DaemonLock",
    "acquire_lock",
    "job_triggers",
    "lock_path",
    "missed_reports",
    "planned_runs",
]

log = logging.getLogger(__name__)

#: Exit code when another daemon holds the lock on the same state.
LOCKED_EXIT = 3
#: Scheduler job id -> report kind.
REPORT_JOBS = {"weekly_report": "weekly", "tertiaal_report": "tertiaal",
               "annual_report": "annual"}
#: Human names of the jobs (status output, logs).
JOB_NAMES = {"sync": "synchronisatie", "alerts": "signalen", "weekly_report": "weekrapport",
             "tertiaal_report": "tertiaalrapport", "annual_report": "jaarrapport"}
#: Advisory-lock key for a PostgreSQL state: the first 8 bytes of "spsync-d" as an integer.
_PG_LOCK_KEY = int.from_bytes(b"spsync-d", "big") & 0x7FFF_FFFF_FFFF_FFFF


# -- the lock ------------------------------------------------------------------------------

def lock_path(config: Config) -> Path:
    """``daemon.lock_path``, else the SQLite state file's path plus ``.lock``."""
    if config.daemon.lock_path is not None:
        return config.daemon.lock_path
    if config.state.url:
        from sqlalchemy.engine import make_url

        with contextlib.suppress(Exception):
            url = make_url(config.state.url)
            if url.get_backend_name() == "sqlite" and url.database:
                return Path(url.database + ".lock")
    return Path(str(config.state.path) + ".lock")


def _is_postgres(config: Config) -> bool:
    return (config.state.url or "").startswith(("postgresql", "postgres:"))


@dataclass
class DaemonLock:
    """A held lock; :meth:`release` (or process exit) frees it."""

    where: str
    _release: Callable[[], None]

    def release(self) -> None:
        self._release()


def _locked_error(where: str, holder: str) -> UserError:
    return UserError(
        f"Er draait al een spsync-daemon op deze state ({holder}; slot: {where}). Stop die "
        "eerst (bijvoorbeeld met systemctl stop spsync), of geef deze daemon een eigen "
        "[state] path.", exit_code=LOCKED_EXIT)


def acquire_lock(config: Config) -> DaemonLock:
    """Take the daemon lock or raise a Dutch ``UserError`` (exit code :data:`LOCKED_EXIT`)."""
    if _is_postgres(config):
        return _pg_lock(config)
    path = lock_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        os.close(fd)
        raise _locked_error(str(path), f"pid {holder}" if holder else "pid onbekend") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)

    def _release() -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    return DaemonLock(str(path), _release)


def _pg_lock(config: Config) -> DaemonLock:
    """A session advisory lock on the state database, held by one dedicated connection."""
    from sqlalchemy import text

    from spsync.state.connect import make_engine

    engine = make_engine(config.state, create=False)
    conn = engine.connect()
    got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _PG_LOCK_KEY}).scalar()
    if not got:
        conn.close()
        engine.dispose()
        raise _locked_error("PostgreSQL advisory lock", "een andere verbinding")
    conn.commit()

    def _release() -> None:
        with contextlib.suppress(Exception):
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
            conn.close()
            engine.dispose()

    return DaemonLock("PostgreSQL advisory lock", _release)


# -- schedule facts ------------------------------------------------------------------------

def job_triggers(config: Config, *, with_jitter: bool) -> dict[str, CronTrigger]:
    zone = config.daemon.timezone
    return {name: make_trigger(job.cron_fields(), zone, job.jitter if with_jitter else 0)
            for name, job in config.daemon.jobs().items() if job.enabled}


def planned_runs(config: Config, now: datetime) -> dict[str, datetime | None]:
    """The next fire time of every enabled job after ``now`` (without jitter)."""
    return {name: next(iter(next_fire_times(trigger, now, 1)), None)
            for name, trigger in job_triggers(config, with_jitter=False).items()}


def missed_reports(config: Config, now: datetime,
                   recorded: Callable[[str, str], bool]) -> list[tuple[str, str, datetime]]:
    """Reports whose scheduled time in the current period has passed but that ``recorded``
    (kind, period) does not know: ``[(job id, period, scheduled time)]``."""
    zone = ZoneInfo(config.daemon.timezone)
    now_local = now.astimezone(zone)
    missed = []
    for job_id, trigger in job_triggers(config, with_jitter=False).items():
        kind = REPORT_JOBS.get(job_id)
        if kind is None:
            continue
        fired = latest_fire_time(trigger, now_local)
        if fired is None or fired < period_window_start(kind, now_local):
            continue
        period = report_period(kind, fired.astimezone(zone).date(), config.rules.planjaar_mode)
        if not recorded(kind, period):
            missed.append((job_id, period, fired))
    return missed


# -- the daemon ----------------------------------------------------------------------------

class Daemon:
    """The scheduler, its jobs, health and metrics, for one config.

    ``jobs`` maps ``sync``, ``alerts`` and ``report`` to callables with the signatures of
    :mod:`spsync.jobs` (default :data:`spsync.jobs.DEFAULT_JOBS`); ``store`` is the state store
    (default: ``spsync.state.open_state(config.state)``); ``clock`` gives "now" for the
    catch-up decision and health (tests move it; the scheduler itself keeps real time).
    """

    def __init__(self, config: Config, jobs: Mapping[str, Callable[..., Any]] | None = None,
                 *, store: Any = None, clock: Callable[[], datetime] | None = None) -> None:
        if jobs is None:
            from spsync.jobs import DEFAULT_JOBS

            jobs = DEFAULT_JOBS
        self.config = config
        self.jobs = dict(jobs)
        self.clock = clock or (lambda: datetime.now(UTC))
        self._store = store
        self._owns_store = store is None
        self.metrics = DaemonMetrics()
        self.zone = ZoneInfo(config.daemon.timezone)
        self.scheduler = BlockingScheduler(
            timezone=self.zone,
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1})
        sync_trigger = job_triggers(config, with_jitter=False).get("sync")
        self.health = HealthState(started_at=self.clock(), sync_trigger=sync_trigger,
                                  max_age=timedelta(seconds=config.health.max_age),
                                  next_runs=self._next_runs, clock=self.clock)
        self.scheduler.add_listener(self._skipped, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
        self.health_server: HealthServer | None = None
        self._stopping = threading.Lock()
        self._stop_thread: threading.Thread | None = None
        self._lock: DaemonLock | None = None
        #: Set when the scheduler has started / when ``run`` is over (a stop waits for either).
        self._started, self._done = threading.Event(), threading.Event()
        self.scheduler.add_listener(lambda _e: self._started.set(), EVENT_SCHEDULER_STARTED)

    # -- state store (opened lazily so `status` and tests can hand one in) --
    @property
    def store(self) -> Any:
        if self._store is None:
            from spsync.state import open_state

            self._store = open_state(self.config.state)
        return self._store

    def _recorded(self, kind: str, period: str) -> bool:
        return self.store.report_record(kind, period) is not None

    def _next_runs(self) -> dict[str, datetime | None]:
        if self.scheduler.state == STATE_STOPPED:
            return {}
        return {job.id: job.next_run_time for job in self.scheduler.get_jobs()}

    # -- building --
    def add_jobs(self) -> None:
        """Every enabled job with its trigger, ``max_instances=1``, ``coalesce=True`` and its
        own ``misfire_grace_time``."""
        for job_id, trigger in job_triggers(self.config, with_jitter=True).items():
            job = self.config.daemon.jobs()[job_id]
            self.scheduler.add_job(self._run_job, trigger, args=[job_id], id=job_id,
                                   name=JOB_NAMES[job_id], max_instances=1, coalesce=True,
                                   misfire_grace_time=job.misfire_grace_time)

    def add_catch_up(self) -> list[tuple[str, str]]:
        """Schedule a missed report of the current period to run now, once."""
        if not self.config.daemon.catch_up_reports:
            return []
        planned = []
        for job_id, period, fired in missed_reports(self.config, self.clock(), self._recorded):
            log.info("Inhalen: %s voor %s was gepland op %s en is nog niet gemaakt; het wordt "
                     "nu gemaakt.", JOB_NAMES[job_id], period,
                     fired.astimezone(self.zone).strftime("%d-%m-%Y %H:%M"))
            self.scheduler.add_job(self._run_job, DateTrigger(datetime.now(self.zone)),
                                   args=[job_id, period], id=f"{job_id}-inhalen",
                                   name=f"{JOB_NAMES[job_id]} inhalen", max_instances=1,
                                   coalesce=True, misfire_grace_time=None)
            planned.append((job_id, period))
        return planned

    def _skipped(self, event: JobEvent) -> None:
        """APScheduler's own notices, in Dutch (its logger is kept to errors)."""
        label = JOB_NAMES.get(event.job_id, event.job_id)
        when = event.scheduled_run_time.astimezone(self.zone).strftime("%d-%m-%Y %H:%M:%S")
        if event.code == EVENT_JOB_MISSED:
            log.warning("Taak %s van %s is overgeslagen: later dan misfire_grace_time.", label,
                        when)
        else:
            log.info("Taak %s van %s is overgeslagen: de vorige loopt nog.", label, when)
        self.metrics.record_job(event.job_id, "overgeslagen")

    # -- running one job --
    def _run_job(self, job_id: str, period: str | None = None) -> None:
        """Run one job; never raises (one failing job must not stop the others)."""
        started = _time.monotonic()
        label = JOB_NAMES.get(job_id, job_id)
        if self._stopping.locked():  # queued behind the job that was running at the signal
            log.info("Taak %s overgeslagen: spsync stopt.", label)
            return
        try:
            if job_id == "sync":
                outcome = self._sync()
            elif job_id == "alerts":
                outcome = self._alerts()
            else:
                outcome = self._report(REPORT_JOBS[job_id], period)
        except Exception as exc:
            message = exc.message if isinstance(exc, SpsyncError) and exc.message else str(exc)
            log.error("Taak %s is mislukt: %s: %s", label, type(exc).__name__, message)
            log.debug("Details van de mislukte taak %s", label, exc_info=True)
            self.health.failure(f"{label}: {message}"[:300])
            self.metrics.record_job(job_id, "fout")
            if job_id == "sync":
                self.metrics.record_cycle("fout", _time.monotonic() - started, {})
            return
        self.metrics.record_job(job_id, outcome)
        log.info("Taak %s klaar (%s) in %.1f s", label, outcome, _time.monotonic() - started)

    def _sync(self) -> str:
        started = _time.monotonic()
        result = self.jobs["sync"](self.config, on_response=self.metrics.observe_response,
                                   store=self.store)
        code = getattr(result, "exit_code", 0)
        outcome = "ok" if code == 0 else "problemen"
        ended = self.clock()
        written = dict(getattr(result, "written", None) or {})
        self.metrics.record_cycle(outcome, _time.monotonic() - started, written,
                                  ended.timestamp())
        if outcome == "ok":
            self.health.success(ended)
        return outcome

    def _alerts(self) -> str:
        counts = self.jobs["alerts"](self.config, on_response=self.metrics.observe_response,
                                     store=self.store)
        if isinstance(counts, Mapping):
            self.metrics.record_alerts(counts)
        return "ok"

    def _report(self, kind: str, period: str | None) -> str:
        if period is None:
            period = report_period(kind, self.clock().astimezone(self.zone).date(),
                                   self.config.rules.planjaar_mode)
        if self._recorded(kind, period):
            log.info("Het %s-rapport voor %s is al gemaakt; niets te doen.", kind, period)
            return "al gemaakt"
        result = self.jobs["report"](self.config, kind, period,
                                     on_response=self.metrics.observe_response, store=self.store)
        path = getattr(result, "report_path", None)
        uploaded = getattr(result, "uploaded", None)
        self.store.record_report(getattr(result, "run_id", None), kind, period,
                                 path=str(path) if path else None,
                                 url=getattr(uploaded, "server_relative_url", None),
                                 at=datetime.now(UTC))
        return "ok"

    # -- life cycle --
    def request_stop(self, *_args: Any) -> None:
        """Signal-safe: start one thread that shuts the scheduler down after the running job."""
        if not self._stopping.acquire(blocking=False):
            return
        log.info("Stoppen gevraagd: de lopende taak wordt afgemaakt, daarna stopt spsync.")
        self._stop_thread = threading.Thread(target=self._shutdown, name="spsync-stop")
        self._stop_thread.start()

    def _shutdown(self) -> None:
        # A signal during start-up: wait until the scheduler runs (or run() gave up), else
        # shutdown() would find nothing to stop and start() would then block for ever.
        while not (self._started.wait(0.1) or self._done.is_set()):
            pass
        with contextlib.suppress(Exception):
            self.scheduler.shutdown(wait=True)

    @contextlib.contextmanager
    def _running(self) -> Iterator[None]:
        self._lock = acquire_lock(self.config)
        try:
            last = self.store.last_successful_run()
            if last is not None:
                self.health.success(last.ended_at or last.started_at)
                self.metrics.last_success.set((last.ended_at or last.started_at).timestamp())
            if self.config.health.enabled:
                self.health_server = HealthServer(self.health, self.metrics,
                                                  self.config.health.host,
                                                  self.config.health.port).start()
            yield
        finally:
            if self.health_server is not None:
                self.health_server.stop()
            if self._owns_store and self._store is not None:
                self._store.close()
            self._lock.release()

    def run(self, *, install_signals: bool = True) -> int:
        """Run until stopped; returns the exit code (0). Raises ``UserError`` when another
        daemon holds the state or the health port is taken."""
        # Its INFO/WARNING lines are English and said again in Dutch by ``_skipped``/``_run_job``.
        logging.getLogger("apscheduler").setLevel(logging.ERROR)
        try:
            self._run(install_signals)
        finally:
            self._done.set()
        log.info("spsync-daemon gestopt.")
        return 0

    def _run(self, install_signals: bool) -> None:
        with self._running():
            self.add_jobs()
            self.add_catch_up()
            if install_signals:
                signal.signal(signal.SIGTERM, self.request_stop)
                signal.signal(signal.SIGINT, self.request_stop)
            for job_id, at in planned_runs(self.config, self.clock()).items():
                log.info("Gepland: %s, eerstvolgende keer %s", JOB_NAMES[job_id],
                         at.astimezone(self.zone).strftime("%d-%m-%Y %H:%M") if at else "nooit")
            log.info("spsync-daemon gestart (tijdzone %s).", self.config.daemon.timezone)
            self.scheduler.start()
            if self._stop_thread is not None:
                self._stop_thread.join()

    def stop(self) -> None:
        """Stop from another thread (tests): like SIGTERM, waits for the running job."""
        self.request_stop()
        if self._stop_thread is not None:
            self._stop_thread.join()
