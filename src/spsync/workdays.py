"""Working days in the Netherlands: Monday-Friday minus public holidays and school holidays.

Reminders ("3 werkdagen voor de deadline"), escalations ("10 werkdagen na de eerste melding")
and the ``workdays`` forecast count the days on which the office actually works. The holiday
data comes from the ``holidays`` package (>= 0.109, the first with Dutch school holidays per
region), so no holiday table is maintained here.

What ``holidays`` 0.109 counts for NL (``categories=("public", "school")``):

- public: Nieuwjaarsdag, Goede Vrijdag, Pasen (both days), Koningsdag, Hemelvaartsdag, Pinksteren
  (both days), Kerstmis (both days); **Bevrijdingsdag only in lustrum years** (2025, 2030, ...),
  as in Dutch law since 1990; Goede Vrijdag counts although many employers work that day (an
  organisation that works on it lists it in ``extra_workdays``);
- school: herfst-, kerst-, voorjaars-, mei- and zomervakantie per region ``Noord``, ``Midden``,
  ``Zuid`` (Almere is Noord), weekends included.

Config overrides win: ``extra_holidays`` are never working days, ``extra_workdays`` always are
(even on a weekend, for the rare Saturday session). The pure core takes the result as data:
:meth:`WorkCalendar.non_working_days` is a frozenset, and :class:`WorkCalendar` itself is built
from such a set (``WorkCalendar.from_days``), so checks and rules stay free of library calls.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import holidays

from spsync.checks.settings import CheckSettings

__all__ = ["HolidayRegion", "REGIONS", "WorkCalendar", "dutch_non_working_days",
           "settings_with_calendar"]

HolidayRegion = Literal["Noord", "Midden", "Zuid"]
REGIONS: tuple[HolidayRegion, ...] = ("Noord", "Midden", "Zuid")

#: How far a calendar built from config looks around a date it is asked about (years).
_SPAN = 2


def dutch_non_working_days(years: Iterable[int], region: HolidayRegion) -> frozenset[date]:
    """Dutch public and school holidays of ``region`` in ``years`` (weekends not included)."""
    if region not in REGIONS:
        raise ValueError(f"onbekende vakantieregio '{region}'; kies uit {', '.join(REGIONS)}")
    return _holidays(tuple(sorted(set(years))), region)


@functools.lru_cache(maxsize=16)
def _holidays(years: tuple[int, ...], region: str) -> frozenset[date]:
    """Cached: the daemon asks for the same years every run."""
    table = holidays.country_holidays("NL", subdiv=region, categories=("public", "school"),
                                      years=list(years))
    return frozenset(d for d in table)


@dataclass(frozen=True)
class WorkCalendar:
    """Which dates are working days. Immutable; every method is pure.

    ``holidays`` holds the non-working weekdays (public and school holidays plus
    ``extra_holidays``); ``extra_workdays`` are working days whatever the weekday or holiday.
    Dates outside ``years`` count as Mon-Fri only: build the calendar for the years a run needs
    (:meth:`for_years`).
    """

    holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    years: tuple[int, ...] = field(default=())

    @classmethod
    def for_years(cls, years: Iterable[int], region: HolidayRegion = "Noord",
                  extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = (),
                  ) -> WorkCalendar:
        """The Dutch calendar of ``region`` for ``years`` with the config overrides."""
        years = tuple(sorted(set(years)))
        days = dutch_non_working_days(years, region) | frozenset(extra_holidays)
        return cls(frozenset(days), frozenset(extra_workdays), years)

    @classmethod
    def around(cls, day: date, region: HolidayRegion = "Noord",
               extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = (),
               ) -> WorkCalendar:
        """The calendar for the years around ``day`` (a run's controledatum ± 2 years)."""
        return cls.for_years(range(day.year - _SPAN, day.year + _SPAN + 1), region,
                             extra_holidays, extra_workdays)

    @classmethod
    def from_days(cls, non_working: Iterable[date], start: date | None = None,
                  end: date | None = None) -> WorkCalendar:
        """A calendar back from :meth:`non_working_days`: inside [start, end] exactly the
        dates in ``non_working`` are off (so a working Saturday stays one); outside it Mon-Fri
        minus ``non_working``."""
        off = frozenset(non_working)
        extra: frozenset[date] = frozenset()
        if start is not None and end is not None:
            extra = frozenset(start + timedelta(i) for i in range((end - start).days + 1)
                              if (start + timedelta(i)).weekday() >= 5
                              and start + timedelta(i) not in off)
        return cls(off, extra)

    def is_workday(self, d: date) -> bool:
        """Mon-Fri and not a holiday, or explicitly a working day."""
        if d in self.extra_workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays

    def add_workdays(self, d: date, n: int) -> date:
        """The n-th working day after ``d`` (before it for negative n); ``d`` itself for 0.

        ``d`` need not be a working day: 3 working days before Sunday 31 May 2026 is Wednesday
        27 May.
        """
        step = 1 if n >= 0 else -1
        left = abs(n)
        day = d
        while left:
            day += timedelta(days=step)
            if self.is_workday(day):
                left -= 1
        return day

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in the half-open range (a, b]; negative when b is before a.

        So ``workdays_between(d, add_workdays(d, n)) == n`` for every n.
        """
        if b < a:
            return -self.workdays_between(b, a)
        return sum(1 for i in range(1, (b - a).days + 1) if self.is_workday(a + timedelta(i)))

    def non_working_days(self, start: date, end: date) -> frozenset[date]:
        """Every non-working date in [start, end], weekends included: the calendar as data."""
        return frozenset(start + timedelta(i) for i in range((end - start).days + 1)
                         if not self.is_workday(start + timedelta(i)))


def settings_with_calendar(settings: CheckSettings, calendar: WorkCalendar) -> CheckSettings:
    """``settings`` whose ``non_working_days`` are the calendar's over all its years, so the
    ``workdays`` forecast skips holidays while the checks stay pure."""
    if not calendar.years:
        return settings
    start, end = date(min(calendar.years), 1, 1), date(max(calendar.years), 12, 31)
    return dataclasses.replace(settings, non_working_days=calendar.non_working_days(start, end))
