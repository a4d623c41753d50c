"""Context of the tertiaal report and the annual evaluation (pure: a CheckResult in, a dict out).

Both follow the shape of the tussenevaluatie: summary sentences first ("Van de 14 doelen liggen
we bij 9 op koers. Van de 44 activiteiten hebben we er 25 uitgevoerd, ..."), then per hoofdlijn
the doelen with their indicatoren and voortgang, and the activiteiten with their voortgang. The
numbers are what the checks decided (``DoelStatusRapport``: DoelStatusHandmatig wins;
``CategorieRapport``: CategorieHandmatig wins), counted here, never re-derived. The tertiaal
report adds the money per project and the jaarkalender rows of its four months; the annual
evaluation adds the jaarkalender of the whole planjaar per status.

Every value is a display-ready string (Dutch dates and numbers through babel), with bidi
control characters removed and long texts shortened, so a template only places values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pandas as pd
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

from spsync import __version__
from spsync.checks.normalise import DEFAULT_TZ, is_empty, parse_bool, parse_date, parse_number
from spsync.checks.result import CheckResult, Finding
from spsync.checks.vocab import (
    ACTIVITEITEN_UITGEVOERD,
    DOEL_STATUSES,
    JAARKALENDER_VOLGENS_PLAN,
    KALENDER_STATUSES,
    MEE_BEZIG,
    NIET_BEGONNEN,
    NIET_OP_KOERS,
    NOG_NIET_MEETBAAR,
    OP_KOERS,
    PROJECTEN_BINNEN_UREN,
    UITGEVOERD,
    VOORTGANG_CATEGORIEEN,
)
from spsync.report.meta import ReportMeta, planjaar_einde, planjaar_label, planjaar_mode
from spsync.report.periods import TERTIALEN, period_bounds

__all__ = [
    "EVALUATION_KINDS",
    "MAX_CEL",
    "activiteiten_zin",
    "build_evaluation_context",
    "display",
    "doelen_zin",
]

EVALUATION_KINDS = ("tertiaal", "jaar")
LOCALE = "nl_NL"
TZ = ZoneInfo(DEFAULT_TZ)
LEEG = "–"
#: Longest text in a table cell; the whole text stays in SharePoint (one click away).
MAX_CEL = 300
ZONDER_HOOFDLIJN = "Zonder hoofdlijn"
#: Bidi overrides/isolates and marks: they can reverse how a line reads (U+202E) in Word.
_BIDI = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
_PERCENTAGE_BEREKENINGEN = (PROJECTEN_BINNEN_UREN, JAARKALENDER_VOLGENS_PLAN,
                            ACTIVITEITEN_UITGEVOERD)
_LIJSTEN = {"activiteiten": "Activiteiten", "doelen": "Doelen", "indicatoren": "Indicatoren",
            "hoofdlijnen": "Hoofdlijnen", "projecten": "Projecten",
            "jaarkalender": "Jaarkalender"}


# ---- display values -------------------------------------------------------------------------

def display(value: Any, limit: int | None = MAX_CEL) -> str:
    """Display text: bidi controls removed, whitespace collapsed (newlines kept), ``3.0`` as
    ``3``, shortened to ``limit`` characters with "…"; empty is ``""``."""
    if is_empty(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _BIDI.sub("", str(value))
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    text = "\n".join(line for line in lines if line).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _number(value: Any) -> float | None:
    parsed = parse_number(value)
    return parsed.value if parsed.ok else None


def _getal(value: float | None) -> str:
    return LEEG if value is None else format_decimal(value, format="#,##0.#", locale=LOCALE)


def _pct(value: float | None) -> str:
    return LEEG if value is None else f"{_getal(value)}%"


def _euro(value: float | None) -> str:
    if value is None:
        return LEEG
    return format_currency(value, "EUR", format="¤ #,##0", locale=LOCALE, currency_digits=False)


def _dag(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(TZ).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    parsed = parse_date(value)
    return parsed.value if parsed.ok else None


def _datum(value: Any) -> str:
    d = _dag(value)
    return LEEG if d is None else format_date(d, "dd-MM-yyyy", locale=LOCALE)


def _lang(d: date) -> str:
    return format_date(d, "d MMMM y", locale=LOCALE)


def _rows(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None or len(frame) == 0:
        return []
    return frame.to_dict(orient="records")


def _key(value: Any) -> str:
    return display(value, None).casefold()


def _natural(value: str) -> tuple[Any, ...]:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.casefold())
                 for p in re.split(r"(\d+)", value))


def _id(value: Any) -> int | None:
    n = _number(value)
    return None if n is None or not n.is_integer() else int(n)


def _woord(n: int, enkel: str, meer: str) -> str:
    return enkel if n == 1 else meer


# ---- summary sentences ----------------------------------------------------------------------

def doelen_zin(counts: Mapping[str, int]) -> str:
    """"Van de 14 doelen liggen we bij 9 op koers." plus the rest of the split."""
    totaal = sum(counts.values())
    if totaal == 0:
        return "Er zijn geen doelen vastgelegd."
    op, niet, onbekend = (counts.get(s, 0) for s in (OP_KOERS, NIET_OP_KOERS, NOG_NIET_MEETBAAR))
    zin = f"Van de {totaal} {_woord(totaal, 'doel', 'doelen')} liggen we bij {op} op koers."
    rest = []
    if niet:
        rest.append(f"bij {niet} {_woord(niet, 'doel', 'doelen')} liggen we niet op koers")
    if onbekend:
        rest.append(f"bij {onbekend} is dat nog niet meetbaar")
    if rest:
        tekst = " en ".join(rest)
        zin += f" {tekst[0].upper()}{tekst[1:]}."
    return zin


def activiteiten_zin(counts: Mapping[str, int], zonder: int = 0) -> str:
    """"Van de 44 activiteiten hebben we er 25 uitgevoerd, zijn we met 13 bezig en zijn er 6
    niet begonnen of niet haalbaar." Activities without a valid voortgang are named apart."""
    u, b, n = (counts.get(c, 0) for c in (UITGEVOERD, MEE_BEZIG, NIET_BEGONNEN))
    totaal = u + b + n
    if totaal == 0:
        zin = "Er zijn geen activiteiten met een geldige voortgang."
    else:
        zin = (f"Van de {totaal} {_woord(totaal, 'activiteit', 'activiteiten')} hebben we er "
               f"{u} uitgevoerd, zijn we met {b} bezig en {_woord(n, 'is', 'zijn')} er {n} niet "
               "begonnen of niet haalbaar.")
    if zonder:
        zin += (f" Bij {zonder} {_woord(zonder, 'activiteit', 'activiteiten')} is de voortgang "
                "niet of niet geldig ingevuld; "
                f"{_woord(zonder, 'die telt', 'die tellen')} niet mee (zie Datakwaliteit).")
    return zin


