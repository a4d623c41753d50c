"""Who and when a report is for: organisation, ISO week, planjaar label and privacy choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from spsync.checks.planjaar import parse_planjaar, planjaar_end
from spsync.checks.planjaar import planjaar_label as _checks_planjaar_label
from spsync.checks.settings import PlanjaarMode

__all__ = ["ReportMeta", "iso_week_label", "planjaar_einde", "planjaar_label", "planjaar_mode"]


def iso_week_label(d: date) -> str:
    """ISO week as used in file names and titles: ``2026-W20`` (``2026-W53`` on 1 Jan 2027)."""
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


def planjaar_mode(planjaar: str | None) -> PlanjaarMode | None:
    """Which kind of year the result's planjaar is; the report is not given the settings."""
    if parse_planjaar(planjaar, "schooljaar"):
        return "schooljaar"
    if parse_planjaar(planjaar, "kalenderjaar"):
        return "kalenderjaar"
    return None


def planjaar_label(planjaar: str | None) -> str:
    """``schooljaar 2025-2026`` or ``kalenderjaar 2025``, as the checks write it."""
    mode = planjaar_mode(planjaar)
    if mode is not None:
        return _checks_planjaar_label(str(planjaar).strip(), mode)
    text = str(planjaar or "").strip()
    return f"planjaar {text}" if text else "planjaar onbekend"


def planjaar_einde(planjaar: str | None) -> date | None:
    """Last day of the planjaar (31 July or 31 December); None for an unreadable planjaar."""
    mode = planjaar_mode(planjaar)
    return None if mode is None else planjaar_end(str(planjaar).strip(), mode)


@dataclass(frozen=True)
class ReportMeta:
    """What the report needs besides the check results: who, which week, and privacy choices.

    ``week`` ("2026-W20") and ``planjaar_label`` ("schooljaar 2025-2026") are derived from the
    controledatum and the result's planjaar when left None, so callers cannot mismatch them.
    """

    organisation: str
    controledatum: date
    generated_at: datetime | None = None  # None: now, in Europe/Amsterdam
    week: str | None = None
    planjaar_label: str | None = None
    show_hours_per_person: bool = False
    #: None: derive from the planjaar (tussenstand while it runs); True/False forces it.
    tussenstand: bool | None = None
    #: Population of the fallback "projecten binnen uren" (used only without an Indicatoren row).
    indicator_project_types: tuple[str, ...] = ("Project",)
    #: CheckSettings.forecast_method, so the report explains the method that was used.
    forecast_method: str = "linear"

    @property
    def week_label(self) -> str:
        return self.week or iso_week_label(self.controledatum)
