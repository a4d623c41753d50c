"""Projecten per hoofdlijn, their hour totals, hours per person and the forecast table.

Numbers come from the columns the checks write (GeboekteUren, RestUren, VerbruikPct) and their
helpers (ToegekendeUrenGetal, Lopend, Prognose*), so the report shows exactly what the lists show.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from spsync.checks.normalise import parse_choice, round_half_up
from spsync.checks.vocab import (
    AFGEROND,
    BINNEN_BUDGET,
    GEEN_BUDGET_PM,
    GESTOPT,
    OVERSCHREDEN,
    PROJECT_STATUSES,
)
from spsync.report.formatting import (
    LEEG,
    cell,
    datum,
    flag,
    getal,
    key,
    natural_key,
    number,
    pct,
    rows,
    text,
)

__all__ = [
    "PROGNOSE_METHODE",
    "ZONDER_HOOFDLIJN",
    "hoofdlijn_groepen",
    "prognose",
    "totaal",
    "uren_per_persoon",
]

ZONDER_HOOFDLIJN = "Zonder (bekende) hoofdlijn"
#: One line per forecast method of CheckSettings.forecast_method, as the report explains it.
PROGNOSE_METHODEN = {
    "linear": "Lineaire prognose: geboekte uren gedeeld door het verstreken deel van de "
              "projectperiode (kalenderdagen).",
    "workdays": "Lineaire prognose over werkdagen: geboekte uren gedeeld door het verstreken "
                "deel van de werkdagen (ma-vr) van de projectperiode.",
}
PROGNOSE_SELECTIE = ("Alleen lopende projecten waarvan de prognose boven de toegekende uren "
                     "uitkomt.")
PROGNOSE_METHODE = f"{PROGNOSE_METHODEN['linear']} {PROGNOSE_SELECTIE}"
#: BudgetStatus -> the words added to the status cell; "Niet van toepassing" adds nothing.
BUDGET_TEKST = {BINNEN_BUDGET: "binnen budget", OVERSCHREDEN: "budget overschreden",
                GEEN_BUDGET_PM: "budget p.m."}


def _toegekend(p: Mapping[str, Any]) -> float | None:
    return number(cell(p, "ToegekendeUrenGetal", "ToegekendeUren"))


def _project_row(p: Mapping[str, Any]) -> dict[str, Any]:
    toegekend, geboekt = _toegekend(p), number(p.get("GeboekteUren"))
    rest, verbruik = number(p.get("RestUren")), number(p.get("VerbruikPct"))
    if rest is None and toegekend is not None and geboekt is not None:
        rest = toegekend - geboekt
    if verbruik is None and toegekend and geboekt is not None:
        verbruik = round_half_up(100 * geboekt / toegekend, 1)
    urenstatus, budgetstatus = text(p.get("UrenStatus")), text(p.get("BudgetStatus"))
    status = ", ".join(filter(None, (urenstatus, BUDGET_TEKST.get(budgetstatus))))
    return {
        "code": text(cell(p, "ProjectKey", "ProjectCode")) or f"ID {text(p.get('ID'))}",
        "naam": text(p.get("Title")),
        "type": text(p.get("ProjectType")),
        "eigenaar": text(p.get("Eigenaar")),
        "projectstatus": text(p.get("Projectstatus")),
        "toegekend": getal(toegekend),
        "geboekt": getal(geboekt),
        "rest": getal(rest),
        "verbruik": pct(verbruik),
        "urenstatus": urenstatus or LEEG,
        "budgetstatus": budgetstatus or LEEG,
        "status": status or LEEG,
        "ongeldige_boekingen": getal(p.get("OngeldigeBoekingen"), 0),
        "controlemelding": text(p.get("Controlemelding")),
        "_toegekend": toegekend or 0.0,
        "_geboekt": geboekt or 0.0,
    }


def totaal(projecten: list[dict[str, Any]]) -> dict[str, str]:
    """Sum of a set of project rows (built by :func:`hoofdlijn_groepen`)."""
    toegekend = sum(r["_toegekend"] for r in projecten)
    geboekt = sum(r["_geboekt"] for r in projecten)
    return {
        "toegekend": getal(toegekend),
        "geboekt": getal(geboekt),
        "rest": getal(toegekend - geboekt),
        "verbruik": pct(100 * geboekt / toegekend) if toegekend else LEEG,
        "aantal": str(len(projecten)),
    }


def _aantal_projecten(n: int) -> str:
    return f"{n} project" if n == 1 else f"{n} projecten"


def hoofdlijn_groepen(hoofdlijnen: pd.DataFrame | None,
                      projecten: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One group per hoofdlijn in Volgorde; every project lands in exactly one group.

    A project is matched on the hoofdlijn's title or code; one without a (known) hoofdlijn goes
    to a last group, so no hours disappear from the totals. Hoofdlijnen without projects are
    left out (an empty table helps nobody). Rows keep ``_toegekend``/``_geboekt`` for totals;
    :func:`strip_private` removes them.
    """
    hl_rows = rows(hoofdlijnen)
    hl_rows.sort(key=lambda h: (number(h.get("Volgorde")) is None,
                                number(h.get("Volgorde")) or 0.0,
                                natural_key(text(h.get("Title")))))
    groups: dict[str, dict[str, Any]] = {}
    lookup: dict[str, str] = {}
    for h in hl_rows:
        title = text(h.get("Title"))
        if not title or key(title) in groups:
            continue
        groups[key(title)] = {"naam": title, "code": text(h.get("Code")), "projecten": []}
        lookup[key(title)] = key(title)
        if text(h.get("Code")):
            lookup.setdefault(key(h.get("Code")), key(title))
    zonder: dict[str, Any] = {"naam": ZONDER_HOOFDLIJN, "code": "", "projecten": []}
    for p in sorted(projecten, key=lambda p: natural_key(text(p.get("ProjectCode")))):
        target = lookup.get(key(p.get("Hoofdlijn")))
        (groups[target] if target else zonder)["projecten"].append(_project_row(p))
    ordered = [g for g in groups.values() if g["projecten"]]
    if zonder["projecten"]:
        ordered.append(zonder)
    for g in ordered:
        g["totaal"] = totaal(g["projecten"])
        g["aantal"] = len(g["projecten"])
        g["aantal_tekst"] = _aantal_projecten(len(g["projecten"]))
    return ordered