def _count(values: Iterable[str | None], order: Iterable[str]) -> dict[str, int]:
    counts = {k: 0 for k in order}
    for v in values:
        if v in counts:
            counts[v] += 1
    return counts


# ---- sections -------------------------------------------------------------------------------

def _status(row: Mapping[str, Any], helper: str, fallback: str) -> str | None:
    value = row.get(helper) if helper in row else row.get(fallback)
    return display(value) or None


def _indicator(i: Mapping[str, Any]) -> dict[str, str]:
    berekening = display(i.get("Berekening"))
    percentage = _key(i.get("Meeteenheid")) == "percentage" or \
        berekening.upper() in _PERCENTAGE_BEREKENINGEN
    waarde = _number(i.get("Waarde") if "Waarde" in i else
                     (i.get("BerekendeWaarde") if berekening.upper() != "HANDMATIG"
                      else i.get("WaardeHandmatig")))
    streef = _number(i.get("Streefwaarde"))
    teller, noemer = _number(i.get("Teller")), _number(i.get("Noemer"))
    voortgang = display(i.get("VoortgangHandmatig"))
    if noemer is not None:
        voortgang = f"{_getal(teller)} van {_getal(noemer)}"
    richting = display(i.get("GewensteRichting"))
    return {
        "code": display(i.get("IndicatorCode"), 40),
        "naam": display(i.get("Title")),
        "nulmeting": display(i.get("Nulmeting"), 80) or LEEG,
        "waarde": (_pct(waarde) if percentage else _getal(waarde)),
        "streefwaarde": (_pct(streef) if percentage else _getal(streef)) if streef is not None
        else (richting.lower() or LEEG),
        "voortgang": voortgang or LEEG,
        "status": display(i.get("IndicatorStatus")) or NOG_NIET_MEETBAAR,
        "toelichting": display(i.get("WaardeToelichting")) or "",
    }


