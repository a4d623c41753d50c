"""Doelen, activiteiten and indicatoren: statuses as the rules decided them, display-ready.

The report status of a doel is ``DoelStatusRapport`` (a manual status wins, DATA-MODEL §5.8) and
the category of an activiteit ``CategorieRapport``; both fall back to the Daemon column when a
result was not made by ``run_checks``.
"""

from __future__ import annotations

from typing import Any

from spsync.checks.normalise import canonical_choice
from spsync.checks.vocab import (
    ACTIVITEITEN_UITGEVOERD,
    DOEL_STATUSES,
    INDICATOR_STATUSES,
    JAARKALENDER_VOLGENS_PLAN,
    NEEMT_AF,
    NEEMT_TOE,
    NIET_OP_KOERS,
    PROJECTEN_BINNEN_UREN,
    VOORTGANG_CATEGORIEEN,
)
from spsync.report.formatting import (
    LEEG,
    cell,
    compact,
    flag,
    key,
    natural_key,
    number,
    pct,
    status_counts,
    text,
)

__all__ = ["doelen_indicatoren"]

PERCENTAGE_BEREKENINGEN = (PROJECTEN_BINNEN_UREN, JAARKALENDER_VOLGENS_PLAN,
                           ACTIVITEITEN_UITGEVOERD)
ZONDER_CATEGORIE = "Zonder geldige voortgang"


def _rapport(row: dict[str, Any], helper: str, handmatig: str, daemon: str,
             vocab: tuple[str, ...]) -> str:
    """The report status the checks chose, or the same choice made here: handmatig wins."""
    if helper in row:
        return text(row[helper])
    return canonical_choice(row.get(handmatig), vocab) or text(row.get(daemon))


def _waarde(value: float | None, percentage: bool) -> str:
    if value is None:
        return LEEG
    return pct(value, 0 if value.is_integer() else 1) if percentage else compact(value)


def _indicator(i: dict[str, Any]) -> dict[str, str]:
    percentage = key(i.get("Meeteenheid")) == "percentage" or \
        text(i.get("Berekening")).upper() in PERCENTAGE_BEREKENINGEN
    waarde = number(cell(i, "Waarde", "BerekendeWaarde"))
    if waarde is None and "Waarde" not in i:
        waarde = number(i.get("WaardeHandmatig"))
    teller, noemer = number(i.get("Teller")), number(i.get("Noemer"))
    richting = text(i.get("GewensteRichting"))
    streef = number(i.get("Streefwaarde"))
    voortgang = text(i.get("VoortgangHandmatig"))
    if noemer is not None:
        toelichting = f"{compact(teller)} van {compact(noemer)}"
    elif voortgang:
        toelichting = voortgang  # VoortgangHandmatig decides a Handmatig status
    elif text(i.get("Nulmeting")):
        toelichting = f"nulmeting: {text(i.get('Nulmeting'))}"
    else:
        toelichting = LEEG
    return {
        "code": text(i.get("IndicatorCode")),
        "naam": text(i.get("Title")),
        "waarde": pct(waarde) if percentage and waarde is not None else _waarde(waarde, False),
        "teller_noemer": f"{compact(teller)} / {compact(noemer)}" if noemer is not None else LEEG,
        "streefwaarde": _waarde(streef, percentage) if streef is not None
        else (richting.lower() if richting in (NEEMT_TOE, NEEMT_AF) else LEEG),
        "toelichting": toelichting,
        "status": text(i.get("IndicatorStatus")) or LEEG,
        "definitief": "ja" if flag(i.get("Definitief")) else "nee",
    }


def doelen_indicatoren(doelen: list[dict[str, Any]], activiteiten: list[dict[str, Any]],
                       indicatoren: list[dict[str, Any]]) -> dict[str, Any]:
    """Indicator table, doel and activiteit counts, and the doelen that are not on course."""
    doel_status = [_rapport(d, "DoelStatusRapport", "DoelStatusHandmatig", "DoelStatus",
                            DOEL_STATUSES) for d in doelen]
    niet_op_koers = sorted(
        ({"code": text(d.get("DoelCode")), "naam": text(d.get("Title"))}
         for d, s in zip(doelen, doel_status) if s == NIET_OP_KOERS),
        key=lambda r: natural_key(r["code"]))
    return {
        "tonen": bool(indicatoren or doelen or activiteiten),
        "indicatoren": sorted((_indicator(i) for i in indicatoren),
                              key=lambda r: natural_key(r["code"])),
        "indicatorstatus": status_counts(
            (text(i.get("IndicatorStatus")) for i in indicatoren), INDICATOR_STATUSES)
        if indicatoren else [],
        "doelstatus": status_counts(doel_status, DOEL_STATUSES) if doelen else [],
        "doelen_niet_op_koers": niet_op_koers,
        "activiteiten": status_counts(
            (_rapport(a, "CategorieRapport", "CategorieHandmatig", "VoortgangCategorie",
                      VOORTGANG_CATEGORIEEN) for a in activiteiten),
            VOORTGANG_CATEGORIEEN, leeg=ZONDER_CATEGORIE) if activiteiten else [],
    }
