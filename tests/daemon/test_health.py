"""The health verdict is schedule-aware: quiet nights and weekends pass, a stalled daemon fails."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from spsync.exceptions import UserError
from spsync.health import HealthServer, HealthState, health_verdict
from spsync.metrics import DaemonMetrics
from spsync.schedule import make_trigger

from .helpers import get

AMS = ZoneInfo("Europe/Amsterdam")
SYNC = make_trigger({"day_of_week": "mon-fri", "hour": "7-18", "minute": "0,30"},
                    "Europe/Amsterdam")
TWO_HOURS = timedelta(hours=2)
LONG_AGO = datetime(2026, 1, 1, tzinfo=AMS)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 5, day, hour, minute, tzinfo=AMS)  # 2026-05-18 is a Monday


@pytest.mark.parametrize(("now", "last", "ok"), [
    (_at(18, 12), _at(18, 11, 31), True),    # working hours, fresh
    (_at(18, 11, 59), _at(18, 9, 45), True),  # the 10:00 slot is not yet 2 h ago
    (_at(18, 12, 1), _at(18, 9, 45), False),  # the 10:00 sync was 2 h ago, nothing since
    (_at(23, 12), _at(22, 18, 35), True),    # Saturday: last slot Friday 18:30 was covered
    (_at(25, 6, 59), _at(22, 18, 35), True),  # Monday before the first slot
    (_at(25, 9, 1), _at(22, 18, 35), False),  # Monday: 07:00 owed since 09:00
    (_at(22, 20, 29), _at(22, 18, 20), True),  # the 18:30 slot is not yet 2 h ago
    (_at(22, 20, 31), _at(22, 18, 20), False),
])
def test_verdict_follows_the_schedule(now, last, ok):
    verdict = health_verdict(now, last, LONG_AGO, SYNC, TWO_HOURS)
    assert verdict.ok is ok, verdict.reason
    if not ok:
        assert verdict.reason.startswith("geen geslaagde cyclus na de geplande synchronisatie")
        assert "meer dan 120 minuten geleden" in verdict.reason


def test_a_fresh_start_has_max_age_to_make_its_first_cycle():
    started = _at(18, 10, 5)
    assert health_verdict(_at(18, 12, 0), None, started, SYNC, TWO_HOURS).ok
    late = health_verdict(_at(18, 12, 31), None, started, SYNC, TWO_HOURS)
    assert not late.ok and "er is sinds de start nog geen cyclus geslaagd" in late.reason
    # a start on Saturday is healthy until Monday's first sync is overdue
    assert health_verdict(_at(25, 8, 59), None, _at(23, 10), SYNC, TWO_HOURS).ok
    assert not health_verdict(_at(25, 9, 1), None, _at(23, 10), SYNC, TWO_HOURS).ok
    # no sync scheduled at all: nothing can be overdue
    assert health_verdict(_at(25, 9, 1), None, LONG_AGO, None, TWO_HOURS).ok


def test_unknown_paths_are_404_and_a_bad_host_is_a_dutch_error():
    state = HealthState(started_at=_at(18, 10), sync_trigger=SYNC, max_age=TWO_HOURS,
                        clock=lambda: _at(18, 10, 1))
    server = HealthServer(state, DaemonMetrics(), "127.0.0.1", 0).start()
    try:
        host, port = server.address
        status, body, _ = get(f"http://{host}:{port}/iets")
        assert status == 404 and "gebruik /healthz of /metrics" in body
        status, body, headers = get(f"http://{host}:{port}/healthz")
        assert status == 200 and headers["Content-Type"].startswith("application/json")
    finally:
        server.stop()
    with pytest.raises(UserError) as err:
        HealthServer(state, DaemonMetrics(), "192.0.2.1", 0)  # TEST-NET: not on this machine
    assert err.value.exit_code == 4
    assert "kan niet luisteren op 192.0.2.1:0" in err.value.message
