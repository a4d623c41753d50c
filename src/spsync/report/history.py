"""What the report is told about earlier runs: the previous key figures and the alerts sent.

Plain input data the shell fills from the state store and the alert ledger; the report never
reads a database itself. :func:`change` turns a previous and a current value into the "▲ van
72,2%" a reader expects beside a key figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

__all__ = ["PreviousFigures", "PreviousIndicator", "SentAlert", "change"]


@dataclass(frozen=True)
class PreviousIndicator:
    """One indicator as the previous run stored it."""

    waarde: float | None
    teller: float | None = None
    noemer: float | None = None
    status: str = ""
    titel: str = ""


@dataclass(frozen=True)
class PreviousFigures:
    """The key figures of the previous run: per IndicatorCode, and booked hours per ProjectCode."""

    indicators: Mapping[str, PreviousIndicator] = field(default_factory=dict)
    project_hours: Mapping[str, float] = field(default_factory=dict)
    controledatum: date | None = None  # of that run, to say "sinds 08-05-2026"
    run_id: str | None = None


@dataclass(frozen=True)
class SentAlert:
    """One alert from the ledger: when, what kind, to whom, about which item."""

    sent_at: datetime
    kind: str  # e.g. "Gemist", "Herinnering", "Uren overschreden"
    recipient: str  # a name or role, never an address
    ref: str  # P-2526-04, J19, …
    title: str


def change(current: float | None, previous: float | None, shown_previous: str) -> dict[str, str]:
    """``{"pijl": "▲"|"▼"|"=", "tekst": "▲ van 72,2%"}``; empty texts when nothing to compare."""
    if current is None or previous is None:
        return {"pijl": "", "tekst": "nieuw" if previous is None and current is not None
                else ""}
    if abs(current - previous) < 1e-9:
        return {"pijl": "=", "tekst": f"= gelijk ({shown_previous})"}
    arrow = "▲" if current > previous else "▼"
    return {"pijl": arrow, "tekst": f"{arrow} van {shown_previous}"}