def strip_private(groups: list[dict[str, Any]]) -> None:
    """Drop the helper numbers so the context holds display strings only."""
    for g in groups:
        for r in g["projecten"]:
            r.pop("_toegekend", None)
            r.pop("_geboekt", None)


def uren_per_persoon(urenregistratie: pd.DataFrame | None) -> list[dict[str, str]]:
    """Valid hours per medewerker per project, summed (never single bookings: privacy)."""
    totals: dict[tuple[str, str], float] = {}
    for b in rows(urenregistratie):
        geldig = b["Geldig"] if "Geldig" in b else not text(b.get("BoekingStatus"))
        uren = number(cell(b, "UrenGetal", "Uren"))
        if not geldig or uren is None:
            continue
        project = text(cell(b, "ProjectKey", "Project")) or "(onbekend project)"
        medewerker = text(b.get("Medewerker")) or "(onbekend)"
        totals[(medewerker, project)] = totals.get((medewerker, project), 0.0) + uren
    ordered = sorted(totals.items(), key=lambda kv: (natural_key(kv[0][1]), kv[0][0].casefold()))
    return [{"medewerker": m, "project": p, "uren": getal(u)} for (m, p), u in ordered]


def _lopend(p: Mapping[str, Any]) -> bool:
    if "Lopend" in p:
        return bool(p["Lopend"])
    return parse_choice(p.get("Projectstatus"), PROJECT_STATUSES).value not in (AFGEROND, GESTOPT)


def prognose(projecten: list[dict[str, Any]], columns: list[str],
             method: str = "linear") -> dict[str, Any]:
    """Running projects heading for an overrun; shown once the checks deliver the forecast."""
    methode = f"{PROGNOSE_METHODEN.get(method, PROGNOSE_METHODEN['linear'])} {PROGNOSE_SELECTIE}"
    if "PrognoseUren" not in columns:
        return {"tonen": False, "methode": methode, "projecten": []}
    out = []
    for p in projecten:
        verwacht, toegekend = number(p.get("PrognoseUren")), _toegekend(p)
        geboekt = number(p.get("GeboekteUren"))
        over = (flag(p.get("PrognoseOverschrijding")) if "PrognoseOverschrijding" in p
                else verwacht is not None and toegekend is not None and verwacht > toegekend)
        if not over or not _lopend(p):
            continue
        if toegekend is not None and geboekt is not None and geboekt > toegekend:
            op = "al overschreden"
        elif toegekend is not None and geboekt is not None and geboekt == toegekend:
            op = "nu op"
        else:
            op = datum(p.get("PrognoseOverschrijdingDatum"))
        out.append({
            "code": text(cell(p, "ProjectKey", "ProjectCode")),
            "naam": text(p.get("Title")),
            "eigenaar": text(p.get("Eigenaar")),
            "toegekend": getal(toegekend),
            "geboekt": getal(geboekt),
            "prognose": getal(verwacht),
            "overschrijding": getal(verwacht - toegekend)
            if verwacht is not None and toegekend is not None else LEEG,
            "datum": op,
            "einddatum": datum(p.get("Einddatum")),
        })
    out.sort(key=lambda r: natural_key(r["code"]))
    return {"tonen": True, "methode": methode, "projecten": out}
