"""Builds the MT-rapportage template context from a CheckResult (pure, no I/O).

The context is a plain dict of strings, numbers, bools, lists and dicts, already formatted the
Dutch way, so the Word template only places values and never computes or formats anything.
Staff edit the template; keeping logic out of it keeps their edits safe.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from spsync.checks.result import CheckResult, Finding
from spsync.schema import LISTS

__all__ = [
    "ReportMeta",
    "build_context",
    "iso_week_label",
    "planjaar_label",
    "planjaar_einde",
    "fmt_getal",
    "fmt_pct",
    "fmt_datum",
    "to_date",
    "ZONDER_HOOFDLIJN",
    "PROGNOSE_METHODE",
]

TZ = ZoneInfo("Europe/Amsterdam")
LEEG = "–"  # shown for a missing number or date, so an empty cell never looks like a zero
ZONDER_HOOFDLIJN = "Zonder (bekende) hoofdlijn"
PROGNOSE_METHODE = (
    "Lineaire prognose: geboekte uren gedeeld door het verstreken deel van de projectperiode."
)

URENSTATUSSEN = ("Binnen uren", "Risico op overschrijding", "Overschreden", "Geen uren toegekend")
KALENDERSTATUSSEN = (
    "Besproken volgens jaarkalender",
    "Te laat besproken",
    "Te vroeg besproken",
    "Besproken in ander overleg",
    "Gemist",
    "In bespreekperiode",
    "Binnenkort",
    "Gepland",
    "Vervallen",
    "Onvolledig",
)
KALENDER_DUE = (
    "Besproken volgens jaarkalender",
    "Te laat besproken",
    "Te vroeg besproken",
    "Besproken in ander overleg",
    "Gemist",
)
KALENDER_AFWIJKEND = ("Te laat besproken", "Te vroeg besproken", "Besproken in ander overleg")
KALENDER_KOMEND = ("In bespreekperiode", "Binnenkort")
DOELSTATUSSEN = ("Op koers", "Niet op koers", "Nog niet meetbaar")
CATEGORIEEN = ("Uitgevoerd", "Mee bezig", "Niet begonnen of niet haalbaar")
INDICATORSTATUSSEN = ("Behaald", "Niet behaald", "Nog niet meetbaar")
NIET_LOPEND = ("afgerond", "gestopt")
IND_UREN = "PROJECTEN_BINNEN_UREN"
IND_KALENDER = "JAARKALENDER_VOLGENS_PLAN"
_LIST_TITLES = {ld.key: ld.title for ld in LISTS}


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

    @property
    def week_label(self) -> str:
        return self.week or iso_week_label(self.controledatum)

    @classmethod
    def for_result(
        cls,
        result: CheckResult,
        organisation: str,
        *,
        generated_at: datetime | None = None,
        show_hours_per_person: bool = False,
    ) -> ReportMeta:
        """Meta with week and planjaar label filled in from the result."""
        return cls(
            organisation=organisation,
            controledatum=result.controledatum,
            generated_at=generated_at,
            week=iso_week_label(result.controledatum),
            planjaar_label=planjaar_label(result.planjaar),
            show_hours_per_person=show_hours_per_person,
        )


# ---------------------------------------------------------------------------------------------
# Small value helpers: the frames carry raw, untrusted values (strings, NaN, numpy scalars).


def iso_week_label(d: date) -> str:
    """ISO week as used in file names and titles: ``2026-W20``."""
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


def planjaar_label(planjaar: str | None) -> str:
    """``2025-2026`` reads as a schooljaar, ``2025`` as a kalenderjaar (DATA-MODEL §4)."""
    text = str(planjaar or "").strip()
    if re.fullmatch(r"\d{4}-\d{4}", text):
        return f"schooljaar {text}"
    if re.fullmatch(r"\d{4}", text):
        return f"kalenderjaar {text}"
    return f"planjaar {text}" if text else "planjaar onbekend"


def planjaar_einde(planjaar: str | None) -> date | None:
    """Last day of the planjaar: 31 July for a schooljaar, 31 December for a kalenderjaar."""
    text = str(planjaar or "").strip()
    if m := re.fullmatch(r"\d{4}-(\d{4})", text):
        return date(int(m.group(1)), 7, 31)
    if re.fullmatch(r"\d{4}", text):
        return date(int(text), 12, 31)
    return None


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value)) if not isinstance(value, (list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def _text(value: Any) -> str:
    """Display text of a cell; missing becomes the empty string."""
    if _is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _num(value: Any) -> float | None:
    """Number of a cell, accepting a decimal comma as staff type it (DATA-MODEL §5.0)."""
    if _is_missing(value) or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        result = float(value)  # numpy scalars, Decimal
    except (TypeError, ValueError):
        text = str(value).strip().replace(",", ".")
        try:
            result = float(text)
        except ValueError:
            return None
    return None if math.isnan(result) else result


def _bool(value: Any) -> bool:
    """Yes/No cell: SharePoint gives bools, CSVs give 'Ja'/'true'/1."""
    if _is_missing(value):
        return False
    if isinstance(value, str):
        return value.strip().casefold() in ("ja", "yes", "true", "1", "waar", "y", "j")
    return bool(value)


def to_date(value: Any) -> date | None:
    """Local calendar date of a date cell.

    SharePoint sends date-only values as the UTC instant of local midnight
    (``2026-03-09T23:00:00Z`` is 10 March in Amsterdam), so aware values are converted to
    Europe/Amsterdam before taking the date. Junk ("2026-02-30") gives None.
    """
    if _is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value.astimezone(TZ).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(TZ).date() if parsed.tzinfo else parsed.date()


def fmt_getal(value: Any, decimals: int = 1) -> str:
    """Dutch number: ``1.696,0``; missing becomes a dash."""
    number = _num(value)
    if number is None:
        return LEEG
    if round(number, decimals) == 0:
        number = 0.0  # no "-0,0"
    text = f"{number:,.{decimals}f}"  # 1,696.0
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def fmt_pct(value: Any, decimals: int = 1) -> str:
    """Dutch percentage: ``77,8%``."""
    text = fmt_getal(value, decimals)
    return text if text == LEEG else f"{text}%"


def _fmt_compact(value: Any) -> str:
    """A target or count without needless decimals: ``75`` but ``3,5``."""
    number = _num(value)
    if number is None:
        return LEEG
    return fmt_getal(number, 0 if float(number).is_integer() else 1)


def fmt_datum(value: Any) -> str:
    """Dutch date ``dd-mm-jjjj``; missing or invalid becomes a dash."""
    d = to_date(value)
    return d.strftime("%d-%m-%Y") if d else LEEG


def _fmt_dagen(value: Any) -> str:
    number = _num(value)
    return LEEG if number is None else str(int(round(number)))


def _norm(value: Any) -> str:
    return " ".join(_text(value).split()).casefold()


def _rows(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    """Frame rows as dicts; a list missing on the site (None) is just empty."""
    if frame is None or len(frame) == 0:
        return []
    return frame.to_dict(orient="records")


def _natural_key(text: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", text))


def _count(values: Iterable[str], order: Iterable[str]) -> list[dict[str, Any]]:
    """Counts in vocabulary order; values outside it (or empty) are kept, never dropped."""
    counts: dict[str, int] = {}
    for v in values:
        counts[v or "(leeg)"] = counts.get(v or "(leeg)", 0) + 1
    known = list(order)
    extra = sorted(k for k in counts if k not in known)
    return [{"status": k, "aantal": counts.get(k, 0)} for k in known + extra]


# ---------------------------------------------------------------------------------------------
# Sections


def _in_planjaar(row: Mapping[str, Any], planjaar: str) -> bool:
    """Rows without a Planjaar column count for the run's planjaar."""
    value = row.get("Planjaar")
    return _is_missing(value) or _text(value) == planjaar


