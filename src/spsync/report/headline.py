"""The two kerncijfers on page one: projecten binnen uren and documenten volgens jaarkalender.

The rules already compute both as Indicatoren rows (DATA-MODEL §5.6); the report shows those, so
the MT sees the same number as the list. Only when a site has no such row does the report count
itself, with the very same rule functions of :mod:`spsync.checks.indicators`.
"""

from __future__ import annotations

from typing import Any

from spsync.checks.indicators import (
    DEFAULT_TARGETS,
    CalendarFact,
    ProjectFact,
    Ratio,
    jaarkalender_volgens_plan,
    percentage_status,
    projecten_binnen_uren,
)
from spsync.checks.normalise import canonical_choice
from spsync.checks.planjaar import parse_planjaar
from spsync.checks.vocab import (
    DOCUMENT_TYPES,
    JAARKALENDER_VOLGENS_PLAN,
    PROJECT_TYPES,
    PROJECTEN_BINNEN_UREN,
)
from spsync.report.formatting import LEEG, cell, compact, flag, number, pct, text
from spsync.report.meta import planjaar_mode

__all__ = ["kerncijfers"]

#: (Berekening, name in the report, words before the target)
KERNCIJFERS = (
    (PROJECTEN_BINNEN_UREN, "Projecten binnen uren", "minimaal"),
    (JAARKALENDER_VOLGENS_PLAN, "Formele documenten volgens jaarkalender", ""),
)


def _planjaar_of(row: dict[str, Any], planjaar: str) -> str | None:
    """The row's valid planjaar; a frame without a Planjaar column counts for the run's one."""
    if "PlanjaarGeldig" in row:
        return row["PlanjaarGeldig"]
    if "Planjaar" not in row:
        return planjaar
    return parse_planjaar(row.get("Planjaar"), planjaar_mode(planjaar) or "schooljaar")


def _indicator_row(indicatoren: list[dict[str, Any]], code: str,
                   planjaar: str) -> dict[str, Any] | None:
    """The Indicatoren row the rules computed for ``code``, preferring the run's planjaar."""
    found = [r for r in indicatoren if text(r.get("Berekening")).upper() == code]
    matching = [r for r in found if _planjaar_of(r, planjaar) == planjaar] or found
    with_value = [r for r in matching if number(r.get("Noemer")) is not None]
    return (with_value or matching or [None])[0]


def _own_count(code: str, projecten: list[dict[str, Any]], kalender: list[dict[str, Any]],
               planjaar: str, project_types: tuple[str, ...]) -> Ratio:
    if code == PROJECTEN_BINNEN_UREN:
        facts = [ProjectFact(_planjaar_of(p, planjaar),
                             canonical_choice(p.get("ProjectType"), PROJECT_TYPES),
                             text(p.get("UrenStatus")), text(p.get("BudgetStatus")))
                 for p in projecten]
        return projecten_binnen_uren(facts, planjaar, project_types)
    facts_k = [CalendarFact(_planjaar_of(k, planjaar),
                            canonical_choice(k.get("Documenttype"), DOCUMENT_TYPES),
                            text(k.get("KalenderStatus")))
               for k in kalender]
    return jaarkalender_volgens_plan(facts_k, planjaar)


def _kerncijfer(naam: str, teller: float | None, noemer: float | None, waarde: float | None,
                streef: float, status: str, prefix: str, bron: str,
                label: str) -> dict[str, Any]:
    meetbaar = bool(noemer)
    return {
        "naam": naam,
        "teller": compact(teller),
        "noemer": compact(noemer),
        "teller_noemer": f"{compact(teller)} van {compact(noemer)}" if meetbaar else LEEG,
        "waarde": pct(waarde) if meetbaar else LEEG,
        "streefwaarde": " ".join(filter(None, (prefix, pct(streef, 0 if streef.is_integer()
                                                             else 1)))),
        "status": status,
        "status_tekst": f"{status} ({label})" if label else status,
        "tekst": f"{compact(teller)} / {compact(noemer)} = {pct(waarde)}" if meetbaar
        else "nog niet meetbaar",
        "bron": bron,
    }


def _label(row: dict[str, Any] | None, planjaar: str, tussenstand: bool) -> str:
    """"tussenstand", "definitief, 2025" or "". A row of the run's own planjaar follows the
    run; a row of another planjaar (in January a kalenderjaar organisation still shows last
    year's figure) carries its own Definitief (§2.7) and names its planjaar."""
    row_planjaar = None if row is None else _planjaar_of(row, planjaar)
    if row is None or row_planjaar == planjaar or row.get("Definitief") is None:
        return "tussenstand" if tussenstand else ""
    state = "definitief" if flag(row.get("Definitief")) else "tussenstand"
    return f"{state}, {row_planjaar}"


def kerncijfers(indicatoren: list[dict[str, Any]], projecten: list[dict[str, Any]],
                kalender: list[dict[str, Any]], planjaar: str,
                project_types: tuple[str, ...], tussenstand: bool) -> list[dict[str, Any]]:
    """Both kerncijfers, display-ready; from the Indicatoren list when the rules filled it."""
    out = []
    for code, naam, prefix in KERNCIJFERS:
        row = _indicator_row(indicatoren, code, planjaar)
        streef = number(row.get("Streefwaarde")) if row is not None else None
        streef = DEFAULT_TARGETS[code] if streef is None else streef
        if row is not None and number(row.get("Noemer")) is not None:
            teller, noemer = number(row.get("Teller")), number(row.get("Noemer"))
            waarde = number(cell(row, "Waarde", "BerekendeWaarde"))
            if waarde is None:
                waarde = Ratio(int(teller or 0), int(noemer or 0)).value
            status = text(row.get("IndicatorStatus")) or percentage_status(waarde, streef)
            bron, label = "Indicatoren", _label(row, planjaar, tussenstand)
        else:
            ratio = _own_count(code, projecten, kalender, planjaar, project_types)
            teller, noemer, waarde = ratio.teller, ratio.noemer, ratio.value
            status, bron = percentage_status(waarde, streef), "berekend"
            label = "tussenstand" if tussenstand else ""
        out.append(_kerncijfer(naam, teller, noemer, waarde, streef, status, prefix, bron,
                               label))
    return out
