"""Which period a report covers, its controledatum and its file name (pure, no clock).

Three kinds of report share one library: the weekly MT-rapportage (ISO week), the tertiaal
report (M4/M8/M12: the 4th, 8th and 12th month of the planjaar, i.e. end of April, August and
December for a kalenderjaar like Plein 013; end of November, March and July for a schooljaar) and
the annual evaluation (a whole planjaar). The file name is derived from kind and period only, so a
re-run for the same period replaces that file instead of adding a second copy.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from spsync.checks.planjaar import parse_planjaar, planjaar, planjaar_end, planjaar_start
from spsync.checks.settings import PlanjaarMode

__all__ = [
    "KINDS",
    "TERTIALEN",
    "Period",
    "PeriodError",
    "ReportKind",
    "jaar_period",
    "parse_iso_week",
    "period_bounds",
    "resolve_period",
    "tertiaal_period",
    "weekly_period",
]

ReportKind = Literal["weekly", "tertiaal", "jaar"]
KINDS: tuple[str, ...] = ("weekly", "tertiaal", "jaar")
#: The tertiaal reports and the month of the planjaar each one ends with.
TERTIALEN: dict[str, int] = {"M4": 4, "M8": 8, "M12": 12}

_FILE_PREFIX = {"weekly": "MT-rapportage", "tertiaal": "Tertiaalrapportage",
                "jaar": "Jaarevaluatie"}


class PeriodError(ValueError):
    """A week, period or planjaar that cannot be read; the message is Dutch, for the user."""


@dataclass(frozen=True)
class Period:
    """One report's period: kind, label (``2026-W20``, ``2025-M8``, ``2025-2026``), planjaar,
    first and last day, and the controledatum the report is computed as of."""

    kind: ReportKind
    label: str
    planjaar: str
    start: date
    end: date
    controledatum: date

    @property
    def file_name(self) -> str:
        """``MT-rapportage 2026-W20.docx``, ``Tertiaalrapportage 2025-M8.docx``, ...

        Weekly: the same name ``spsync.report.report_filename`` gives for that ISO week."""
        return f"{_FILE_PREFIX[self.kind]} {self.label}.docx"

    @property
    def tertiaal(self) -> str | None:
        """``M8`` for a tertiaal report, else None."""
        return self.label.rsplit("-", 1)[1] if self.kind == "tertiaal" else None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(d: date, months: int) -> tuple[int, int]:
    index = d.year * 12 + d.month - 1 + months
    return index // 12, index % 12 + 1


def period_bounds(pj: str, mode: PlanjaarMode, tertiaal: str | None = None
                  ) -> tuple[date, date]:
    """First and last day of planjaar ``pj``, or of its tertiaal ``M4``/``M8``/``M12``."""
    pj_start = planjaar_start(pj, mode)
    if tertiaal is None:
        return pj_start, planjaar_end(pj, mode)
    month = TERTIALEN[tertiaal]
    first_year, first_month = _add_months(pj_start, month - 4)
    last_year, last_month = _add_months(pj_start, month - 1)
    return date(first_year, first_month, 1), _month_end(last_year, last_month)


def _default_controledatum(end: date, today: date, given: date | None) -> date:
    """As given; else the end of the period, or today while the period has not ended yet
    (a future controledatum would count bookings and meetings that have not happened)."""
    if given is not None:
        return given
    return min(end, today)


def parse_iso_week(text: str) -> tuple[int, int]:
    """``2026-W20`` -> (2026, 20); ``2026-W53`` is valid (2026 has 53 ISO weeks)."""
    m = re.fullmatch(r"\s*(\d{4})-?W(\d{1,2})\s*", text or "", re.IGNORECASE)
    if not m:
        raise PeriodError(f"Week '{text}' is onleesbaar; gebruik bijvoorbeeld 2026-W20.")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise PeriodError(f"Week '{text}' bestaat niet: {year} heeft geen week {week}.") from None
    return year, week


def weekly_period(week: str | None, mode: PlanjaarMode, today: date,
                  controledatum: date | None = None) -> Period:
    """The ISO week given (default: the week of the controledatum, or of today).

    Without a controledatum the current week is computed as of today and a past week as of its
    Friday (the day of the weekly run)."""
    if week is None:
        c = controledatum or today
        year, wk, _ = c.isocalendar()
    else:
        year, wk = parse_iso_week(week)
    start = date.fromisocalendar(year, wk, 1)
    end = start + timedelta(days=6)
    if controledatum is None:
        if today < start:
            raise PeriodError(f"Week {year}-W{wk:02d} is nog niet begonnen.")
        controledatum = today if today <= end else start + timedelta(days=4)  # its Friday
    return Period("weekly", f"{year}-W{wk:02d}", planjaar(controledatum, mode), start,
                        end, controledatum)


def _read_planjaar(text: str, mode: PlanjaarMode) -> str:
    pj = parse_planjaar(text, mode)
    if pj is None:
        example = "2025" if mode == "kalenderjaar" else "2025-2026"
        raise PeriodError(f"Planjaar '{text}' past niet bij de instelling "
                          f"rules.planjaar_mode = \"{mode}\"; gebruik bijvoorbeeld {example}.")
    return pj


def tertiaal_period(period: str, mode: PlanjaarMode, today: date,
                    controledatum: date | None = None) -> Period:
    """``M8``, ``2025-M8`` (kalenderjaar) or ``2025-2026-M8`` (schooljaar).

    Without a planjaar: the planjaar of the controledatum (or of today); when that tertiaal has
    not even started yet there, the previous planjaar's (``M12`` asked in January is last year's).
    """
    m = re.fullmatch(r"\s*(?:(.+?)\s*-\s*)?(M\d{1,2})\s*", period or "", re.IGNORECASE)
    code = m.group(2).upper() if m else ""
    if code not in TERTIALEN:
        raise PeriodError(f"Periode '{period}' is onleesbaar; gebruik M4, M8 of M12 "
                          "(eventueel met het planjaar ervoor, bijvoorbeeld 2025-M8).")
    month = TERTIALEN[code]
    if m.group(1):
        pj = _read_planjaar(m.group(1), mode)
    else:
        ref = controledatum or today
        pj = planjaar(ref, mode)
        start = planjaar_start(pj, mode)
        first_year, first_month = _add_months(start, month - 4)
        if date(first_year, first_month, 1) > ref:
            pj = planjaar(start - timedelta(days=1), mode)
    start, end = period_bounds(pj, mode, code)
    return Period("tertiaal", f"{pj}-{code}", pj, start, end,
                        _default_controledatum(end, today, controledatum))


def jaar_period(pj_text: str | None, mode: PlanjaarMode, today: date,
                controledatum: date | None = None) -> Period:
    """A whole planjaar (default: the planjaar of the controledatum, or of today)."""
    pj = _read_planjaar(pj_text, mode) if pj_text else planjaar(controledatum or today, mode)
    start, end = period_bounds(pj, mode)
    return Period("jaar", pj, pj, start, end,
                        _default_controledatum(end, today, controledatum))


def resolve_period(kind: str, mode: PlanjaarMode, today: date, *, week: str | None = None,
                  period: str | None = None, planjaar_text: str | None = None,
                  controledatum: date | None = None) -> Period:
    """The period of a report of ``kind``; only the option that fits the kind may be given."""
    given = {"--week": week, "--period": period, "--planjaar": planjaar_text}
    allowed = {"weekly": "--week", "tertiaal": "--period", "jaar": "--planjaar"}
    if kind not in allowed:
        raise PeriodError(f"Onbekende soort rapport '{kind}'; kies weekly, tertiaal of jaar.")
    wrong = [name for name, value in given.items() if value and name != allowed[kind]]
    if wrong:
        raise PeriodError(f"{', '.join(wrong)} hoort niet bij --kind {kind}; "
                          f"gebruik {allowed[kind]}.")
    if kind == "weekly":
        return weekly_period(week, mode, today, controledatum)
    if kind == "tertiaal":
        if not period:
            raise PeriodError("Geef bij --kind tertiaal de periode op, bijvoorbeeld "
                              "--period M8 of --period 2025-M8.")
        return tertiaal_period(period, mode, today, controledatum)
    return jaar_period(planjaar_text, mode, today, controledatum)
