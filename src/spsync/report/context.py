"""Builds the MT-rapportage template context from a CheckResult (pure, no I/O).

The context is a plain dict of strings, numbers, bools, lists and dicts, already formatted the
Dutch way, so the Word template only places values and never computes or formats anything.
Staff edit the template; keeping logic out of it keeps their edits safe. Each section is built
by its own module; this one only puts them together.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from spsync.checks.normalise import DEFAULT_TZ
from spsync.checks.result import CheckResult, Finding
from spsync.checks.vocab import (
    ANDER_OVERLEG,
    BINNENKORT,
    GEMIST,
    GEPLAND,
    IN_BESPREEKPERIODE,
    ONVOLLEDIG,
    TE_LAAT,
    TE_VROEG,
    UREN_STATUSES,
    VERVALLEN,
    VOLGENS_JAARKALENDER,
)
from spsync.report.calendar import jaarkalender
from spsync.report.formatting import datum, flag, rows, status_counts, text
from spsync.report.goals import doelen_indicatoren
from spsync.report.headline import kerncijfers
from spsync.report.meta import ReportMeta, iso_week_label, planjaar_einde, planjaar_label
from spsync.report.projects import (
    PROGNOSE_METHODE,
    ZONDER_HOOFDLIJN,
    hoofdlijn_groepen,
    prognose,
    strip_private,
    totaal,
    uren_per_persoon,
)
from spsync.report.quality import datakwaliteit

__all__ = [
    "PROGNOSE_METHODE",
    "ZONDER_HOOFDLIJN",
    "ReportMeta",
    "build_context",
    "iso_week_label",
    "planjaar_label",
]

TZ = ZoneInfo(DEFAULT_TZ)
#: Kalenderstatus in reading order for the MT: outcomes first, then what is still to come.
KALENDER_VOLGORDE = (VOLGENS_JAARKALENDER, TE_LAAT, TE_VROEG, ANDER_OVERLEG, GEMIST,
                     IN_BESPREEKPERIODE, BINNENKORT, GEPLAND, VERVALLEN, ONVOLLEDIG)


def _is_tussenstand(result: CheckResult, meta: ReportMeta) -> bool:
    """Figures are provisional while the planjaar runs (or, unknown planjaar, not definitief)."""
    if meta.tussenstand is not None:
        return meta.tussenstand
    einde = planjaar_einde(result.planjaar)
    if einde is not None:
        return meta.controledatum <= einde
    definitief = [flag(r["Definitief"]) for r in rows(result.indicatoren) if "Definitief" in r]
    return not all(definitief) if definitief else True


def _privacy_tekst(show: bool) -> str:
    base = "Alleen geldige boekingen tellen mee."
    if show:
        return f"{base} Uren per medewerker staan, opgeteld per project, aan het eind van deze " \
               "paragraaf."
    return f"{base} Uren per medewerker worden niet getoond."


def _uren_zin(alles: dict[str, str], aantal: int) -> str:
    wat = "1 project" if aantal == 1 else f"{aantal} projecten en activiteiten"
    return (f"Geboekt: {alles['geboekt']} van de {alles['toegekend']} toegekende uren "
            f"({alles['verbruik']}) over {wat}; er resteert {alles['rest']} uur.")


def _bevindingen_zin(dq: dict[str, Any]) -> str:
    if not dq["aantal"]:
        return "Datakwaliteit: geen bevindingen."
    lijsten = ", ".join(f"{g['lijst']} {g['aantal']}" for g in dq["per_lijst"])
    return f"Datakwaliteit: {dq['aantal_tekst']} ({lijsten}); zie het hoofdstuk Datakwaliteit."


def build_context(result: CheckResult, meta: ReportMeta,
                  findings: Iterable[Finding] | None = None) -> dict[str, Any]:
    """The whole template context: display-ready strings, counts, bools, lists and dicts.

    ``findings`` replaces ``result.findings`` when given (e.g. findings added by the shell).
    """
    projecten = rows(result.projecten)
    kalender = rows(result.jaarkalender)
    planjaar = text(result.planjaar)
    tussenstand = _is_tussenstand(result, meta)

    kern = kerncijfers(rows(result.indicatoren), projecten, kalender, planjaar,
                       meta.indicator_project_types, tussenstand)
    groepen = hoofdlijn_groepen(result.hoofdlijnen, projecten)
    alles = totaal([r for g in groepen for r in g["projecten"]])
    strip_private(groepen)
    dq = datakwaliteit(list(result.findings if findings is None else findings))

    controledatum = datum(meta.controledatum)
    week = meta.week_label
    pj_label = meta.planjaar_label or planjaar_label(result.planjaar)
    gegenereerd = meta.generated_at or datetime.now(TZ)
    if gegenereerd.tzinfo is not None:
        gegenereerd = gegenereerd.astimezone(TZ)
    project_columns = [] if result.projecten is None else list(result.projecten.columns)

    return {
        "titel": f"MT-rapportage {week}",
        "organisatie": meta.organisation,
        "week": week,
        "planjaar": pj_label,
        "planjaar_code": planjaar,
        "controledatum": controledatum,
        "gegenereerd_op": gegenereerd.strftime("%d-%m-%Y %H:%M"),
        "tussenstand": tussenstand,
        "tussenstand_tekst": (
            f"Tussenstand per {controledatum}: het {pj_label} loopt nog, de cijfers zijn "
            "voorlopig." if tussenstand else f"Eindstand {pj_label}."),
        "samenvatting": {
            "kerncijfers": kern,
            "projecten_binnen_uren": kern[0],
            "jaarkalender_volgens_plan": kern[1],
            "urenstatus": status_counts((text(p.get("UrenStatus")) for p in projecten),
                                        UREN_STATUSES),
            "kalenderstatus": status_counts((text(k.get("KalenderStatus")) for k in kalender),
                                            KALENDER_VOLGORDE, zeros=False),
            "per_hoofdlijn": [{"naam": g["naam"], "aantal": g["aantal"]} | g["totaal"]
                              for g in groepen],
            "aantal_projecten": len(projecten),
            "aantal_bevindingen": dq["aantal"],
            "bevindingen_tekst": dq["aantal_tekst"],
            "bevindingen_zin": _bevindingen_zin(dq),
            "uren_zin": _uren_zin(alles, len(projecten)),
            "bevindingen_per_lijst": dq["per_lijst"],
            "uren_toegekend": alles["toegekend"],
            "uren_geboekt": alles["geboekt"],
            "uren_rest": alles["rest"],
            "verbruik": alles["verbruik"],
        },
        "hoofdlijnen": groepen,
        "totaal": alles,
        "toon_uren_per_persoon": meta.show_hours_per_person,
        "privacy_tekst": _privacy_tekst(meta.show_hours_per_person),
        "uren_per_persoon": uren_per_persoon(result.urenregistratie)
        if meta.show_hours_per_person else [],
        "prognose": prognose(projecten, project_columns, meta.forecast_method),
        "jaarkalender": jaarkalender(kalender),
        "doelen_indicatoren": doelen_indicatoren(rows(result.doelen), rows(result.activiteiten),
                                                 rows(result.indicatoren)),
        "datakwaliteit": dq,
    }
