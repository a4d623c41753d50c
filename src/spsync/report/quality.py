"""Datakwaliteit: every finding, grouped per list in list order, so each list owner finds theirs.

Nothing is summarised away: the MT-rapportage is where findings about whole lists or columns
(which have no row to carry a Controlemelding) become visible at all.
"""

from __future__ import annotations

from typing import Any

from spsync.checks.result import Finding
from spsync.checks.vocab import LIST_TITLES
from spsync.report.formatting import LEEG

__all__ = ["datakwaliteit"]


def _lijst_titel(list_key: str) -> str:
    return LIST_TITLES.get(list_key, list_key.capitalize() if list_key else "Overig")


def datakwaliteit(findings: list[Finding]) -> dict[str, Any]:
    """``aantal``, ``groepen`` (per list: title, count, findings) and ``per_lijst`` counts."""
    order = list(LIST_TITLES)
    by_list: dict[str, list[Finding]] = {}
    for f in findings:
        by_list.setdefault(f.list_key, []).append(f)
    keys = [k for k in order if k in by_list] + sorted(k for k in by_list if k not in order)
    groepen = []
    for list_key in keys:
        items = sorted(by_list[list_key],
                       key=lambda f: (f.item_id is not None, f.item_id or 0, f.code))
        titel = _lijst_titel(list_key)
        groepen.append({
            "lijst": titel,
            "aantal": len(items),
            "kop": f"{titel} ({len(items)})",
            "bevindingen": [
                {"verwijzing": f.ref or (f"ID {f.item_id}" if f.item_id is not None else LEEG),
                 "code": f.code, "melding": f.message}
                for f in items
            ],
        })
    return {
        "aantal": len(findings),
        "aantal_tekst": "1 bevinding" if len(findings) == 1 else f"{len(findings)} bevindingen",
        "groepen": groepen,
        "per_lijst": [{"lijst": g["lijst"], "aantal": g["aantal"]} for g in groepen],
    }
