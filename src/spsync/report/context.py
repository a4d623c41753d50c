"""Builds the weekly MT-rapportage context from a CheckResult (pure, no I/O).

The context is plain data (strings, numbers, bools, lists, dicts, and the two value types of
:mod:`.rich`), already formatted the Dutch way, so the Word template only places values and
never computes or formats anything. Staff edit the template; keeping logic out of it keeps
their edits safe. Every number comes from the checks' records (``result.records``); each
section is built by its own module and this one puts them together in reading order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from spsync import __version__
from spsync.checks.normalise import DEFAULT_TZ
from spsync.checks.result import CheckResult, Finding
from spsync.checks.vocab import LIST_TITLES, UREN_STATUSES
from spsync.report.attention import aandacht
from spsync.report.calendar import jaarkalender
from spsync.report.formatting import datum, datum_lang, kort, moment, schoon, status_counts
from spsync.report.goals import doelen_indicatoren
from spsync.report.headline import kerncijfers
from spsync.report.history import PreviousFigures, SentAlert
from spsync.report.meta import (
    ReportMeta,
    ReportPeriod,
    iso_week_label,
    planjaar_label,
    report_period,
)
from spsync.report.projects import (
    PROGNOSE_METHODE,
    PROGNOSE_METHODEN,
    ZONDER_HOOFDLIJN,
    group_projects,
    hoofdlijn_groepen,
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
    "period_of",
    "planjaar_label",
]

TZ = ZoneInfo(DEFAULT_TZ)
LIST_ORDER = ("hoofdlijnen", "projecten", "urenregistratie", "jaarkalender", "doelen",
              "activiteiten", "indicatoren")


def period_of(result: CheckResult, meta: ReportMeta) -> ReportPeriod:
    """The report's planjaar and tussenstand/definitief (:func:`.meta.report_period`)."""
    r = result.records
    data = [p.planjaar for p in r.projects] + [i.planjaar for i in r.indicators] + \
        [s.planjaar for s in r.slots]
    return report_period(result.planjaar, meta.controledatum, data, meta)


def _privacy_tekst(show: bool) -> str:
    base = "Alleen geldige boekingen tellen mee."
    if show:
        return f"{base} Uren per medewerker staan, opgeteld per project, aan het eind van dit " \
               "hoofdstuk."
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


def _signalen(alerts: Sequence[SentAlert]) -> dict[str, Any]:
    ordered = sorted(alerts, key=lambda a: a.sent_at)
    rows = [{
        "verstuurd": moment(a.sent_at).replace(" om ", ", "),
        "soort": kort(a.kind, 40),
        "aan": kort(a.recipient, 60),
        "over": kort(f"{schoon(a.ref)} {schoon(a.title)}".strip(), 110),
    } for a in ordered]
    n = len(rows)
    tekst = ("Deze week zijn geen signalen verstuurd." if not n else
             "Deze week is 1 signaal verstuurd." if n == 1 else
             f"Deze week zijn {n} signalen verstuurd.")
    return {"rijen": rows, "aantal": n, "tekst": tekst}


def _vorige_tekst(previous: PreviousFigures | None) -> str:
    if previous is None:
        return "Er is geen eerdere run bekend, dus nog geen verandering te tonen."
    if previous.controledatum is not None:
        return f"Verandering ten opzichte van de vorige run ({datum(previous.controledatum)})."
    return "Verandering ten opzichte van de vorige run."


def _colofon(result: CheckResult, meta: ReportMeta, gegenereerd: datetime) -> dict[str, Any]:
    bronnen = []
    for key in LIST_ORDER:
        frame = getattr(result, key, None)
        titel = meta.list_titles.get(key) or LIST_TITLES.get(key, key)
        bronnen.append({"lijst": titel,
                        "aantal": "ontbreekt" if frame is None else str(len(frame))})
    return {
        "run_id": schoon(meta.run_id) or "–",
        "bronnen": bronnen,
        "bronnen_tekst": "; ".join(f"{b['lijst']} {b['aantal']}" for b in bronnen),
        "gegenereerd_op": moment(gegenereerd),
        "versie": __version__,
        "site": schoon(meta.site_url) or "–",
    }


