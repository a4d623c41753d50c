"""Jaarkalender sections: gemist, te laat (or otherwise off-plan), in bespreekperiode, komend.

Statuses and days are the checks' (:class:`~spsync.checks.records.SlotResult`). A row links to
its ``DocumentLink`` when staff filled it in, else to the item in the list; the planned meeting
(``GeplandeDatum``) is shown where known.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from spsync.checks.records import SlotResult
from spsync.checks.vocab import (
    ANDER_OVERLEG,
    BINNENKORT,
    GEMIST,
    GEPLAND,
    IN_BESPREEKPERIODE,
    TE_LAAT,
    TE_VROEG,
)
from spsync.report.formatting import LEEG, datum, kort, text
from spsync.report.meta import ReportMeta, item_url
from spsync.report.rich import Hyperlink

__all__ = ["KOMEND_DAGEN", "MAX_RIJEN", "jaarkalender"]

AFWIJKEND = (TE_LAAT, TE_VROEG, ANDER_OVERLEG)
#: "Komende 4 weken": documents whose period starts within this many days.
KOMEND_DAGEN = 28
#: Rows listed per section; the rest is counted (a long list is read by nobody).
MAX_RIJEN = 40


def _row(s: SlotResult, meta: ReportMeta, c: date) -> dict[str, Any]:
    titel = kort(s.title, 90) or LEEG
    if s.link is not None:
        link = Hyperlink(titel, s.link.url)
        bron = "document"
    else:
        link = Hyperlink(titel, item_url(meta, "jaarkalender", s.item_id))
        bron = "item"
    volgend = datum(s.geplande_datum) if s.geplande_datum and s.geplande_datum >= c else LEEG
    return {
        "id": str(s.item_id) if s.item_id is not None else "",
        "document": titel,
        "link": link,
        "link_naar": bron,
        "documenttype": text(s.documenttype),
        "overleg": text(s.overleg) or LEEG,
        "periode_start": datum(s.start),
        "periode_eind": datum(s.end),
        "periode": f"{datum(s.start)} t/m {datum(s.end)}",
        "besproken_op": datum(s.besproken_op),
        "besproken_in": text(s.besproken_in) or text(s.overleg) or LEEG,
        "volgend_overleg": volgend,
        "dagen_te_laat": LEEG if s.dagen_te_laat is None else str(s.dagen_te_laat),
        "eigenaar": text(s.owner) or LEEG,
        "status": s.status,
    }


def jaarkalender(slots: Sequence[SlotResult], meta: ReportMeta, c: date) -> dict[str, Any]:
    """The four sections, each in the order a reader acts on it."""
    far = date.max

    def pick(statuses: tuple[str, ...]) -> list[SlotResult]:
        return [s for s in slots if s.status in statuses]

    gemist = sorted(pick((GEMIST,)), key=lambda s: (-(s.dagen_te_laat or 0), s.end or far,
                                                    text(s.title)))
    afwijkend = sorted(pick(AFWIJKEND), key=lambda s: (s.end or far, text(s.title)))
    bespreek = sorted(pick((IN_BESPREEKPERIODE,)), key=lambda s: (s.end or far, text(s.title)))
    horizon = c + timedelta(days=KOMEND_DAGEN)
    komend = sorted((s for s in pick((BINNENKORT, GEPLAND)) if s.start and s.start <= horizon),
                    key=lambda s: (s.start or far, text(s.title)))
    out: dict[str, Any] = {"komend_dagen": str(KOMEND_DAGEN)}
    for name, items in (("gemist", gemist), ("afwijkend", afwijkend),
                        ("bespreekperiode", bespreek), ("komend", komend)):
        out[name] = [_row(s, meta, c) for s in items[:MAX_RIJEN]]
        meer = len(items) - len(out[name])
        out[f"{name}_meer"] = (f"En nog {meer} document{'en' if meer != 1 else ''}; zie de "
                               "Jaarkalender in SharePoint." if meer else "")
    return out
