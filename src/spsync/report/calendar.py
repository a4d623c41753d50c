"""Jaarkalender tables: what was missed, what deviated, and what is due soon.

Dates come from the checks' helper columns (PeriodeStartDatum, PeriodeEindDatum,
BesprokenOpDatum: already local dates), so a UTC instant is never shown as the day before.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from spsync.checks.vocab import (
    ANDER_OVERLEG,
    BINNENKORT,
    GEMIST,
    IN_BESPREEKPERIODE,
    TE_LAAT,
    TE_VROEG,
)
from spsync.report.formatting import cell, dagen, datum, day, number, text

__all__ = ["jaarkalender"]

AFWIJKEND = (TE_LAAT, TE_VROEG, ANDER_OVERLEG)
KOMEND = (IN_BESPREEKPERIODE, BINNENKORT)


def _row(k: Mapping[str, Any]) -> dict[str, Any]:
    start = day(cell(k, "PeriodeStartDatum", "PeriodeStart"))
    eind = day(cell(k, "PeriodeEindDatum", "PeriodeEind"))
    overleg = text(k.get("Overleg"))
    return {
        "id": text(k.get("ID")),
        "document": text(k.get("Title")),
        "documenttype": text(k.get("Documenttype")),
        "overleg": overleg,
        "periode_start": datum(start),
        "periode_eind": datum(eind),
        "besproken_op": datum(cell(k, "BesprokenOpDatum", "BesprokenOp")),
        "besproken_in": text(cell(k, "EffectiefOverleg", "BesprokenIn"))
        or text(k.get("BesprokenIn")) or overleg,
        "dagen_te_laat": dagen(k.get("DagenTeLaat")),
        "eigenaar": text(k.get("Eigenaar")),
        "status": text(k.get("KalenderStatus")),
        "_start": start or date.max,
        "_eind": eind or date.max,
        "_dagen": number(k.get("DagenTeLaat")) or 0.0,
    }


def _public(items: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{k: v for k, v in r.items() if not k.startswith("_")} for r in items]


def jaarkalender(kalender: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    """Gemist (most overdue first), afwijkend besproken (by period) and komend (soonest first)."""
    items = [_row(k) for k in kalender]
    gemist = sorted((r for r in items if r["status"] == GEMIST),
                    key=lambda r: (-r["_dagen"], r["_eind"], r["document"]))
    afwijkend = sorted((r for r in items if r["status"] in AFWIJKEND),
                       key=lambda r: (r["_eind"], r["document"]))
    komend = sorted((r for r in items if r["status"] in KOMEND),
                    key=lambda r: (r["_eind"], r["_start"], r["document"]))
    return {"gemist": _public(gemist), "afwijkend": _public(afwijkend),
            "komend": _public(komend)}
