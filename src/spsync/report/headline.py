"""De kerncijfers: every computed indicator of the report's planjaar against its target.

The values are the checks' (:class:`~spsync.checks.records.IndicatorResult`): the MT sees the
same number as the Indicatoren list. The change since the previous run comes from
:class:`~spsync.report.history.PreviousFigures`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spsync.checks.records import IndicatorResult
from spsync.checks.vocab import (
    ACTIVITEITEN_UITGEVOERD,
    HANDMATIG,
    JAARKALENDER_VOLGENS_PLAN,
    MT_RAPPORTAGE_BESPROKEN,
    NEEMT_AF,
    PROJECTEN_BINNEN_UREN,
)
from spsync.report.formatting import LEEG, compact, kort, natural_key, pct, text
from spsync.report.history import PreviousFigures, change
from spsync.report.meta import ReportMeta, ReportPeriod, item_url
from spsync.report.rich import Hyperlink

__all__ = ["PERCENTAGE_BEREKENINGEN", "indicator_waarde", "is_percentage", "kerncijfers",
           "period_indicators"]

PERCENTAGE_BEREKENINGEN = (PROJECTEN_BINNEN_UREN, JAARKALENDER_VOLGENS_PLAN,
                           ACTIVITEITEN_UITGEVOERD)
#: Short names for the computed indicators, when the list's title is empty.
NAMEN = {
    PROJECTEN_BINNEN_UREN: "Projecten binnen uren",
    JAARKALENDER_VOLGENS_PLAN: "Formele documenten volgens jaarkalender",
    ACTIVITEITEN_UITGEVOERD: "Activiteiten uitgevoerd",
    MT_RAPPORTAGE_BESPROKEN: "Managementrapportages besproken in het MT",
}


def is_percentage(i: IndicatorResult) -> bool:
    return (i.berekening in PERCENTAGE_BEREKENINGEN
            or text(i.meeteenheid).casefold() == "percentage")


def indicator_waarde(i: IndicatorResult, value: float | None = None) -> str:
    """The value as the MT reads it: ``77,8%`` or ``2``; a dash when not measured."""
    v = i.waarde if value is None else value
    if v is None:
        return LEEG
    return pct(v) if is_percentage(i) else compact(v)


def period_indicators(indicators: Sequence[IndicatorResult],
                      period: ReportPeriod) -> list[IndicatorResult]:
    """The indicators of the report's planjaar (all of them when none carries it)."""
    own = [i for i in indicators if i.planjaar == period.planjaar]
    return own or [i for i in indicators if i.planjaar is None]


def _streef(i: IndicatorResult) -> str:
    if i.streefwaarde is None:
        if i.berekening == MT_RAPPORTAGE_BESPROKEN:
            return f"nulmeting {i.nulmeting}" if i.nulmeting else "geen nulmeting"
        return LEEG
    shown = pct(i.streefwaarde, 0 if i.streefwaarde.is_integer() else 1) if is_percentage(i) \
        else compact(i.streefwaarde)
    if i.streefwaarde >= 100 and is_percentage(i):
        return shown
    return f"maximaal {shown}" if i.richting == NEEMT_AF else f"minimaal {shown}"


def kerncijfers(indicators: Sequence[IndicatorResult], period: ReportPeriod, meta: ReportMeta,
                previous: PreviousFigures | None) -> list[dict[str, Any]]:
    """Every indicator with a computed Berekening of the planjaar, display-ready, by code."""
    out = []
    computed = [i for i in period_indicators(indicators, period)
                if i.berekening and i.berekening != HANDMATIG]
    for i in sorted(computed, key=lambda i: natural_key(text(i.code))):
        vorige = None
        if previous is not None and i.code:
            vorige = previous.indicators.get(i.code)
        delta = change(i.waarde, None if vorige is None else vorige.waarde,
                       indicator_waarde(i, vorige.waarde) if vorige and vorige.waarde is not None
                       else LEEG) if previous is not None else {"pijl": "", "tekst": ""}
        if previous is not None and vorige is None:
            delta = {"pijl": "", "tekst": "nieuw"}
        naam = kort(i.title, 80) or NAMEN.get(i.berekening or "", text(i.code))
        meetbaar = i.noemer is not None and i.noemer > 0
        out.append({
            "code": text(i.code),
            "naam": naam,
            "link": Hyperlink(naam, item_url(meta, "indicatoren", i.item_id)),
            "waarde": indicator_waarde(i),
            "_waarde": i.waarde,
            "teller_noemer": f"{compact(i.teller)} van {compact(i.noemer)}" if meetbaar
            else LEEG,
            "streefwaarde": _streef(i),
            "_streef": i.streefwaarde,
            "percentage": is_percentage(i),
            "status": i.status,
            "status_tekst": f"{i.status} ({period.stand})",
            "verandering": delta["tekst"],
            "pijl": delta["pijl"],
        })
    return out