def build_context(result: CheckResult, meta: ReportMeta,
                  findings: Iterable[Finding] | None = None, *,
                  previous: PreviousFigures | None = None,
                  alerts_sent: Sequence[SentAlert] = (),
                  with_charts: bool = True) -> dict[str, Any]:
    """The whole weekly template context.

    ``findings`` replaces ``result.findings`` when given (e.g. findings added by the shell);
    ``previous`` (the previous run's figures) adds the ▲/▼ change; ``alerts_sent`` are this
    week's alerts from the ledger. ``with_charts=False`` leaves the charts out (faster tests).
    """
    rec = result.records
    period = period_of(result, meta)
    c = meta.controledatum
    groups = group_projects(result.hoofdlijnen, rec.projects)
    groepen = hoofdlijn_groepen(groups, meta, previous)
    alles = totaal(rec.projects)
    kern = kerncijfers(rec.indicators, period, meta, previous)
    dq = datakwaliteit(list(result.findings if findings is None else findings), rec, meta)
    gegenereerd = meta.generated_at or datetime.now(TZ)
    if gegenereerd.tzinfo is not None:
        gegenereerd = gegenereerd.astimezone(TZ)
    week = meta.week_label
    iso_year, iso_week, _ = c.isocalendar()
    maandag = c - timedelta(days=c.weekday())

    grafieken: dict[str, Any] = {"uren": None, "kalender": None, "burnup": None,
                                 "indicatoren": None}
    if with_charts:
        from spsync.report import charts  # matplotlib: loaded only when a report is made

        grafieken = {
            "uren": charts.uren_per_hoofdlijn(groups),
            "kalender": charts.kalender_per_overleg(
                [s for s in rec.slots if s.planjaar in (period.planjaar, None)]),
            "burnup": charts.burn_up(rec.projects, rec.bookings, c),
            "indicatoren": charts.indicatoren_grafiek(kern),
        }
    grafieken["aantal"] = sum(1 for v in grafieken.values() if v is not None)

    return {
        "titel": f"MT-rapportage {week}",
        "organisatie": schoon(meta.organisation),
        "week": week,
        "week_tekst": f"week {iso_week} van {iso_year} ({datum(maandag)} t/m "
                      f"{datum(maandag + timedelta(days=6))})",
        "planjaar": period.label,
        "planjaar_code": period.planjaar,
        "stand": period.stand,
        "stand_tekst": period.stand_tekst,
        "tussenstand": not period.definitief,
        "definitief": period.definitief,
        "controledatum": datum(c),
        "controledatum_lang": datum_lang(c),
        "gegenereerd_op": moment(gegenereerd),
        "aandacht": aandacht(rec.projects, rec.slots, meta, period),
        "kerncijfers": kern,
        "kerncijfers_vorige_tekst": _vorige_tekst(previous),
        "samenvatting": {
            "uren_zin": _uren_zin(alles, len(rec.projects)),
            "bevindingen_zin": _bevindingen_zin(dq),
            "per_hoofdlijn": [{"naam": g["naam"], "aantal": g["aantal"]} | g["totaal"]
                              for g in groepen],
            "aantal_projecten": len(rec.projects),
            "urenstatus": status_counts((p.uren_status for p in rec.projects), UREN_STATUSES),
        },
        "hoofdlijnen": groepen,
        "totaal": alles,
        "prognose_methode": PROGNOSE_METHODEN.get(meta.forecast_method, PROGNOSE_METHODE),
        "toon_uren_per_persoon": meta.show_hours_per_person,
        "privacy_tekst": _privacy_tekst(meta.show_hours_per_person),
        "uren_per_persoon": uren_per_persoon(rec.bookings) if meta.show_hours_per_person
        else [],
        "grafieken": grafieken,
        "jaarkalender": jaarkalender(rec.slots, meta, c),
        "signalen": _signalen(alerts_sent),
        "doelen_indicatoren": doelen_indicatoren(rec.goals, rec.activities, rec.indicators,
                                                 period, meta),
        "datakwaliteit": dq,
        "colofon": _colofon(result, meta, gegenereerd),
        "document_eigenschappen": {
            "titel": f"MT-rapportage {week}",
            "onderwerp": f"Wekelijkse MT-rapportage {schoon(meta.organisation)}, {period.label}",
            "trefwoorden": f"MT-rapportage; {week}; {period.planjaar}",
            "moment": gegenereerd,
        },
    }
