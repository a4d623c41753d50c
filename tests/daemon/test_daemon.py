"""The daemon in this process with injected jobs: cycles, a failing cycle, health, metrics,
catch-up of a missed weekly report, and the real sync job against the sandbox."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families

from spsync.cli import main
from spsync.config import config_from_dict
from spsync.daemon import Daemon, acquire_lock
from spsync.exceptions import UserError
from spsync.state import open_state

from .helpers import fast_config, fast_config_dict, health, metrics, wait_for, write_toml

AMS = ZoneInfo("Europe/Amsterdam")


class Jobs:
    """Injected job callables that record their calls; sync call ``fail_on`` raises."""

    def __init__(self, fail_on: frozenset[int] = frozenset(), written: int = 2) -> None:
        self.sync_calls: list[int] = []
        self.reports: list[tuple[str, str]] = []
        self.fail_on, self.written = fail_on, written
        self.lock = threading.Lock()

    def sync(self, config, *, on_response=None, store=None):
        with self.lock:
            n = len(self.sync_calls) + 1
            self.sync_calls.append(n)
        if on_response is not None:  # as the gateway's response hook would
            on_response(SimpleNamespace(status_code=200))
            on_response(SimpleNamespace(status_code=429))
        if n in self.fail_on:
            raise RuntimeError("SharePoint gaf onzin terug")
        return SimpleNamespace(exit_code=0, written={"projecten": self.written})

    def alerts(self, config, *, on_response=None, store=None):
        return {"sent": 3, "failed": 1}

    def report(self, config, kind, period, *, on_response=None, store=None):
        with self.lock:
            self.reports.append((kind, period))
        return SimpleNamespace(report_path=config.report.output_dir / f"{period}.docx",
                               uploaded=None)

    def mapping(self):
        return {"sync": self.sync, "alerts": self.alerts, "report": self.report}


@contextmanager
def running(daemon: Daemon) -> Iterator[str]:
    """Run ``daemon`` in a thread; yields the health base URL; stops it like SIGTERM would."""
    errors: list[BaseException] = []

    def _run() -> None:
        try:
            daemon.run(install_signals=False)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=_run)
    thread.start()
    try:
        wait_for(lambda: daemon.health_server is not None or errors, what="daemon start")
        if errors:
            raise errors[0]
        wait_for(lambda: daemon.scheduler.running, what="scheduler running")
        host, port = daemon.health_server.address
        yield f"http://{host}:{port}"
    finally:
        daemon.stop()
        thread.join(timeout=30)
        assert not thread.is_alive()
    if errors:
        raise errors[0]


def test_several_cycles_survive_a_failing_one_and_health_and_metrics_answer(tmp_path, caplog):
    jobs = Jobs(fail_on=frozenset({2}))
    daemon = Daemon(fast_config(tmp_path, alerts={"second": "*/2", "hour": "*", "minute": "*"}),
                    jobs.mapping())
    with running(daemon) as base:
        wait_for(lambda: len(jobs.sync_calls) >= 5, what="five cycles")
        status, body = health(base)
        page = metrics(base)
    assert jobs.sync_calls[:4] == [1, 2, 3, 4]  # the one after the failure ran
    assert status == 200 and body["status"] == "ok" and body["laatste_geslaagde_cyclus"]
    assert "sync" in body["volgende_taken"]
    ok = page[("spsync_cycles_total", (("outcome", "ok"),))]
    assert ok >= 3 and page[("spsync_cycles_total", (("outcome", "fout"),))] == 1
    assert page[("spsync_cycle_duration_seconds_count", ())] >= ok + 1
    assert page[("spsync_http_requests_total", (("status", "429"),))] >= 4
    assert page[("spsync_items_written_total", (("list", "projecten"),))] >= 2 * 3
    # the other job kept running beside the failing one (exact counts once it has stopped)
    final = {(s.name, tuple(sorted(s.labels.items()))): s.value for family in
             text_string_to_metric_families(daemon.metrics.render().decode()) for s in
             family.samples}
    alert_runs = final[("spsync_jobs_total", (("job", "alerts"), ("outcome", "ok")))]
    assert alert_runs >= 1
    assert final[("spsync_alerts_total", (("state", "sent"),))] == 3 * alert_runs
    assert final[("spsync_alerts_total", (("state", "failed"),))] == alert_runs
    assert final[("spsync_cycles_total", (("outcome", "ok"),))] == len(jobs.sync_calls) - 1
    assert page[("spsync_last_success_timestamp_seconds", ())] > datetime.now(UTC).timestamp() - 60
    assert "Taak synchronisatie is mislukt: RuntimeError: SharePoint gaf onzin terug" in caplog.text
    assert "Traceback" not in caplog.text.split("mislukt")[0]


def test_healthz_fails_when_no_cycle_succeeds_after_a_due_sync_and_recovers(tmp_path):
    offset = timedelta(0)
    jobs = Jobs(fail_on=frozenset(range(1, 10_000)))  # every cycle fails

    def clock() -> datetime:
        return datetime.now(UTC) + offset

    daemon = Daemon(fast_config(tmp_path), jobs.mapping(), clock=clock)
    with running(daemon) as base:
        wait_for(lambda: len(jobs.sync_calls) >= 1, what="a cycle")
        assert health(base)[0] == 200  # within the start-up grace
        offset = timedelta(hours=2)  # two hours on, nothing succeeded
        status, body = health(base)
        assert status == 503 and body["status"] == "fout"
        assert "geen geslaagde cyclus na de geplande synchronisatie" in body["reden"]
        assert body["laatste_fout"].startswith("synchronisatie: SharePoint gaf onzin terug")
        jobs.fail_on = frozenset()  # SharePoint is back
        calls = len(jobs.sync_calls)
        wait_for(lambda: len(jobs.sync_calls) > calls + 1, what="a good cycle")
        assert health(base)[0] == 200


def test_a_second_daemon_on_the_same_state_is_refused(tmp_path):
    config = fast_config(tmp_path)
    first = acquire_lock(config)
    try:
        with pytest.raises(UserError) as err:
            Daemon(config, Jobs().mapping()).run(install_signals=False)
        assert err.value.exit_code == 3
        assert "Er draait al een spsync-daemon op deze state" in err.value.message
    finally:
        first.release()
    acquire_lock(config).release()  # free again once the first is gone


def _weekly_config(tmp_path):
    data = fast_config_dict(tmp_path)
    data["daemon"] = {"timezone": "Europe/Amsterdam", "sync": {"enabled": False},
                      "alerts": {"enabled": False}}  # weekly report: Monday 07:00 (default)
    return config_from_dict(data, "test")


@pytest.mark.parametrize("restart_at", [datetime(2026, 5, 19, 10, tzinfo=AMS),   # Tuesday
                                        datetime(2026, 5, 24, 22, tzinfo=AMS)])  # Sunday night
def test_a_daemon_down_over_monday_makes_that_weeks_report_once(tmp_path, restart_at):
    config = _weekly_config(tmp_path)
    jobs = Jobs()
    first = Daemon(config, jobs.mapping(), clock=lambda: restart_at)
    with running(first):
        wait_for(lambda: jobs.reports, what="the catch-up report")
        wait_for(lambda: first.scheduler.get_job("weekly_report-inhalen") is None,
                 what="catch-up done")
    assert jobs.reports == [("weekly", "2026-W21")]
    with open_state(config.state) as store:
        record = store.report_record("weekly", "2026-W21")
        assert record is not None and record.path.endswith("2026-W21.docx")
    # A second restart in the same week: recorded, so nothing is made again.
    second = Daemon(config, jobs.mapping(), clock=lambda: restart_at + timedelta(hours=1))
    with running(second):
        assert second.scheduler.get_job("weekly_report-inhalen") is None
        assert second.scheduler.get_job("weekly_report") is not None
    assert jobs.reports == [("weekly", "2026-W21")]


def test_no_catch_up_before_this_weeks_time_or_when_switched_off(tmp_path):
    config = _weekly_config(tmp_path)
    jobs = Jobs()
    early = Daemon(config, jobs.mapping(), clock=lambda: datetime(2026, 5, 18, 6, 59, tzinfo=AMS))
    with running(early):
        assert early.scheduler.get_job("weekly_report-inhalen") is None
    data = fast_config_dict(tmp_path)
    data["daemon"] = {"timezone": "Europe/Amsterdam", "sync": {"enabled": False},
                      "catch_up_reports": False}
    off = Daemon(config_from_dict(data), jobs.mapping(),
                 clock=lambda: datetime(2026, 5, 19, 10, tzinfo=AMS))
    with running(off):
        assert off.scheduler.get_job("weekly_report-inhalen") is None
    assert jobs.reports == []


def test_the_real_sync_job_runs_cycles_against_the_sandbox(sandbox, tmp_path):
    """Default jobs: the gateway over real HTTP, the run recorded in the real state store."""
    config = fast_config(tmp_path, sandbox.site_url)
    daemon = Daemon(config)
    with running(daemon) as base:
        wait_for(lambda: daemon.health.last_success is not None, timeout=120,
                 what="a successful cycle")
        status, _ = health(base)
        page = metrics(base)
    assert status == 200
    assert page[("spsync_cycles_total", (("outcome", "ok"),))] >= 1
    assert page[("spsync_http_requests_total", (("status", "200"),))] >= 5
    assert page[("spsync_items_written_total", (("list", "projecten"),))] >= 1
    with open_state(config.state) as store:
        run = store.last_successful_run()
        runs = store.runs(limit=100)
    assert run is not None and run.outcome == "ok" and run.requests >= 5
    assert run.ended_at >= run.started_at
    # More cycles may have run before the stop; the first one wrote the statuses.
    assert [r.outcome for r in runs] == ["ok"] * len(runs) and runs[-1].items_written > 0
    merges = [r for r in sandbox.requests if r.method.upper() == "MERGE"]
    assert merges, "the cycle wrote back to the sandbox"
    # `spsync status` tells a person the same from the state store (the daemon has stopped)
    path = write_toml(tmp_path / "spsync.toml", fast_config_dict(tmp_path, sandbox.site_url))
    result = CliRunner().invoke(main, ["status", "--config", str(path)])
    ended = run.ended_at.astimezone(ZoneInfo("UTC")).strftime("%d-%m-%Y %H:%M")
    assert result.exit_code == 0, result.output
    assert "Daemon actief: nee" in result.output
    assert f"Laatste geslaagde cyclus: {ended} (ok, {run.items_written} item(s) bijgewerkt" \
        in result.output
    assert "Volgende geplande taken:\n  synchronisatie: " in result.output
    assert "Openstaande signalen: 0" in result.output
    assert "Gezondheid (berekend; health-endpoint niet bereikbaar): in orde" in result.output


def test_a_stop_asked_before_the_scheduler_runs_still_ends_the_daemon(tmp_path):
    jobs = Jobs()
    daemon = Daemon(fast_config(tmp_path), jobs.mapping())
    daemon.request_stop()  # e.g. SIGTERM while the daemon was still starting
    thread = threading.Thread(target=daemon.run, kwargs={"install_signals": False})
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive()
    acquire_lock(daemon.config).release()  # and the lock is free again
