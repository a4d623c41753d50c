"""Projecten per hoofdlijn: the hours, € and forecast the checks decided, display-ready.

Every number comes from :class:`~spsync.checks.records.ProjectResult`; only group totals
(sums over projects) are added here. Hours per person are built only when the config asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from spsync.checks.records import BookingResult, ProjectResult
from spsync.checks.vocab import BINNEN_BUDGET, GEEN_BUDGET_PM, OVERSCHREDEN
from spsync.report.formatting import (
    LEEG,
    datum,
    euro,
    getal,
    key,
    kort,
    natural_key,
    number,
    pct,
    rows,
    text,
)
from spsync.report.history import PreviousFigures, change
from spsync.report.meta import ReportMeta, item_url
from spsync.report.rich import Hyperlink

__all__ = [
    "PROGNOSE_METHODE",
    "PROGNOSE_METHODEN",
    "ZONDER_HOOFDLIJN",
    "budget_tekst",
    "group_projects",
    "hoofdlijn_groepen",
    "hoofdlijn_order",
    "prognose_tekst",
    "totaal",
    "uren_per_persoon",
]

ZONDER_HOOFDLIJN = "Zonder (bekende) hoofdlijn"
#: One line per forecast method of CheckSettings.forecast_method, as the report explains it.
PROGNOSE_METHODEN = {
    "linear": "De prognose rekent met het tempo tot nu toe: geboekte uren gedeeld door het "
              "verstreken deel van de projectperiode (kalenderdagen).",
    "workdays": "De prognose rekent met het tempo tot nu toe: geboekte uren gedeeld door het "
                "verstreken deel van de werkdagen (ma-vr) van de projectperiode.",
}
PROGNOSE_METHODE = PROGNOSE_METHODEN["linear"]


def prognose_tekst(p: ProjectResult) -> str:
    """The forecast in plain Dutch: "op 12-06-2026 op", "al overschreden", "binnen de uren"."""
    if p.toegekend is None:
        return LEEG
    if p.uren_status == OVERSCHREDEN:
        return "al overschreden"
    if p.geboekt == p.toegekend:
        return "alle uren gebruikt"
    if not p.running:
        return "afgesloten"
    if p.prognose_datum is not None:
        return f"op {datum(p.prognose_datum)} op"
    if p.prognose_over:
        return "gaat over de uren heen"
    return "binnen de uren" if p.prognose is not None else LEEG


def budget_tekst(p: ProjectResult) -> str:
    """The € line of a project: "€ 47.250 van € 45.000 (105,0%)", "p.m." or ""."""
    if p.budget_status == GEEN_BUDGET_PM:
        return "budget p.m."
    if p.begroot is None:
        return ""
    shown = f"{euro(p.werkelijk or 0)} van {euro(p.begroot)}"
    if p.budget_pct is not None:
        shown += f" ({pct(p.budget_pct)})"
    return shown


def _status(p: ProjectResult) -> str:
    if p.budget_status == OVERSCHREDEN:
        return f"{p.uren_status}; budget (€) overschreden"
    if p.budget_status == BINNEN_BUDGET and p.budget_risico:
        return f"{p.uren_status}; budget (€) bijna op"
    return p.uren_status


def _row(p: ProjectResult, meta: ReportMeta, previous: PreviousFigures | None) -> dict[str, Any]:
    vorige = None if previous is None else previous.project_hours.get(p.code)
    delta = change(p.geboekt, vorige, getal(vorige)) if previous is not None else {
        "pijl": "", "tekst": ""}
    sub = " · ".join(filter(None, (text(p.owner), text(p.project_type))))
    return {
        "code": text(p.code),
        "naam": kort(p.title, 90) or LEEG,
        "link": Hyperlink(kort(p.title, 90) or text(p.code),
                          item_url(meta, "projecten", p.item_id)),
        "sub": sub,
        "type": text(p.project_type),
        "eigenaar": text(p.owner) or LEEG,
        "toegekend": getal(p.toegekend),
        "geboekt": getal(p.geboekt),
        "geboekt_vorige": delta["tekst"],
        "rest": getal(p.rest),
        "verbruik": pct(p.verbruik_pct),
        "urenstatus": p.uren_status,
        "budgetstatus": p.budget_status,
        "status": _status(p),
        "budget": budget_tekst(p),
        "begroot": euro(p.begroot),
        "werkelijk": euro(p.werkelijk) if p.begroot is not None else LEEG,
        "prognose": prognose_tekst(p),
        "ongeldige_boekingen": str(p.ongeldig),
    }


def totaal(projects: Sequence[ProjectResult]) -> dict[str, str]:
    """Sums over a set of projects: toegekend, geboekt, rest and the share used."""
    toegekend = sum(p.toegekend or 0.0 for p in projects)
    geboekt = sum(p.geboekt for p in projects)
    return {
        "toegekend": getal(toegekend),
        "geboekt": getal(geboekt),
        "rest": getal(toegekend - geboekt),
        "verbruik": pct(100 * geboekt / toegekend) if toegekend else LEEG,
        "aantal": str(len(projects)),
    }


def _aantal_projecten(n: int) -> str:
    return f"{n} project" if n == 1 else f"{n} projecten"


def hoofdlijn_order(hoofdlijnen: pd.DataFrame | None) -> list[tuple[str, str]]:
    """(title, code) of the hoofdlijnen in Volgorde, then by title; duplicates once."""
    hl_rows = rows(hoofdlijnen)
    hl_rows.sort(key=lambda h: (number(h.get("Volgorde")) is None,
                                number(h.get("Volgorde")) or 0.0,
                                natural_key(text(h.get("Title")))))
    seen: set[str] = set()
    out = []
    for h in hl_rows:
        title = text(h.get("Title"))
        if title and key(title) not in seen:
            seen.add(key(title))
            out.append((title, text(h.get("Code"))))
    return out


def group_projects(hoofdlijnen: pd.DataFrame | None, projects: Iterable[ProjectResult],
                   ) -> list[tuple[str, list[ProjectResult]]]:
    """Projects per hoofdlijn (matched on title or code), in Volgorde; unknown ones last."""
    order = hoofdlijn_order(hoofdlijnen)
    groups: dict[str, list[ProjectResult]] = {key(t): [] for t, _ in order}
    lookup = {key(t): key(t) for t, _ in order}
    for t, c in order:
        if c:
            lookup.setdefault(key(c), key(t))
    zonder: list[ProjectResult] = []
    for p in sorted(projects, key=lambda p: natural_key(p.code)):
        target = lookup.get(key(p.hoofdlijn))
        (groups[target] if target else zonder).append(p)
    out = [(t, groups[key(t)]) for t, _ in order if groups[key(t)]]
    if zonder:
        out.append((ZONDER_HOOFDLIJN, zonder))
    return out


def hoofdlijn_groepen(groups: list[tuple[str, list[ProjectResult]]], meta: ReportMeta,
                      previous: PreviousFigures | None = None) -> list[dict[str, Any]]:
    """One display group per hoofdlijn; every project lands in exactly one group."""
    return [{
        "naam": naam,
        "projecten": [_row(p, meta, previous) for p in projects],
        "totaal": totaal(projects),
        "aantal": len(projects),
        "aantal_tekst": _aantal_projecten(len(projects)),
    } for naam, projects in groups]


def uren_per_persoon(bookings: Sequence[BookingResult]) -> list[dict[str, str]]:
    """Valid hours per medewerker per project, summed (never single bookings: privacy)."""
    totals: dict[tuple[str, str], float] = {}
    for b in bookings:
        if not b.valid or b.uren is None:
            continue
        k = (text(b.person) or "(onbekend)", text(b.project_code) or "(onbekend project)")
        totals[k] = totals.get(k, 0.0) + b.uren
    ordered = sorted(totals.items(), key=lambda kv: (natural_key(kv[0][1]), kv[0][0].casefold()))
    return [{"medewerker": m, "project": p, "uren": getal(u)} for (m, p), u in ordered]
