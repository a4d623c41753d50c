"""The schedule rules: DST-correct fire times, the 02:00-03:00 refusal, periods and catch-up."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from spsync.config import config_from_dict
from spsync.daemon import job_triggers, missed_reports, planned_runs
from spsync.exceptions import ConfigError
from spsync.schedule import (
    dst_windows,
    latest_fire_time,
    make_trigger,
    next_fire_times,
    report_period,
)

AMS = ZoneInfo("Europe/Amsterdam")


def _config(daemon: dict | None = None, **extra) -> object:
    return config_from_dict({"site": {"url": "http://127.0.0.1:1/sites/x"},
                             "auth": {"mode": "sandbox"}, "daemon": daemon or {}, **extra})


def _walls(times: list[datetime]) -> list[tuple[str, str]]:
    """(local wall clock, UTC offset) of each fire time."""
    return [(t.astimezone(AMS).strftime("%Y-%m-%d %a %H:%M"), t.strftime("%z")) for t in times]


@pytest.mark.parametrize(("start", "daily", "weekly"), [
    # Autumn: 2026-10-25 03:00 CEST becomes 02:00 CET (a Sunday).
    (datetime(2026, 10, 23, 12, tzinfo=AMS),
     [("2026-10-24 Sat 08:00", "+0200"), ("2026-10-25 Sun 08:00", "+0100"),
      ("2026-10-26 Mon 08:00", "+0100")],
     [("2026-10-26 Mon 07:00", "+0100"), ("2026-11-02 Mon 07:00", "+0100")]),
    (datetime(2026, 10, 18, 12, tzinfo=AMS),
     [("2026-10-19 Mon 08:00", "+0200"), ("2026-10-20 Tue 08:00", "+0200"),
      ("2026-10-21 Wed 08:00", "+0200")],
     [("2026-10-19 Mon 07:00", "+0200"), ("2026-10-26 Mon 07:00", "+0100")]),
    # Spring: 2027-03-28 02:00 CET becomes 03:00 CEST (a Sunday).
    (datetime(2027, 3, 26, 12, tzinfo=AMS),
     [("2027-03-27 Sat 08:00", "+0100"), ("2027-03-28 Sun 08:00", "+0200"),
      ("2027-03-29 Mon 08:00", "+0200")],
     [("2027-03-29 Mon 07:00", "+0200"), ("2027-04-05 Mon 07:00", "+0200")]),
    (datetime(2027, 3, 21, 12, tzinfo=AMS),
     [("2027-03-22 Mon 08:00", "+0100"), ("2027-03-23 Tue 08:00", "+0100"),
      ("2027-03-24 Wed 08:00", "+0100")],
     [("2027-03-22 Mon 07:00", "+0100"), ("2027-03-29 Mon 07:00", "+0200")]),
])
def test_daily_and_weekly_fire_at_local_wall_clock_across_dst(start, daily, weekly):
    triggers = job_triggers(_config(), with_jitter=False)
    assert _walls(next_fire_times(triggers["alerts"], start, 3)) == daily
    assert _walls(next_fire_times(triggers["weekly_report"], start, 2)) == weekly
    # get_next_fire_time(None, aware now) itself, as the scheduler calls it
    first = triggers["weekly_report"].get_next_fire_time(None, start)
    assert _walls([first]) == weekly[:1]


def test_sync_runs_every_half_hour_on_working_days_and_skips_the_weekend_of_the_change():
    sync = job_triggers(_config(), with_jitter=False)["sync"]
    times = next_fire_times(sync, datetime(2026, 10, 23, 18, 10, tzinfo=AMS), 3)
    assert _walls(times) == [("2026-10-23 Fri 18:30", "+0200"), ("2026-10-26 Mon 07:00", "+0100"),
                             ("2026-10-26 Mon 07:30", "+0100")]
    day = next_fire_times(sync, datetime(2026, 5, 18, 6, tzinfo=AMS), 30)
    assert len([t for t in day if t.date() == date(2026, 5, 18)]) == 24  # 07:00 .. 18:30


def test_amsterdam_dst_window_is_two_to_three_and_utc_has_none():
    assert [(a.strftime("%H:%M"), b.strftime("%H:%M")) for a, b in
            dst_windows("Europe/Amsterdam")] == [("02:00", "03:00")]
    assert dst_windows("UTC") == ()


@pytest.mark.parametrize("job", [
    {"hour": "2", "minute": "30"},
    {"hour": "*", "minute": "*/30"},
    {"hour": "1-3", "minute": "0"},
    {"hour": "1", "minute": "59", "jitter": 120},
])
def test_a_schedule_that_can_fire_between_two_and_three_is_refused(job):
    with pytest.raises(ConfigError) as err:
        _config({"alerts": job})
    text = " ".join(err.value.problems)
    assert "daemon" in text and "alerts" in text
    assert "zomer-/wintertijd (02:00-03:00 in Europe/Amsterdam)" in text


def test_the_same_schedule_is_fine_in_a_zone_without_dst_and_outside_the_hour():
    assert _config({"timezone": "UTC", "alerts": {"hour": "2", "minute": "30"}})
    assert _config({"alerts": {"hour": "1", "minute": "30"}})  # 01:30 is before the window
    # a disabled job is not checked
    assert _config({"alerts": {"enabled": False, "hour": "2", "minute": "30"}})


def test_bad_cron_fields_and_zone_are_dutch_config_errors():
    with pytest.raises(ConfigError) as err:
        _config({"timezone": "Europe/Amsterdm", "sync": {"day_of_week": "maandag"}})
    text = " | ".join(err.value.problems)
    assert "onbekende tijdzone 'Europe/Amsterdm'" in text
    assert "ongeldig schema" in text and 'day_of_week = "maandag"' in text
    with pytest.raises(ConfigError) as err:
        _config({"sync": {"misfire_grace_time": 0}})
    assert "misfire_grace_time" in " ".join(err.value.problems)


def test_setting_one_field_keeps_that_jobs_other_defaults():
    config = _config({"sync": {"hour": "8-17"}})
    assert config.daemon.sync.day_of_week == "mon-fri" and config.daemon.sync.minute == "0,30"
    assert config.daemon.sync.misfire_grace_time == 900


def test_report_periods():
    assert report_period("weekly", date(2026, 5, 18)) == "2026-W21"
    assert report_period("weekly", date(2026, 12, 31)) == "2026-W53"
    # schooljaar: tertialen from 1 August (M4 ends 30 November, M8 31 March, M12 31 July)
    assert report_period("tertiaal", date(2026, 5, 1)) == "2025-2026-M8"
    assert report_period("tertiaal", date(2026, 9, 1)) == "2025-2026-M12"
    assert report_period("tertiaal", date(2026, 12, 1)) == "2026-2027-M4"
    assert report_period("tertiaal", date(2026, 11, 30)) == "2025-2026-M12"
    # kalenderjaar: M4 ends 30 April
    assert report_period("tertiaal", date(2026, 5, 1), "kalenderjaar") == "2026-M4"
    assert report_period("tertiaal", date(2026, 9, 1), "kalenderjaar") == "2026-M8"
    assert report_period("tertiaal", date(2027, 1, 1), "kalenderjaar") == "2026-M12"
    assert report_period("annual", date(2026, 8, 1)) == "2025-2026"
    assert report_period("annual", date(2027, 1, 4), "kalenderjaar") == "2026"


def test_latest_fire_time_finds_the_last_scheduled_moment():
    sync = make_trigger({"day_of_week": "mon-fri", "hour": "7-18", "minute": "0,30"},
                        "Europe/Amsterdam")
    saturday = datetime(2026, 5, 23, 12, tzinfo=AMS)
    assert latest_fire_time(sync, saturday) == datetime(2026, 5, 22, 18, 30, tzinfo=AMS)
    every_2s = make_trigger({"second": "*/2", "minute": "*", "hour": "*"}, "UTC")
    now = datetime(2026, 5, 23, 12, 0, 5, tzinfo=ZoneInfo("UTC"))
    assert latest_fire_time(every_2s, now) == now.replace(second=4)


def test_missed_weekly_report_is_this_weeks_only_and_only_when_not_recorded():
    config = _config()
    recorded: set[tuple[str, str]] = set()

    def _known(kind, period):
        return (kind, period) in recorded

    tuesday = datetime(2026, 5, 19, 10, tzinfo=AMS)
    assert [(j, p) for j, p, _ in missed_reports(config, tuesday, _known)] == [
        ("weekly_report", "2026-W21")]
    recorded.add(("weekly", "2026-W21"))
    assert missed_reports(config, tuesday, _known) == []
    # Monday before 07:00: this week's time has not come; last week's is history.
    early = datetime(2026, 5, 25, 6, 30, tzinfo=AMS)
    assert missed_reports(config, early, _known) == []
    # A whole week down: only the current week is made, once.
    assert [p for _, p, _ in missed_reports(config, early + timedelta(days=2), _known)] == [
        "2026-W22"]


def test_planned_runs_lists_only_enabled_jobs():
    config = _config({"tertiaal_report": {"enabled": True}})
    runs = planned_runs(config, datetime(2026, 4, 30, 20, tzinfo=AMS))
    assert set(runs) == {"sync", "alerts", "weekly_report", "tertiaal_report"}
    assert runs["tertiaal_report"] == datetime(2026, 5, 1, 7, 15, tzinfo=AMS)
