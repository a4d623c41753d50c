"""The ``workdays`` forecast counts the working days of the configured calendar (holidays off)."""

from __future__ import annotations

from datetime import date

from spsync.checks import CheckSettings
from spsync.checks.hours import busday_calendar, forecast_hours, forecast_overrun_date
from spsync.workdays import WorkCalendar, settings_with_calendar

from .builders import booking, project, run, tbl

# Mon 11 May - Fri 29 May 2026: 15 weekdays, of which Hemelvaartsdag (14 May) and
# Pinkstermaandag (25 May) are off: 13 working days. By Fri 15 May: 5 weekdays, 4 worked.
START, END, C = date(2026, 5, 11), date(2026, 5, 29), date(2026, 5, 15)
NOORD = WorkCalendar.for_years([2026], "Noord")


def test_a_holiday_changes_the_forecast():
    plain = forecast_hours(8.0, START, END, C, "workdays")
    with_holidays = forecast_hours(8.0, START, END, C, "workdays",
                                   busday_calendar(NOORD.non_working_days(START, END)))
    assert plain == 24.0            # 8 h x 15 / 5
    assert with_holidays == 26.0    # 8 h x 13 / 4


def test_overrun_date_skips_holidays():
    # 16 h budget. Plain Mon-Fri: 8 h in 5 days, 16 h after 10 weekdays = Fri 22 May.
    # With holidays: 8 h in 4 working days, 16 h after 8 working days (14 May off) = Thu 21 May.
    busdays = busday_calendar(NOORD.non_working_days(START, END))
    assert forecast_overrun_date(8.0, 16.0, START, END, C, "workdays") == date(2026, 5, 22)
    assert forecast_overrun_date(8.0, 16.0, START, END, C, "workdays", busdays) \
        == date(2026, 5, 21)


def test_run_checks_uses_the_calendar_from_settings():
    projecten = tbl(project(Startdatum=START.isoformat(), Einddatum=END.isoformat(),
                            ToegekendeUren="100"))
    uren = tbl(booking(Project="P-1", Datum="2026-05-12", Uren="8"))
    base = CheckSettings(forecast_method="workdays")
    plain = run(base, C, projecten=projecten, urenregistratie=uren)
    holidays = run(settings_with_calendar(base, NOORD), C, projecten=projecten,
                   urenregistratie=uren)
    assert plain.projecten["PrognoseUren"].tolist() == [24.0]
    assert holidays.projecten["PrognoseUren"].tolist() == [26.0]
    # The linear method is unaffected by the calendar.
    linear = run(settings_with_calendar(CheckSettings(), NOORD), C, projecten=projecten,
                 urenregistratie=uren)
    assert linear.projecten["PrognoseUren"].tolist() == [round(8 * 19 / 5, 1)]
