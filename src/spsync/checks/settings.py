"""Settings the rules take as arguments (DATA-MODEL §4-§5); built from the config by the shell."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = ["CheckSettings", "PlanjaarMode"]

PlanjaarMode = Literal["schooljaar", "kalenderjaar"]


@dataclass(frozen=True)
class CheckSettings:
    """Every tunable of the rules, with the defaults of DATA-MODEL §5 / demo README §4."""

    planjaar_mode: PlanjaarMode = "schooljaar"
    #: §5.3: UrenStatus is "Risico op overschrijding" from this share of the budget (percent).
    risk_threshold_pct: float = 90.0
    #: §5.5: "Binnenkort" when PeriodeStart is at most this many days after the controledatum.
    binnenkort_days: int = 14
    #: §5.6 PROJECTEN_BINNEN_UREN: which ProjectType values count.
    indicator_project_types: tuple[str, ...] = ("Project",)
    #: §5.6: also require BudgetStatus != "Overschreden" ("binnen budget en uren", S001).
    indicator_requires_budget: bool = False
    #: §5.9: reminder offsets (days before PeriodeEind) after the first reminder.
    reminder_days_before_end: tuple[int, ...] = (3,)
    #: Forecast (report only): "linear" over elapsed calendar days, or "workdays" (Mon-Fri
    #: minus ``non_working_days``).
    forecast_method: Literal["linear", "workdays"] = "linear"
    #: Weekdays that are no working days (public and school holidays of the configured region,
    #: from :meth:`spsync.workdays.WorkCalendar.non_working_days`); weekends are always off here.
    non_working_days: frozenset[date] = frozenset()
    #: Local time zone for date-only columns that arrive as UTC instants (DATA-MODEL §1).
    timezone: str = "Europe/Amsterdam"
