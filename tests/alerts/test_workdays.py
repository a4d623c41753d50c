"""WorkCalendar: Dutch public holidays and school holidays per region, config overrides."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from spsync.config import config_from_dict
from spsync.workdays import WorkCalendar, dutch_non_working_days

NOORD = WorkCalendar.for_years([2025, 2026, 2027], "Noord")
ZUID = WorkCalendar.for_years([2025, 2026, 2027], "Zuid")


@pytest.mark.parametrize(("day", "workday", "why"), [
    (date(2026, 5, 14), False, "Hemelvaartsdag"),
    (date(2026, 5, 25), False, "Pinkstermaandag"),
    (date(2026, 4, 27), False, "Koningsdag (and meivakantie)"),
    (date(2026, 4, 3), False, "Goede Vrijdag: the holidays package counts it"),
    (date(2025, 5, 5), False, "Bevrijdingsdag in a lustrum year"),
    (date(2026, 5, 5), True, "Bevrijdingsdag 2026: not a lustrum year, a working day"),
    (date(2026, 2, 23), False, "voorjaarsvakantie regio Noord"),
    (date(2026, 7, 6), False, "zomervakantie regio Noord (4 Jul - 16 Aug 2026)"),
    (date(2026, 5, 15), True, "an ordinary Friday"),
    (date(2026, 5, 16), False, "Saturday"),
    (date(2026, 5, 26), True, "Tuesday after Pinksteren"),
])
def test_noord(day, workday, why):
    assert NOORD.is_workday(day) is workday, why


def test_regions_differ_in_school_holidays():
    # Voorjaarsvakantie 2026: Noord 21 Feb - 1 Mar, Midden and Zuid 14 - 22 Feb.
    assert not NOORD.is_workday(date(2026, 2, 23)) and ZUID.is_workday(date(2026, 2, 23))
    assert NOORD.is_workday(date(2026, 2, 16)) and not ZUID.is_workday(date(2026, 2, 16))


def test_unknown_region_is_a_dutch_error():
    with pytest.raises(ValueError, match="vakantieregio"):
        dutch_non_working_days([2026], "Oost")  # type: ignore[arg-type]


def test_add_workdays_skips_holidays_both_ways():
    # 3 working days before Sunday 31 May 2026: Fri 29, Thu 28, Wed 27.
    assert NOORD.add_workdays(date(2026, 5, 31), -3) == date(2026, 5, 27)
    # 10 working days after Fri 15 May: Pinkstermaandag 25 May is skipped -> Mon 1 Jun.
    assert NOORD.add_workdays(date(2026, 5, 15), 10) == date(2026, 6, 1)
    # Plain Mon-Fri would say Fri 29 May.
    assert WorkCalendar().add_workdays(date(2026, 5, 15), 10) == date(2026, 5, 29)
    # Into the zomervakantie: 3 working days before Fri 10 Jul 2026 is Wed 1 Jul.
    assert NOORD.add_workdays(date(2026, 7, 10), -3) == date(2026, 7, 1)
    assert NOORD.add_workdays(date(2026, 5, 13), 0) == date(2026, 5, 13)


@pytest.mark.parametrize("n", [-25, -3, -1, 0, 1, 7, 40])
def test_workdays_between_inverts_add_workdays(n):
    start = date(2026, 5, 12)
    assert NOORD.workdays_between(start, NOORD.add_workdays(start, n)) == n


def test_workdays_between_counts_half_open():
    # (15 May, 31 May]: 18-22 May (5) + 26-29 May (4); 25 May is Pinkstermaandag.
    assert NOORD.workdays_between(date(2026, 5, 15), date(2026, 5, 31)) == 9
    assert NOORD.workdays_between(date(2026, 5, 31), date(2026, 5, 15)) == -9


def test_overrides_win():
    cal = WorkCalendar.for_years([2026], "Noord", extra_holidays=[date(2026, 5, 5)],
                                 extra_workdays=[date(2026, 4, 3), date(2026, 5, 16)])
    assert not cal.is_workday(date(2026, 5, 5))   # Bevrijdingsdag given off
    assert cal.is_workday(date(2026, 4, 3))       # Goede Vrijdag worked
    assert cal.is_workday(date(2026, 5, 16))      # a working Saturday


def test_non_working_days_is_the_calendar_as_data():
    cal = WorkCalendar.for_years([2026], "Noord", extra_workdays=[date(2026, 5, 16)])
    start, end = date(2026, 5, 1), date(2026, 6, 30)
    days = cal.non_working_days(start, end)
    assert isinstance(days, frozenset)
    assert date(2026, 5, 25) in days and date(2026, 5, 17) in days  # holiday, Sunday
    assert date(2026, 5, 16) not in days                            # the working Saturday
    back = WorkCalendar.from_days(days, start, end)
    for i in range((end - start).days + 1):
        d = start + timedelta(i)
        assert back.is_workday(d) == cal.is_workday(d), d


def test_config_builds_the_calendar():
    config = config_from_dict({"site": {"url": "http://127.0.0.1/sites/x"}, "alerts": {
        "holiday_region": "Zuid", "extra_holidays": ["2026-06-05"]}})
    cal = config.alerts.work_calendar(date(2026, 5, 15))
    assert cal.is_workday(date(2026, 2, 23)) and not cal.is_workday(date(2026, 2, 16))
    assert not cal.is_workday(date(2026, 6, 5))
    assert not cal.is_workday(date(2028, 5, 25))  # Hemelvaartsdag 2028: the years around C


def test_config_rejects_a_bad_region_and_channel():
    from spsync.exceptions import ConfigError
    with pytest.raises(ConfigError) as err:
        config_from_dict({"site": {"url": "http://x"}, "alerts": {
            "holiday_region": "Oost", "rule_channels": {"gemist": ["fax"], "spam": []}}})
    text = "\n".join(err.value.problems)
    assert "holiday_region" in text and "fax" in text and "spam" in text
