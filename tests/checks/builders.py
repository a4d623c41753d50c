"""Tiny builders for hand-made check inputs (CSV-shaped: strings, empty = None)."""

from __future__ import annotations

from datetime import date

from spsync.checks import CheckResult, CheckSettings, Tables, run_checks

from .csvframes import frame

C = date(2026, 5, 15)  # the demo controledatum


def rows(*items: dict, start: int = 1) -> list[dict]:
    """Give each row an ``ID`` (1, 2, ... unless set)."""
    return [{"ID": item.get("ID", n), **item} for n, item in enumerate(items, start=start)]


def tbl(*items: dict) -> object:
    """A checks frame from row dicts; columns = the union of keys in first-seen order."""
    items_ = rows(*items)
    cols: list[str] = []
    for item in items_:
        cols += [k for k in item if k not in cols]
    return frame(items_, cols)


def project(**kw: object) -> dict:
    """A sound Projecten row, overridable per test."""
    base = {
        "ProjectCode": "P-1", "Title": "Project een", "ProjectType": "Project",
        "Hoofdlijn": "Interne organisatie", "Planjaar": "2025-2026", "Eigenaar": "eigenaar",
        "EigenaarEMail": "e@x.example", "ToegekendeUren": "100", "Startdatum": "2025-08-01",
        "Einddatum": "2026-07-31", "Projectstatus": "Lopend", "BegrootBedrag": None,
        "WerkelijkeUitgave": None, "BudgetPM": None,
    }
    base.update(kw)
    return base


def booking(**kw: object) -> dict:
    base = {"Title": "werk", "Project": "P-1", "Medewerker": "m", "Datum": "2026-03-10",
            "Uren": "4"}
    base.update(kw)
    return base


def calendar_row(**kw: object) -> dict:
    base = {"Title": "Doc", "Documenttype": "Jaarplan", "Overleg": "MT", "Planjaar": "2025-2026",
            "PeriodeStart": "2026-04-01", "PeriodeEind": "2026-04-30", "Eigenaar": "eigenaar",
            "EigenaarEMail": "e@x.example", "BesprokenOp": None, "BesprokenIn": None,
            "Vervallen": None}
    base.update(kw)
    return base


def run(settings: CheckSettings | None = None, c: date = C, **lists: object) -> CheckResult:
    return run_checks(Tables(**lists), settings or CheckSettings(), c)


def codes_of(result: CheckResult, list_key: str, item_id: int | None = None) -> list[str]:
    return [f.code for f in result.findings
            if f.list_key == list_key and (item_id is None or f.item_id == item_id)]
