"""Report periods: M4/M8/M12 per planjaar mode, default planjaar and controledatum, file names."""

from __future__ import annotations

from datetime import date

import pytest

from spsync.report import ReportMeta, report_filename
from spsync.report.periods import PeriodError, jaar_period, resolve_period, tertiaal_period


@pytest.mark.parametrize(("code", "start", "end"), [
    ("M4", date(2025, 1, 1), date(2025, 4, 30)),
    ("M8", date(2025, 5, 1), date(2025, 8, 31)),
    ("M12", date(2025, 9, 1), date(2025, 12, 31)),
])
def test_tertialen_of_a_kalenderjaar_end_in_april_august_december(code, start, end):
    p = tertiaal_period(f"2025-{code}", "kalenderjaar", today=date(2026, 6, 1))
    assert (p.start, p.end, p.controledatum) == (start, end, end)
    assert p.file_name == f"Tertiaalrapportage 2025-{code}.docx"
    assert p.planjaar == "2025"


@pytest.mark.parametrize(("code", "end"), [
    ("M4", date(2025, 11, 30)), ("M8", date(2026, 3, 31)), ("M12", date(2026, 7, 31))])
def test_tertialen_of_a_schooljaar_count_from_august(code, end):
    p = tertiaal_period(f"2025-2026-{code}", "schooljaar", today=date(2026, 9, 1))
    assert p.end == end and p.label == f"2025-2026-{code}"


def test_controledatum_is_the_period_end_or_today_while_it_runs():
    assert tertiaal_period("2025-M8", "kalenderjaar", today=date(2025, 7, 10)).controledatum \
        == date(2025, 7, 10)
    assert tertiaal_period("2025-M8", "kalenderjaar", today=date(2025, 7, 10),
                           controledatum=date(2025, 9, 15)).controledatum == date(2025, 9, 15)
    assert jaar_period("2025-2026", "schooljaar", today=date(2027, 1, 1)).controledatum \
        == date(2026, 7, 31)


def test_a_bare_m12_in_january_is_last_years():
    assert tertiaal_period("M12", "kalenderjaar", today=date(2026, 1, 20)).label == "2025-M12"
    assert tertiaal_period("m4", "kalenderjaar", today=date(2026, 1, 20)).label == "2026-M4"


def test_weekly_name_is_the_weekly_reports_name():
    p = resolve_period("weekly", "schooljaar", date(2026, 5, 15), week="2026-W20")
    meta = ReportMeta("x", p.controledatum, week=p.label)
    assert p.file_name == report_filename(meta) == "MT-rapportage 2026-W20.docx"
    assert p.controledatum == date(2026, 5, 15)
    # A past week is computed as of its Friday; 2026 has a week 53.
    assert resolve_period("weekly", "schooljaar", date(2027, 2, 1),
                         week="2026-W53").controledatum == date(2027, 1, 1)


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"kind": "tertiaal", "period": "M5"}, "M4, M8 of M12"),
    ({"kind": "tertiaal"}, "--period M8"),
    ({"kind": "jaar", "planjaar_text": "2025"}, "rules.planjaar_mode"),
    ({"kind": "weekly", "week": "2025-W53"}, "geen week 53"),
    ({"kind": "weekly", "period": "M8"}, "hoort niet bij --kind weekly"),
])
def test_wrong_input_is_a_dutch_period_error(kwargs, fragment):
    kind = kwargs.pop("kind")
    with pytest.raises(PeriodError) as info:
        resolve_period(kind, "schooljaar", date(2026, 5, 15), **kwargs)
    assert fragment in str(info.value)
