""""Wat vraagt aandacht": the few things the MT should act on, on at most one page.

Projects over (or nearly at) their hours or € budget, and documents the jaarkalender says were
missed or discussed late, each with its owner, the figure that matters and a link to the item.
The statuses are the checks'; this module only selects, orders and words them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spsync.checks.records import ProjectResult, SlotResult
from spsync.checks.vocab import GEMIST, OVERSCHREDEN, RISICO, TE_LAAT
from spsync.report.formatting import LEEG, datum, euro, getal, kort, pct, text
from spsync.report.meta import ReportMeta, ReportPeriod, item_url
from spsync.report.rich import Hyperlink

__all__ = ["MAX_PUNTEN", "aandacht"]

#: Rows that still fit on one page under the heading; the rest is counted, not listed.
MAX_PUNTEN = 16


def _project_link(p: ProjectResult, meta: ReportMeta) -> Hyperlink:
    return Hyperlink(f"{p.code} {kort(p.title, 70)}".strip(),
                     item_url(meta, "projecten", p.item_id))


def _dagen(n: int | None) -> str:
    return "1 dag" if n == 1 else f"{n if n is not None else LEEG} dagen"


def _uren(p: ProjectResult) -> str:
    return (f"{getal(p.geboekt)} van {getal(p.toegekend)} uur ({pct(p.verbruik_pct)})")


def _item(soort: str, link: Hyperlink, eigenaar: str | None, cijfer: str, rank: tuple,
          ) -> dict[str, Any]:
    return {"soort": soort, "link": link, "wat": link.text, "eigenaar": text(eigenaar) or LEEG,
            "cijfer": cijfer, "_rank": rank}


def aandacht(projects: Sequence[ProjectResult], slots: Sequence[SlotResult], meta: ReportMeta,
             period: ReportPeriod) -> dict[str, Any]:
    """``punten`` (at most :data:`MAX_PUNTEN`), ``meer`` (how many more) and a summary line."""
    items: list[dict[str, Any]] = []
    for p in projects:
        if p.uren_status == OVERSCHREDEN:
            items.append(_item("Uren overschreden", _project_link(p, meta), p.owner,
                               f"{_uren(p)}; {getal(-(p.rest or 0))} uur te veel",
                               (0, -(p.verbruik_pct or 0))))
        elif p.uren_status == RISICO:
            items.append(_item("Uren bijna op", _project_link(p, meta), p.owner,
                               f"{_uren(p)}; nog {getal(p.rest)} uur",
                               (2, -(p.verbruik_pct or 0))))
        if p.budget_status == OVERSCHREDEN:
            items.append(_item("Budget (€) overschreden", _project_link(p, meta), p.owner,
                               f"{euro(p.werkelijk)} uitgegeven van {euro(p.begroot)} "
                               f"({pct(p.budget_pct)})", (1, -(p.budget_pct or 0))))
        elif p.budget_risico:
            items.append(_item("Budget (€) bijna op", _project_link(p, meta), p.owner,
                               f"{euro(p.werkelijk)} uitgegeven van {euro(p.begroot)} "
                               f"({pct(p.budget_pct)})", (3, -(p.budget_pct or 0))))
    for s in slots:
        if s.status not in (GEMIST, TE_LAAT):
            continue
        if s.planjaar is not None and period.planjaar and s.planjaar != period.planjaar:
            continue
        naam = f"{kort(s.title, 70)} ({text(s.overleg)})"
        link = Hyperlink(naam, item_url(meta, "jaarkalender", s.item_id))
        if s.status == GEMIST:
            items.append(_item("Document gemist", link, s.owner,
                               f"niet besproken; periode liep t/m {datum(s.end)}, "
                               f"{_dagen(s.dagen_te_laat)} geleden",
                               (0.5, -(s.dagen_te_laat or 0))))
        else:
            items.append(_item("Te laat besproken", link, s.owner,
                               f"besproken op {datum(s.besproken_op)}, "
                               f"{_dagen(s.dagen_te_laat)} na de periode",
                               (4, -(s.dagen_te_laat or 0))))
    items.sort(key=lambda r: (r["_rank"], r["wat"]))
    shown = [{k: v for k, v in r.items() if not k.startswith("_")} for r in items[:MAX_PUNTEN]]
    meer = len(items) - len(shown)
    if not items:
        zin = "Geen projecten boven of vlak bij hun uren of budget en geen gemiste documenten."
    else:
        zin = ("1 punt vraagt aandacht." if len(items) == 1
               else f"{len(items)} punten vragen aandacht.")
        if meer:
            zin += f" De {len(shown)} belangrijkste staan hieronder; de overige {meer} staan " \
                   "in de tabellen verderop."
    return {"punten": shown, "meer": meer, "zin": zin, "aantal": len(items)}
