"""Doelen, activiteiten and indicatoren of the report's planjaar, as the rules decided them.

The report status of a doel is ``rapport_status`` (a manual status wins, DATA-MODEL §5.8) and
the category of an activiteit ``categorie_rapport`` (CategorieHandmatig wins).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spsync.checks.records import ActivityResult, GoalResult, IndicatorResult
from spsync.checks.vocab import (
    DOEL_STATUSES,
    INDICATOR_STATUSES,
    NEEMT_AF,
    NEEMT_TOE,
    NIET_OP_KOERS,
    VOORTGANG_CATEGORIEEN,
)
from spsync.report.formatting import LEEG, compact, kort, natural_key, pct, status_counts, text
from spsync.report.headline import indicator_waarde, is_percentage, period_indicators
from spsync.report.meta import ReportMeta, ReportPeriod, item_url
from spsync.report.rich import Hyperlink

__all__ = ["ZONDER_CATEGORIE", "doelen_indicatoren"]

ZONDER_CATEGORIE = "Zonder geldige voortgang"


def _indicator(i: IndicatorResult, meta: ReportMeta) -> dict[str, Any]:
    if i.noemer is not None:
        toelichting = f"{compact(i.teller)} van {compact(i.noemer)}"
    elif i.voortgang:
        toelichting = i.voortgang  # VoortgangHandmatig decides a Handmatig status
    elif i.nulmeting:
        toelichting = f"nulmeting: {kort(i.nulmeting, 40)}"
    else:
        toelichting = LEEG
    if i.streefwaarde is not None:
        streef = (pct(i.streefwaarde, 0 if i.streefwaarde.is_integer() else 1)
                  if is_percentage(i) else compact(i.streefwaarde))
    else:
        streef = i.richting.lower() if i.richting in (NEEMT_TOE, NEEMT_AF) else LEEG
    naam = kort(i.title, 90) or LEEG
    return {
        "code": text(i.code),
        "naam": naam,
        "link": Hyperlink(naam, item_url(meta, "indicatoren", i.item_id)),
        "waarde": indicator_waarde(i),
        "teller_noemer": f"{compact(i.teller)} / {compact(i.noemer)}" if i.noemer is not None
        else LEEG,
        "streefwaarde": streef,
        "toelichting": toelichting,
        "status": i.status,
        "definitief": "ja" if i.definitief else "nee",
    }


def doelen_indicatoren(goals: Sequence[GoalResult], activities: Sequence[ActivityResult],
                       indicators: Sequence[IndicatorResult], period: ReportPeriod,
                       meta: ReportMeta) -> dict[str, Any]:
    """Indicator table, doel and activiteit counts, and the doelen that are not on course."""
    inds = period_indicators(indicators, period)
    acts = [a for a in activities if a.planjaar in (period.planjaar, None)] or list(activities)
    niet_op_koers = sorted(
        ({"code": text(g.code), "naam": kort(g.title, 120),
          "link": Hyperlink(kort(g.title, 120) or text(g.code),
                            item_url(meta, "doelen", g.item_id))}
         for g in goals if g.rapport_status == NIET_OP_KOERS),
        key=lambda r: natural_key(r["code"]))
    return {
        "tonen": bool(inds or goals or acts),
        "indicatoren": sorted((_indicator(i, meta) for i in inds),
                              key=lambda r: natural_key(r["code"])),
        "indicatorstatus": status_counts((i.status for i in inds), INDICATOR_STATUSES)
        if inds else [],
        "doelstatus": status_counts((g.rapport_status for g in goals), DOEL_STATUSES)
        if goals else [],
        "doelen_niet_op_koers": niet_op_koers,
        "activiteiten": status_counts((a.categorie_rapport or "" for a in acts),
                                      VOORTGANG_CATEGORIEEN, leeg=ZONDER_CATEGORIE)
        if acts else [],
    }
