"""§5.3: hours per project (``GeboekteUren``, ``RestUren``, ``VerbruikPct``, ``UrenStatus``)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from .bookings import Booking
from .findings import finding
from .frames import ListInput
from .normalise import format_number_nl, parse_choice, parse_date, parse_number, round_half_up
from .result import Finding
from .settings import CheckSettings
from .vocab import AFGEROND, BINNEN_UREN, GEEN_UREN, GESTOPT, OVERSCHREDEN, PROJECT_STATUSES, RISICO

__all__ = [
    "URENSTATUS_RULES",
    "busday_calendar",
    "ProjectHours",
    "compute_hours",
    "forecast_hours",
    "forecast_overrun_date",
    "is_running",
    "uren_status",
]


@dataclass
class ProjectHours:
    """The facts §5.3 decides on, and the values to write, for one Projecten row."""

    item_id: int | None
    ref: str
    toegekend: float | None
    geboekt: float
    running: bool
    ongeldig: int = 0
    geldig: int = 0
    status: str = ""
    rest: float | None = None
    verbruik_pct: float | None = None
    prognose: float | None = None
    prognose_over: bool = False
    prognose_datum: date | None = None
    findings: list[Finding] = field(default_factory=list)


Rule = tuple[int, Callable[[ProjectHours, CheckSettings], bool], str]

#: §5.3 UrenStatus: the first row whose condition holds decides.
URENSTATUS_RULES: tuple[Rule, ...] = (
    # 1. ToegekendeUren empty or 0 -> Geen uren toegekend (finding if Geboekt > 0)
    (1, lambda p, s: not p.toegekend, GEEN_UREN),
    # 2. Geboekt > Toegekend (strictly: equal is still within) -> Overschreden
    (2, lambda p, s: p.geboekt > p.toegekend, OVERSCHREDEN),
    # 3. still running and Geboekt >= threshold % of Toegekend -> Risico op overschrijding
    (3, lambda p, s: p.running and p.geboekt * 100 >= s.risk_threshold_pct * p.toegekend, RISICO),
    # 4. otherwise -> Binnen uren
    (4, lambda p, s: True, BINNEN_UREN),
)


def uren_status(p: ProjectHours, settings: CheckSettings) -> str:
    """The UrenStatus of the first §5.3 row that applies."""
    for _number, condition, status in URENSTATUS_RULES:
        if condition(p, settings):
            return status
    raise AssertionError("row 4 always applies")  # pragma: no cover


def is_running(einddatum: date | None, projectstatus: str | None, controledatum: date) -> bool:
    """§5.3 row 3: Einddatum >= controledatum and not Afgerond/Gestopt. An unknown end date does
    not end a project (the quality check reports the missing date)."""
    ended = einddatum is not None and einddatum < controledatum
    return not ended and projectstatus not in (AFGEROND, GESTOPT)


def busday_calendar(non_working_days: frozenset[date] = frozenset()) -> np.busdaycalendar:
    """Mon-Fri minus ``non_working_days`` (weekend dates in the set change nothing), as numpy
    counts it; built once per run."""
    return np.busdaycalendar(holidays=sorted(d for d in non_working_days if d.weekday() < 5))


def forecast_hours(geboekt: float, start: date | None, end: date | None, controledatum: date,
                   method: str = "linear", busdays: np.busdaycalendar | None = None,
                   ) -> float | None:
    """Report only (§5.3): Geboekt / elapsed share of the project period, 1 decimal.

    ``linear`` counts calendar days, ``workdays`` the working days of ``busdays`` (Mon-Fri
    minus the holidays; plain Mon-Fri without it). None before the start or without a valid
    period.
    """
    if start is None or end is None or end < start or controledatum < start:
        return None
    upto = min(controledatum, end)
    if method == "workdays":
        cal = busdays if busdays is not None else busday_calendar()
        total = int(np.busday_count(start, end + timedelta(days=1), busdaycal=cal))
        elapsed = int(np.busday_count(start, upto + timedelta(days=1), busdaycal=cal))
    else:
        total = (end - start).days + 1
        elapsed = (upto - start).days + 1
    if total <= 0 or elapsed <= 0:
        return None
    return round_half_up(geboekt * total / elapsed, 1)


def forecast_overrun_date(geboekt: float, toegekend: float | None, start: date | None,
                          end: date | None, controledatum: date,
                          method: str = "linear", busdays: np.busdaycalendar | None = None,
                          ) -> date | None:
    """Report only: the day the budget is used up at the pace so far, if that falls after C and
    within the project period; None otherwise (no budget, already over, or not reached).

    The day count is compared with the period before any date arithmetic: a slow pace on a big
    budget (3,000 h budgeted, 0.25 h booked) is millions of days away, past ``date.max``.
    """
    if not toegekend or start is None or end is None or end < start or controledatum < start \
            or geboekt <= 0 or geboekt >= toegekend or controledatum >= end:
        return None
    if method == "workdays":
        cal = busdays if busdays is not None else busday_calendar()
        elapsed = int(np.busday_count(start, controledatum + timedelta(days=1), busdaycal=cal))
        period = int(np.busday_count(start, end + timedelta(days=1), busdaycal=cal))
        if elapsed <= 0:
            return None
        needed = math.ceil(toegekend * elapsed / geboekt)
        if needed > period:
            return None
        day = np.busday_offset(start, needed - 1, roll="forward", busdaycal=cal).astype(date)
    else:
        elapsed = (controledatum - start).days + 1
        needed = math.ceil(toegekend * elapsed / geboekt)
        if needed > (end - start).days + 1:
            return None
        day = start + timedelta(days=needed - 1)
    return day if controledatum < day <= end else None


def compute_hours(projects: ListInput, bookings: list[Booking], settings: CheckSettings,
                  controledatum: date) -> list[ProjectHours]:
    """GeboekteUren over valid bookings, RestUren, VerbruikPct and UrenStatus per project."""
    booked: dict[int, float] = {}
    valid_count: dict[int, int] = {}
    invalid_count: dict[int, int] = {}
    for b in bookings:
        if b.project_id is None:
            continue
        if not b.findings:  # b.valid, without a property call per booking
            booked[b.project_id] = booked.get(b.project_id, 0.0) + (b.uren or 0.0)
            valid_count[b.project_id] = valid_count.get(b.project_id, 0) + 1
        else:
            invalid_count[b.project_id] = invalid_count.get(b.project_id, 0) + 1

    tz = settings.timezone
    busdays = busday_calendar(settings.non_working_days)
    out: list[ProjectHours] = []
    # The same parsed columns the quality check reads (parsed once per run, ListInput.parsed).
    rows = zip(projects.ids, projects.refs, projects.parsed("ToegekendeUren", parse_number),
               projects.parsed("Startdatum", parse_date, tz),
               projects.parsed("Einddatum", parse_date, tz),
               projects.parsed("Projectstatus", parse_choice, PROJECT_STATUSES))
    for item_id, ref, budget, start_p, end_p, status_p in rows:
        # A negative budget is reported by the quality check and reads as no budget here.
        toegekend = budget.value if budget.ok and budget.value >= 0 else None
        geboekt = round_half_up(booked.get(item_id, 0.0), 2) or 0.0
        start, end = start_p.value, end_p.value
        projectstatus = status_p.value
        p = ProjectHours(item_id, ref, toegekend, geboekt,
                         is_running(end, projectstatus, controledatum),
                         ongeldig=invalid_count.get(item_id, 0),
                         geldig=valid_count.get(item_id, 0))
        p.status = uren_status(p, settings)
        p.rest = None if toegekend is None else round_half_up(toegekend - geboekt, 2)
        p.verbruik_pct = round_half_up(100 * geboekt / toegekend, 1) if toegekend else None
        p.prognose = forecast_hours(geboekt, start, end, controledatum, settings.forecast_method,
                                    busdays)
        p.prognose_over = p.prognose is not None and bool(toegekend) and p.prognose > toegekend
        p.prognose_datum = forecast_overrun_date(geboekt, toegekend, start, end, controledatum,
                                                 settings.forecast_method, busdays)
        if p.status == GEEN_UREN and geboekt > 0:
            p.findings.append(finding("projecten", item_id, ref, "GEEN_UREN_TOEGEKEND",
                                      geboekt=format_number_nl(geboekt)))
        out.append(p)
    return out