def _kpi(
    naam: str, teller: float | None, noemer: float | None, waarde: float | None,
    streef: float | None, status: str, prefix: str = "",
) -> dict[str, Any]:
    """One headline number, formatted for a sentence and a table."""
    if noemer:
        tekst = f"{_fmt_compact(teller)} / {_fmt_compact(noemer)} = {fmt_pct(waarde)}"
    else:
        tekst = "nog niet meetbaar"
    return {
        "naam": naam,
        "teller": _fmt_compact(teller),
        "noemer": _fmt_compact(noemer),
        "waarde": fmt_pct(waarde),
        "streefwaarde": " ".join(filter(None, (prefix, fmt_pct(streef, 0))))
        if streef is not None else LEEG,
        "status": status,
        "tekst": tekst,
    }


def _indicator_row(indicatoren: list[dict[str, Any]], code: str, planjaar: str) -> dict | None:
    """The Indicatoren row computed by the rules, preferring the run's planjaar."""
    rows = [r for r in indicatoren if _text(r.get("Berekening")).upper() == code]
    matching = [r for r in rows if _text(r.get("Planjaar")) == planjaar]
    candidates = matching or rows
    with_value = [r for r in candidates if _num(r.get("Noemer")) is not None]
    return (with_value or candidates or [None])[0]