def _activiteit(a: Mapping[str, Any]) -> dict[str, str]:
    return {
        "code": display(a.get("ActiviteitCode"), 40),
        "naam": display(a.get("Title")),
        "doel": display(a.get("Doel"), 40) or LEEG,
        "eigenaar": display(a.get("Eigenaar"), 80) or LEEG,
        "voortgang": display(a.get("VoortgangGenormaliseerd") or a.get("Voortgang"), 80)
        or LEEG,
        "categorie": _status(a, "CategorieRapport", "VoortgangCategorie")
        or "Zonder geldige voortgang",
        "toelichting": display(a.get("VoortgangToelichting")) or "",
    }


def _hoofdlijn_order(hoofdlijnen: list[dict[str, Any]]) -> list[tuple[str, str, int | None]]:
    """(title, code, item id) in Volgorde order, then by title."""
    out = []
    for pos, h in enumerate(hoofdlijnen):
        volgorde = _number(h.get("Volgorde"))
        out.append(((volgorde if volgorde is not None else 1e9 + pos), display(h.get("Title"),
                    None), display(h.get("Code"), 20), _id(h.get("ID"))))
    out.sort(key=lambda t: (t[0], t[1].casefold()))
    return [(t[1], t[2], t[3]) for t in out]


def _hoofdlijn_of(row: Mapping[str, Any], by_id: dict[int, str], by_title: dict[str, str]
                  ) -> str:
    hid = _id(row.get("HoofdlijnId"))
    if hid is not None and hid in by_id:
        return by_id[hid]
    return by_title.get(_key(row.get("Hoofdlijn")), display(row.get("Hoofdlijn"), None)
                        or ZONDER_HOOFDLIJN)


