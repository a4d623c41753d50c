"""Who and when a report is for: organisation, ISO week, planjaar and its one label rule, links.

:func:`report_period` is the single rule for "which planjaar does this report show, and are its
figures a tussenstand or definitief": the header, the kerncijfers and every table use its result,
so they can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import quote

from spsync.checks.planjaar import parse_planjaar, planjaar_end
from spsync.checks.planjaar import planjaar_label as _checks_planjaar_label
from spsync.checks.settings import PlanjaarMode

__all__ = [
    "ReportMeta",
    "ReportPeriod",
    "iso_week_label",
    "item_url",
    "planjaar_einde",
    "planjaar_label",
    "planjaar_mode",
    "report_period",
]


def iso_week_label(d: date) -> str:
    """ISO week as used in file names and titles: ``2026-W20`` (``2026-W53`` on 1 Jan 2027)."""
    return d.strftime("%G-W%V")


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
    #: The site's address, for links to items (``…/Lists/<titel>/DispForm.aspx?ID=<id>``).
    site_url: str | None = None
    #: List key -> the list's title on the site (config ``[lists]``); defaults to the model's.
    list_titles: Mapping[str, str] = field(default_factory=dict)
    #: The run this report belongs to (colophon); None when not run by the daemon.
    run_id: str | None = None
    #: Force the planjaar shown ("2025-2026"); None: :func:`report_period` decides.
    planjaar: str | None = None

    @property
    def week_label(self) -> str:
        return self.week or iso_week_label(self.controledatum)


def item_url(meta: ReportMeta, list_key: str, item_id: int | None) -> str | None:
    """The display form of an item, or None without a site URL or item ID."""
    if not meta.site_url or item_id is None:
        return None
    from spsync.checks.vocab import LIST_TITLES

    title = meta.list_titles.get(list_key) or LIST_TITLES.get(list_key, list_key)
    return f"{meta.site_url.rstrip('/')}/Lists/{quote(title)}/DispForm.aspx?ID={int(item_id)}"


@dataclass(frozen=True)
class ReportPeriod:
    """The planjaar a report shows and how final its figures are, decided once per report."""

    planjaar: str  # "2025-2026" or "2025"; "" when unknown
    label: str  # "schooljaar 2025-2026"
    definitief: bool  # the controledatum is past the end of the planjaar

    @property
    def stand(self) -> str:
        """``tussenstand`` or ``definitief``: the word after every key figure."""
        return "definitief" if self.definitief else "tussenstand"

    @property
    def stand_tekst(self) -> str:
        return (f"Definitieve cijfers: het {self.label} is afgelopen." if self.definitief else
                f"Tussenstand: het {self.label} loopt nog; de cijfers zijn voorlopig.")


def report_period(current: str | None, controledatum: date, data_planjaren: Iterable[str | None],
                  meta: ReportMeta) -> ReportPeriod:
    """The one planjaar rule of a report.

    ``meta.planjaar`` when given; else the planjaar of the controledatum (``current``) when the
    lists hold data for it; else the latest planjaar in the lists before it (in December a
    schooljaar organisation whose lists still hold only last year's rows reports on that
    year, definitively, not on an empty new year). Definitief once the controledatum is past
    the planjaar's end; ``meta.tussenstand`` can force it.
    """
    known = {p for p in data_planjaren if p}
    chosen = meta.planjaar or ""
    if not chosen:
        current = (current or "").strip()
        earlier = sorted(p for p in known if p < current) if current else sorted(known)
        chosen = current if (current in known or not earlier) else earlier[-1]
    einde = planjaar_einde(chosen)
    definitief = einde is not None and controledatum > einde
    if meta.tussenstand is not None:
        definitief = not meta.tussenstand
    label = meta.planjaar_label or planjaar_label(chosen)
    return ReportPeriod(chosen, label, definitief)