def _status_for(waarde: float | None, noemer: float | None, streef: float) -> str:
    if not noemer or waarde is None:
        return "Nog niet meetbaar"
    return "Behaald" if waarde >= streef else "Niet behaald"


def _headline(
    naam: str, code: str, indicatoren: list[dict[str, Any]], planjaar: str,
    teller: int, noemer: int, default_streef: float, prefix: str,
) -> dict[str, Any]:
    """Take the value from the Indicatoren list when the rules computed it, else from our count."""
    row = _indicator_row(indicatoren, code, planjaar)
    if row is not None and _num(row.get("Noemer")) is not None:
        t, n = _num(row.get("Teller")), _num(row.get("Noemer"))
        waarde = _num(row.get("BerekendeWaarde"))
        if waarde is None and n:
            waarde = round(100 * (t or 0) / n, 1)
        streef = _num(row.get("Streefwaarde"))
        streef = default_streef if streef is None else streef
        status = _text(row.get("IndicatorStatus")) or _status_for(waarde, n, streef)
        result = _kpi(naam, t, n, waarde, streef, status, prefix)
        result["bron"] = "Indicatoren"
        return result
    waarde = round(100 * teller / noemer, 1) if noemer else None
    streef = default_streef
    if row is not None and _num(row.get("Streefwaarde")) is not None:
        streef = _num(row.get("Streefwaarde")) or 0.0
    result = _kpi(naam, teller, noemer, waarde, streef, _status_for(waarde, noemer, streef), prefix)
    result["bron"] = "berekend"
    return result


def _project_row(p: Mapping[str, Any]) -> dict[str, Any]:
    toegekend, geboekt = _num(p.get("ToegekendeUren")), _num(p.get("GeboekteUren"))
    rest = _num(p.get("RestUren"))
    if rest is None and toegekend is not None and geboekt is not None:
        rest = toegekend - geboekt
    verbruik = _num(p.get("VerbruikPct"))
    if verbruik is None and toegekend and geboekt is not None:
        verbruik = round(100 * geboekt / toegekend, 1)
    return {
        "code": _text(p.get("ProjectCode")) or f"ID {_text(p.get('ID'))}",
        "naam": _text(p.get("Title")),
        "type": _text(p.get("ProjectType")),
        "eigenaar": _text(p.get("Eigenaar")),
        "projectstatus": _text(p.get("Projectstatus")),
        "toegekend": fmt_getal(toegekend),
        "geboekt": fmt_getal(geboekt),
        "rest": fmt_getal(rest),
        "verbruik": fmt_pct(verbruik),
        "urenstatus": _text(p.get("UrenStatus")) or LEEG,
        "budgetstatus": _text(p.get("BudgetStatus")) or LEEG,
        "ongeldige_boekingen": _fmt_dagen(p.get("OngeldigeBoekingen")),
        "controlemelding": _text(p.get("Controlemelding")),
        "_toegekend": toegekend or 0.0,
        "_geboekt": geboekt or 0.0,
    }


def _totaal(rows: list[dict[str, Any]]) -> dict[str, str]:
    toegekend = sum(r["_toegekend"] for r in rows)
    geboekt = sum(r["_geboekt"] for r in rows)
    return {
        "toegekend": fmt_getal(toegekend),
        "geboekt": fmt_getal(geboekt),
        "rest": fmt_getal(toegekend - geboekt),
        "verbruik": fmt_pct(100 * geboekt / toegekend) if toegekend else LEEG,
        "aantal": str(len(rows)),
    }