def _per_hoofdlijn(result: CheckResult, pj: str) -> tuple[list[dict[str, Any]], dict[str, int],
                                                           dict[str, int], int]:
    hoofdlijnen = _hoofdlijn_order(_rows(result.hoofdlijnen))
    by_id = {hid: title for title, _, hid in hoofdlijnen if hid is not None}
    by_title = {title.casefold(): title for title, _, _ in hoofdlijnen}

    doelen = _rows(result.doelen)
    indicatoren = [i for i in _rows(result.indicatoren)
                   if display(i.get("PlanjaarGeldig", i.get("Planjaar")), None) == pj]
    activiteiten = [a for a in _rows(result.activiteiten)
                    if display(a.get("PlanjaarGeldig", a.get("Planjaar")), None) == pj]

    doel_by_id = {_id(d.get("ID")): d for d in doelen}
    doel_by_code = {_key(d.get("DoelCode")): d for d in doelen}
    ind_per_doel: dict[int, list[dict[str, Any]]] = {}
    for i in indicatoren:
        target = doel_by_id.get(_id(i.get("DoelItemId")) if "DoelItemId" in i else None) \
            or doel_by_code.get(_key(i.get("Doel")))
        if target is not None:
            ind_per_doel.setdefault(id(target), []).append(i)

    groups: dict[str, dict[str, Any]] = {}

    def group(title: str) -> dict[str, Any]:
        return groups.setdefault(title, {"naam": display(title, 150), "doelen": [],
                                         "activiteiten": []})

    doel_status: list[str | None] = []
    for d in doelen:
        status = _status(d, "DoelStatusRapport", "DoelStatus")
        doel_status.append(status)
        inds = sorted((_indicator(i) for i in ind_per_doel.get(id(d), [])),
                      key=lambda r: _natural(r["code"]))
        group(_hoofdlijn_of(d, by_id, by_title))["doelen"].append({
            "code": display(d.get("DoelCode"), 40),
            "naam": display(d.get("Title")),
            "status": status or NOG_NIET_MEETBAAR,
            "handmatig": bool(display(d.get("DoelStatusHandmatig"))),
            "indicatoren": inds,
            "zonder_indicatoren": not inds,
        })
    categories: list[str | None] = []
    for a in activiteiten:
        row = _activiteit(a)
        categories.append(_status(a, "CategorieRapport", "VoortgangCategorie"))
        group(_hoofdlijn_of(a, by_id, by_title))["activiteiten"].append(row)

    order = [t for t, _, _ in hoofdlijnen if t in groups] + \
        sorted(t for t in groups if t not in by_title.values())
    out = []
    for title in order:
        g = groups[title]
        g["doelen"].sort(key=lambda r: _natural(r["code"]))
        g["activiteiten"].sort(key=lambda r: _natural(r["code"]))
        dc = _count((r["status"] for r in g["doelen"]), DOEL_STATUSES)
        ac = _count((r["categorie"] for r in g["activiteiten"]), VOORTGANG_CATEGORIEEN)
        nd, na = len(g["doelen"]), sum(ac.values())
        g["telling"] = {"doelen": str(nd), "op_koers": str(dc[OP_KOERS]),
                        "activiteiten": str(na), "uitgevoerd": str(ac[UITGEVOERD])}
        g["samenvatting"] = (
            f"{dc[OP_KOERS]} van de {nd} {_woord(nd, 'doel', 'doelen')} op koers; "
            f"{ac[UITGEVOERD]} van de {na} {_woord(na, 'activiteit', 'activiteiten')} "
            "uitgevoerd.")
        out.append(g)
    doel_counts = _count(doel_status, DOEL_STATUSES)
    act_counts = _count(categories, VOORTGANG_CATEGORIEEN)
    zonder = sum(c not in VOORTGANG_CATEGORIEEN for c in categories)
    return out, doel_counts, act_counts, zonder


def _financien(result: CheckResult, pj: str) -> dict[str, Any]:
    """Projects with money (begroot or p.m.) of the planjaar: begroot, werkelijk, status."""
    regels, begroot_totaal, werkelijk_totaal = [], 0.0, 0.0
    for p in _rows(result.projecten):
        if display(p.get("PlanjaarGeldig", p.get("Planjaar")), None) != pj:
            continue
        pm = parse_bool(p.get("BudgetPM")).value is True
        begroot, werkelijk = _number(p.get("BegrootBedrag")), _number(p.get("WerkelijkeUitgave"))
        if begroot is None and not pm:
            continue
        begroot_totaal += begroot or 0.0
        werkelijk_totaal += werkelijk or 0.0
        regels.append({
            "code": display(p.get("ProjectCode"), 40),
            "naam": display(p.get("Title")),
            "hoofdlijn": display(p.get("Hoofdlijn"), 150) or ZONDER_HOOFDLIJN,
            "begroot": "p.m." if pm and begroot is None else _euro(begroot),
            "werkelijk": _euro(werkelijk),
            "status": display(p.get("BudgetStatus")) or LEEG,
        })
    regels.sort(key=lambda r: _natural(r["code"]))
    return {"tonen": bool(regels), "projecten": regels,
            "begroot": _euro(begroot_totaal), "werkelijk": _euro(werkelijk_totaal)}


