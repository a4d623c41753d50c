"""Datakwaliteit: every finding, grouped per list, named the way staff find the row back.

A booking is named by its date, person, project and title (never only "ID 204"); a booking whose
project lookup points nowhere still shows its own details. The sentence is the checks' Dutch
message; the code only appears, small, in the last column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spsync.checks.records import Records
from spsync.checks.result import Finding
from spsync.checks.vocab import LIST_TITLES
from spsync.report.formatting import LEEG, datum, kort, schoon, text
from spsync.report.meta import ReportMeta, item_url
from spsync.report.rich import Hyperlink

__all__ = ["MAX_PER_LIJST", "datakwaliteit", "row_names"]

#: Findings listed per list; the rest is counted (each row's Controlemelding still says it).
MAX_PER_LIJST = 40


def _lijst_titel(list_key: str, meta: ReportMeta) -> str:
    return meta.list_titles.get(list_key) or LIST_TITLES.get(
        list_key, list_key.capitalize() if list_key else "Overig")


def _joined(*parts: str | None) -> str:
    return ", ".join(p for p in parts if p)


def row_names(records: Records,
              wanted: set[tuple[str, int]] | None = None) -> dict[tuple[str, int], str]:
    """(list key, item ID) -> how a person recognises the row; only ``wanted`` rows if given
    (a report names the few rows with findings, not all 100,000 bookings)."""
    names: dict[tuple[str, int], str] = {}
    booking_ids = None if wanted is None else {i for k, i in wanted if k == "urenregistratie"}
    for b in records.bookings:
        if b.item_id is None or (booking_ids is not None and b.item_id not in booking_ids):
            continue
        if b.project_code:
            project = f"project {b.project_code}"
        elif b.project_text:
            project = f"project '{kort(b.project_text, 40)}'"
        elif b.project_lookup_id is not None:
            project = f"project (item {b.project_lookup_id}, bestaat niet meer)"
        else:
            project = "zonder project"
        when = f"boeking van {datum(b.datum)}" if b.datum else "boeking zonder geldige datum"
        title = f"'{kort(b.title, 60)}'" if b.title else None
        names[("urenregistratie", b.item_id)] = _joined(
            when[0].upper() + when[1:], text(b.person) or "onbekende medewerker", project, title)
    for p in records.projects:
        if p.item_id is not None:
            names[("projecten", p.item_id)] = _joined(p.code, kort(p.title, 60))
    for s in records.slots:
        if s.item_id is not None:
            names[("jaarkalender", s.item_id)] = _joined(
                kort(s.title, 60) or f"regel {s.item_id}", text(s.overleg) or None)
    for i in records.indicators:
        if i.item_id is not None:
            names[("indicatoren", i.item_id)] = _joined(i.code, kort(i.title, 60))
    for g in records.goals:
        if g.item_id is not None:
            names[("doelen", g.item_id)] = _joined(g.code, kort(g.title, 60))
    for a in records.activities:
        if a.item_id is not None:
            names[("activiteiten", a.item_id)] = _joined(a.code, kort(a.title, 60))
    return names


def datakwaliteit(findings: Sequence[Finding], records: Records,
                  meta: ReportMeta) -> dict[str, Any]:
    """``aantal``, ``groepen`` (per list: title, count, findings) and ``per_lijst`` counts."""
    order = list(LIST_TITLES)
    names = row_names(records, {(f.list_key, f.item_id) for f in findings
                                if f.item_id is not None})
    by_list: dict[str, list[Finding]] = {}
    for f in findings:
        by_list.setdefault(f.list_key, []).append(f)
    keys = [k for k in order if k in by_list] + sorted(k for k in by_list if k not in order)
    groepen = []
    for list_key in keys:
        items = sorted(by_list[list_key],
                       key=lambda f: (f.item_id is not None, f.item_id or 0, f.code))
        titel = _lijst_titel(list_key, meta)
        bevindingen = []
        for f in items[:MAX_PER_LIJST]:
            if f.item_id is None:
                wie = f"De lijst {titel}"
            else:
                wie = names.get((list_key, f.item_id)) or schoon(f.ref) or f"Item {f.item_id}"
            bevindingen.append({
                "verwijzing": wie,
                "link": Hyperlink(wie, item_url(meta, list_key, f.item_id), size_pt=8.5),
                "code": f.code,
                "melding": schoon(f.message) or LEEG,
            })
        meer = len(items) - len(bevindingen)
        groepen.append({
            "lijst": titel,
            "aantal": len(items),
            "kop": f"{titel} ({len(items)})",
            "bevindingen": bevindingen,
            "meer": meer,
            "meer_tekst": f"En nog {meer} bevinding{'en' if meer != 1 else ''} in deze lijst; "
                          "ze staan in de kolom Controlemelding van de regels zelf."
            if meer else "",
        })
    n = len(findings)
    return {
        "aantal": n,
        "aantal_tekst": "1 bevinding" if n == 1 else f"{n} bevindingen",
        "groepen": groepen,
        "per_lijst": [{"lijst": g["lijst"], "aantal": g["aantal"]} for g in groepen],
    }