def _hoofdlijnen(result: CheckResult, projecten: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One group per hoofdlijn in Volgorde; every project lands in exactly one group."""
    hl_rows = _rows(result.hoofdlijnen)

    def order(h: Mapping[str, Any]) -> tuple[Any, ...]:
        volgorde = _num(h.get("Volgorde"))
        return (volgorde is None, volgorde or 0.0, _natural_key(_text(h.get("Title"))))

    hl_rows.sort(key=order)
    groups: dict[str, dict[str, Any]] = {}
    lookup: dict[str, str] = {}
    for h in hl_rows:
        title = _text(h.get("Title"))
        if not title or _norm(title) in groups:
            continue
        groups[_norm(title)] = {"naam": title, "code": _text(h.get("Code")), "projecten": []}
        lookup[_norm(title)] = _norm(title)
        if _text(h.get("Code")):
            lookup.setdefault(_norm(h.get("Code")), _norm(title))
    zonder: dict[str, Any] = {"naam": ZONDER_HOOFDLIJN, "code": "", "projecten": []}
    rows = sorted((_project_row(p) | {"_hl": p.get("Hoofdlijn")} for p in projecten),
                  key=lambda r: _natural_key(r["code"]))
    for r in rows:
        key = lookup.get(_norm(r.pop("_hl")))
        (groups[key] if key else zonder)["projecten"].append(r)
    ordered = [g for g in groups.values() if g["projecten"]]
    if zonder["projecten"]:
        ordered.append(zonder)
    for g in ordered:
        g["totaal"] = _totaal(g["projecten"])
        g["aantal"] = len(g["projecten"])
        g["aantal_tekst"] = _aantal_projecten(len(g["projecten"]))
    return ordered


def _aantal_projecten(n: int) -> str:
    return f"{n} project" if n == 1 else f"{n} projecten"


def _strip_private(groups: list[dict[str, Any]]) -> None:
    """Drop the helper numbers so the context holds display strings only."""
    for g in groups:
        for r in g["projecten"]:
            r.pop("_toegekend", None)
            r.pop("_geboekt", None)


def _uren_per_persoon(result: CheckResult) -> list[dict[str, str]]:
    """Valid hours per medewerker per project, aggregated (never single bookings)."""
    totals: dict[tuple[str, str], float] = {}
    for b in _rows(result.urenregistratie):
        if _text(b.get("BoekingStatus")):
            continue  # only geldig bookings count (DATA-MODEL §5.2)
        uren = _num(b.get("UrenGetal")) if "UrenGetal" in b else _num(b.get("Uren"))
        if uren is None:
            continue
        key = (_text(b.get("Medewerker")) or "(onbekend)", _text(b.get("Project")) or "(leeg)")
        totals[key] = totals.get(key, 0.0) + uren
    ordered = sorted(totals.items(), key=lambda kv: (_natural_key(kv[0][1]), kv[0][0].casefold()))
    return [{"medewerker": m, "project": p, "uren": fmt_getal(u)} for (m, p), u in ordered]


def _prognose(projecten: list[dict[str, Any]], columns: Iterable[str]) -> dict[str, Any]:
    """Forecast overruns; shown only once the rules deliver the forecast columns."""
    cols = set(columns)
    if "PrognoseUren" not in cols:
        return {"tonen": False, "methode": PROGNOSE_METHODE, "projecten": []}
    rows = []
    for p in projecten:
        prognose, toegekend = _num(p.get("PrognoseUren")), _num(p.get("ToegekendeUren"))
        if "PrognoseOverschrijding" in cols:
            over = _bool(p.get("PrognoseOverschrijding"))
        else:
            over = prognose is not None and toegekend is not None and prognose > toegekend
        if not over or _norm(p.get("Projectstatus")) in NIET_LOPEND:
            continue
        rows.append({
            "code": _text(p.get("ProjectCode")),
            "naam": _text(p.get("Title")),
            "eigenaar": _text(p.get("Eigenaar")),
            "toegekend": fmt_getal(toegekend),
            "geboekt": fmt_getal(p.get("GeboekteUren")),
            "prognose": fmt_getal(prognose),
            "overschrijding": fmt_getal(prognose - toegekend)
            if prognose is not None and toegekend is not None else LEEG,
            "datum": fmt_datum(p.get("PrognoseOverschrijdingDatum")),
            "einddatum": fmt_datum(p.get("Einddatum")),
        })
    rows.sort(key=lambda r: _natural_key(r["code"]))
    return {"tonen": True, "methode": PROGNOSE_METHODE, "projecten": rows}


def _kalender_row(k: Mapping[str, Any]) -> dict[str, str]:
    return {
        "id": _text(k.get("ID")),
        "document": _text(k.get("Title")),
        "documenttype": _text(k.get("Documenttype")),
        "overleg": _text(k.get("Overleg")),
        "periode_start": fmt_datum(k.get("PeriodeStart")),
        "periode_eind": fmt_datum(k.get("PeriodeEind")),
        "besproken_op": fmt_datum(k.get("BesprokenOp")),
        "besproken_in": _text(k.get("BesprokenIn")) or _text(k.get("Overleg")),
        "dagen_te_laat": _fmt_dagen(k.get("DagenTeLaat")),
        "eigenaar": _text(k.get("Eigenaar")),
        "status": _text(k.get("KalenderStatus")),
        "_eind": to_date(k.get("PeriodeEind")) or date.max,
        "_start": to_date(k.get("PeriodeStart")) or date.max,
        "_dagen": _num(k.get("DagenTeLaat")) or 0.0,
    }


def _jaarkalender(kalender: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    rows = [_kalender_row(k) for k in kalender]
    gemist = sorted((r for r in rows if r["status"] == "Gemist"), key=lambda r: -r["_dagen"])
    afwijkend = sorted((r for r in rows if r["status"] in KALENDER_AFWIJKEND),
                       key=lambda r: (r["_eind"], r["document"]))
    komend = sorted((r for r in rows if r["status"] in KALENDER_KOMEND),
                    key=lambda r: (r["_eind"], r["_start"], r["document"]))

    def strip(items: list[dict[str, Any]]) -> list[dict[str, str]]:
        return [{k: v for k, v in r.items() if not k.startswith("_")} for r in items]

    return {"gemist": strip(gemist), "afwijkend": strip(afwijkend), "komend": strip(komend)}


def _indicator_table(indicatoren: list[dict[str, Any]]) -> list[dict[str, str]]:
    rows = []
    for i in sorted(indicatoren, key=lambda r: _natural_key(_text(r.get("IndicatorCode")))):
        pct = _norm(i.get("Meeteenheid")) == "percentage" or _text(i.get("Berekening")).upper() in (
            IND_UREN, IND_KALENDER, "ACTIVITEITEN_UITGEVOERD")
        waarde = _num(i.get("BerekendeWaarde"))
        if waarde is None:
            waarde = _num(i.get("WaardeHandmatig"))
        teller, noemer = _num(i.get("Teller")), _num(i.get("Noemer"))
        streef = _num(i.get("Streefwaarde"))
        rows.append({
            "code": _text(i.get("IndicatorCode")),
            "naam": _text(i.get("Title")),
            "waarde": fmt_pct(waarde) if pct and waarde is not None else _fmt_compact(waarde),
            "teller_noemer": f"{_fmt_compact(teller)} / {_fmt_compact(noemer)}"
            if noemer is not None else LEEG,
            "streefwaarde": fmt_pct(streef, 0 if streef.is_integer() else 1)
            if pct and streef is not None else _fmt_compact(streef),
            "status": _text(i.get("IndicatorStatus")) or LEEG,
            "definitief": "ja" if _bool(i.get("Definitief")) else "nee",
        })
    return rows


def _datakwaliteit(findings: list[Finding]) -> dict[str, Any]:
    """Findings grouped per list, in list order, so each list owner sees their own part."""
    order = [ld.key for ld in LISTS]
    by_list: dict[str, list[Finding]] = {}
    for f in findings:
        by_list.setdefault(f.list_key, []).append(f)
    keys = [k for k in order if k in by_list] + sorted(k for k in by_list if k not in order)
    groepen = []
    for key in keys:
        items = sorted(by_list[key], key=lambda f: (f.item_id is None, f.item_id or 0, f.code))
        groepen.append({
            "lijst": _LIST_TITLES.get(key, key.capitalize() if key else "Overig"),
            "aantal": len(items),
            "bevindingen": [
                {"verwijzing": f.ref or (f"ID {f.item_id}" if f.item_id is not None else LEEG),
                 "code": f.code, "melding": f.message}
                for f in items
            ],
        })
    return {"aantal": len(findings), "groepen": groepen}


def _is_tussenstand(result: CheckResult, meta: ReportMeta) -> bool:
    if meta.tussenstand is not None:
        return meta.tussenstand
    einde = planjaar_einde(result.planjaar)
    if einde is not None:
        return meta.controledatum <= einde
    definitief = [_bool(r["Definitief"]) for r in _rows(result.indicatoren) if "Definitief" in r]
    return not all(definitief) if definitief else True


# ---------------------------------------------------------------------------------------------


def build_context(
    result: CheckResult, meta: ReportMeta, findings: Iterable[Finding] | None = None
) -> dict[str, Any]:
    """The whole template context: display-ready strings, counts, bools, lists and dicts.

    ``findings`` replaces ``result.findings`` when given (e.g. findings added by the shell).
    """
    projecten = _rows(result.projecten)
    kalender = _rows(result.jaarkalender)
    indicatoren = _rows(result.indicatoren)
    planjaar = _text(result.planjaar)

    tussenstand = _is_tussenstand(result, meta)

    # Headline 1: projecten binnen uren (DATA-MODEL §5.6), fallback count from the frame.
    types = {t.casefold() for t in meta.indicator_project_types}
    populatie = [p for p in projecten if _norm(p.get("ProjectType")) in types
                 and _in_planjaar(p, planjaar)
                 and _text(p.get("UrenStatus")) in URENSTATUSSEN[:3]]
    binnen = sum(_text(p.get("UrenStatus")) in URENSTATUSSEN[:2] for p in populatie)
    kpi_uren = _headline("Projecten binnen uren", IND_UREN, indicatoren, planjaar,
                         binnen, len(populatie), 75.0, "minimaal")
    due = [k for k in kalender if _text(k.get("KalenderStatus")) in KALENDER_DUE
           and _in_planjaar(k, planjaar)]
    volgens = sum(_text(k.get("KalenderStatus")) == KALENDER_DUE[0] for k in due)
    kpi_kal = _headline("Formele documenten volgens jaarkalender", IND_KALENDER, indicatoren,
                        planjaar, volgens, len(due), 100.0, "")
    for kpi in (kpi_uren, kpi_kal):
        kpi["status_tekst"] = f"{kpi['status']} (tussenstand)" if tussenstand else kpi["status"]

    groups = _hoofdlijnen(result, projecten)
    alle = [r for g in groups for r in g["projecten"]]
    totaal = _totaal(alle)
    _strip_private(groups)

    controledatum = fmt_datum(meta.controledatum)
    week = meta.week_label
    pj_label = meta.planjaar_label or planjaar_label(result.planjaar)
    gegenereerd = meta.generated_at or datetime.now(TZ)
    if gegenereerd.tzinfo is not None:
        gegenereerd = gegenereerd.astimezone(TZ)

    doelen = _rows(result.doelen)
    activiteiten = _rows(result.activiteiten)
    doel_status = [
        _text(d.get("DoelStatusRapport")) or _text(d.get("DoelStatus")) for d in doelen
    ]
    dq = _datakwaliteit(list(result.findings if findings is None else findings))
    bevindingen_per_lijst = [{"lijst": g["lijst"], "aantal": g["aantal"]} for g in dq["groepen"]]

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
            f"Tussenstand per {controledatum}: het {pj_label} loopt nog, "
            "de cijfers zijn voorlopig." if tussenstand else
            f"Eindstand {pj_label}."
        ),
        "samenvatting": {
            "kerncijfers": [kpi_uren, kpi_kal],
            "projecten_binnen_uren": kpi_uren,
            "jaarkalender_volgens_plan": kpi_kal,
            "urenstatus": _count((_text(p.get("UrenStatus")) for p in projecten), URENSTATUSSEN),
            "kalenderstatus": _count(
                (_text(k.get("KalenderStatus")) for k in kalender), KALENDERSTATUSSEN),
            "aantal_projecten": len(projecten),
            "aantal_bevindingen": dq["aantal"],
            "bevindingen_per_lijst": bevindingen_per_lijst,
            "uren_toegekend": totaal["toegekend"],
            "uren_geboekt": totaal["geboekt"],
            "uren_rest": totaal["rest"],
            "verbruik": totaal["verbruik"],
        },
        "hoofdlijnen": groups,
        "totaal": totaal,
        "toon_uren_per_persoon": meta.show_hours_per_person,
        "privacy_tekst": (
            "Alleen geldige boekingen tellen mee. Uren per medewerker staan, samengeteld per "
            "project, aan het eind van deze paragraaf." if meta.show_hours_per_person else
            "Alleen geldige boekingen tellen mee. Uren per medewerker worden niet getoond."
        ),
        "uren_per_persoon": _uren_per_persoon(result) if meta.show_hours_per_person else [],
        "prognose": _prognose(
            projecten, [] if result.projecten is None else list(result.projecten.columns)),
        "jaarkalender": _jaarkalender(kalender),
        "doelen_indicatoren": {
            "tonen": bool(indicatoren or doelen or activiteiten),
            "indicatoren": _indicator_table(indicatoren),
            "indicatorstatus": _count(
                (_text(i.get("IndicatorStatus")) for i in indicatoren), INDICATORSTATUSSEN)
            if indicatoren else [],
            "doelstatus": _count(doel_status, DOELSTATUSSEN) if doelen else [],
            "activiteiten": _count(
                (_text(a.get("VoortgangCategorie")) for a in activiteiten), CATEGORIEEN)
            if activiteiten else [],
        },
        "datakwaliteit": dq,
    }