def _kalender_regel(k: Mapping[str, Any]) -> dict[str, str]:
    return {
        "document": display(k.get("Title")),
        "overleg": display(k.get("Overleg"), 60) or LEEG,
        "periode": f"{_datum(k.get('PeriodeStartDatum', k.get('PeriodeStart')))} t/m "
                   f"{_datum(k.get('PeriodeEindDatum', k.get('PeriodeEind')))}",
        "besproken_op": _datum(k.get("BesprokenOpDatum", k.get("BesprokenOp"))),
        "status": display(k.get("KalenderStatus")) or LEEG,
    }


def _jaarkalender(result: CheckResult, pj: str, start: date, end: date,
                  kind: str) -> dict[str, Any]:
    rows = [k for k in _rows(result.jaarkalender)
            if display(k.get("PlanjaarGeldig", k.get("Planjaar")), None) == pj]
    counts = _count((display(k.get("KalenderStatus")) for k in rows), KALENDER_STATUSES)
    dated = []
    for k in rows:
        s = _dag(k.get("PeriodeStartDatum", k.get("PeriodeStart")))
        e = _dag(k.get("PeriodeEindDatum", k.get("PeriodeEind")))
        if kind == "jaar" or (s is not None and e is not None and s <= end and e >= start):
            dated.append((e or date.max, _kalender_regel(k)))
    dated.sort(key=lambda t: (t[0], t[1]["document"].casefold()))
    regels = [r for _, r in dated]
    return {
        "tonen": bool(rows),
        "regels": regels,
        "per_status": [{"status": s, "aantal": n} for s, n in counts.items() if n],
    }


def _datakwaliteit(findings: Iterable[Finding]) -> dict[str, Any]:
    relevant = [f for f in findings if f.list_key in ("activiteiten", "doelen", "indicatoren")]
    relevant.sort(key=lambda f: (f.list_key, f.item_id or 0, f.code))
    return {
        "aantal": len(relevant),
        "bevindingen": [{"lijst": _LIJSTEN.get(f.list_key, f.list_key),
                         "regel": display(f.ref, 60) or (f"ID {f.item_id}" if f.item_id
                                                         is not None else LEEG),
                         "melding": display(f.message)} for f in relevant],
    }


def _tussenstand(meta: ReportMeta, pj: str) -> bool:
    """One rule for every report: provisional while the controledatum is not past the planjaar
    (the same rule as the indicators' ``Definitief``)."""
    if meta.tussenstand is not None:
        return meta.tussenstand
    einde = planjaar_einde(pj)
    return True if einde is None else meta.controledatum <= einde


def _period(kind: str, period: str, pj_hint: str) -> tuple[str, str | None]:
    """(planjaar, tertiaal code) from ``2025-M8`` / ``M8`` / ``2025-2026``."""
    text = display(period, None)
    if kind == "tertiaal":
        m = re.fullmatch(r"(?:(.+)-)?(M\d{1,2})", text, re.IGNORECASE)
        if not m or m.group(2).upper() not in TERTIALEN:
            raise ValueError(f"Periode '{period}' is geen M4, M8 of M12.")
        return (m.group(1) or pj_hint), m.group(2).upper()
    return text or pj_hint, None


def _months(pj: str, code: str | None) -> tuple[date, date]:
    """First and last day of the planjaar, or of the tertiaal ``code`` within it."""
    mode = planjaar_mode(pj)
    if mode is None:
        raise ValueError(f"Planjaar '{pj}' is onleesbaar.")
    return period_bounds(pj, mode, code)


def _colofon(result: CheckResult, gegenereerd: datetime) -> dict[str, Any]:
    lijsten = []
    for key, titel in _LIJSTEN.items():
        frame = getattr(result, key, None)
        lijsten.append({"lijst": titel, "aantal": "ontbreekt" if frame is None
                        else str(len(frame))})
    return {
        "versie": __version__,
        "gegenereerd_op": format_datetime(gegenereerd, "dd-MM-yyyy HH:mm", tzinfo=TZ,
                                          locale=LOCALE),
        "lijsten": lijsten,
        "bronnen": ", ".join(f"{r['lijst']} ({r['aantal']})" for r in lijsten),
    }


def build_evaluation_context(result: CheckResult, meta: ReportMeta, *,
                             kind: Literal["tertiaal", "jaar"], period: str) -> dict[str, Any]:
    """The whole template context of a tertiaal report or annual evaluation.

    ``period`` is ``2025-M8`` (or ``M8``: the result's planjaar) for ``tertiaal`` and the
    planjaar (``2025-2026``) for ``jaar``. Only rows of that planjaar count (activiteiten,
    indicatoren, projecten, jaarkalender); doelen span the planperiode and all count.
    """
    if kind not in EVALUATION_KINDS:
        raise ValueError(f"Onbekende soort '{kind}'; kies tertiaal of jaar.")
    pj, code = _period(kind, period, display(result.planjaar, None))
    start, end = _months(pj, code)
    pj_label = planjaar_label(pj)
    tussenstand = _tussenstand(meta, pj)
    controledatum = _datum(meta.controledatum)
    gegenereerd = meta.generated_at or datetime.now(TZ)
    if gegenereerd.tzinfo is None:
        gegenereerd = gegenereerd.replace(tzinfo=TZ)

    hoofdlijnen, doel_counts, act_counts, zonder = _per_hoofdlijn(result, pj)
    label = f"{pj}-{code}" if code else pj
    if kind == "tertiaal":
        titel = f"Tertiaalrapportage {code} {pj}"
        soort = "Tertiaalrapportage"
        periode_tekst = f"{code}: {_lang(start)} t/m {_lang(end)}"
    else:
        titel = f"Jaarevaluatie {pj_label}"
        soort = "Jaarevaluatie"
        periode_tekst = f"{_lang(start)} t/m {_lang(end)}"
    stand = (f"Tussenstand per {controledatum}: het {pj_label} loopt nog, de cijfers zijn "
             "voorlopig.") if tussenstand else f"Eindstand {pj_label} per {controledatum}."

    return {
        "soort": soort,
        "titel": titel,
        "periode_label": label,
        "tertiaal": code or "",
        "organisatie": display(meta.organisation, 150),
        "planjaar": pj_label,
        "planjaar_code": pj,
        "periode": periode_tekst,
        "periode_start": _datum(start),
        "periode_eind": _datum(end),
        "controledatum": controledatum,
        "gegenereerd_op": format_datetime(gegenereerd, "dd-MM-yyyy HH:mm", tzinfo=TZ,
                                          locale=LOCALE),
        "tussenstand": tussenstand,
        "tussenstand_tekst": stand,
        "samenvatting": {
            "doelen_zin": doelen_zin(doel_counts),
            "activiteiten_zin": activiteiten_zin(act_counts, zonder),
            "doelen": [{"status": s, "aantal": n} for s, n in doel_counts.items()],
            "activiteiten": [{"status": s, "aantal": n} for s, n in act_counts.items()],
            "aantal_doelen": sum(doel_counts.values()),
            "aantal_activiteiten": sum(act_counts.values()),
            "activiteiten_zonder_voortgang": zonder,
            "per_hoofdlijn": [{"naam": h["naam"], **h["telling"]} for h in hoofdlijnen],
            "doelen_op_koers": doel_counts[OP_KOERS],
            "activiteiten_uitgevoerd": act_counts[UITGEVOERD],
        },
        "hoofdlijnen": hoofdlijnen,
        "financien": _financien(result, pj),
        "jaarkalender": _jaarkalender(result, pj, start, end, kind),
        "datakwaliteit": _datakwaliteit(result.findings),
        "voortgang_noot": "Voortgang en statussen zijn de stand in de lijsten op de "
                          f"controledatum {controledatum}; de lijsten bewaren geen eerdere "
                          "standen.",
        "colofon": _colofon(result, gegenereerd),
    }
