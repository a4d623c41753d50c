"""§5.6: computed and manual indicators, per planjaar of the indicator row, as of C."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .activities import Activity
from .findings import finding
from .frames import ListInput
from .normalise import INVALID, is_empty, parse_choice, parse_number, round_half_up
from .planjaar import parse_planjaar, planjaar_end
from .result import Finding
from .settings import CheckSettings
from .vocab import (
    ACTIVITEITEN_UITGEVOERD,
    AFGEROND,
    AFGEROND_NIET_HAALBAAR,
    ANDER_OVERLEG,
    BEHAALD,
    BEREKENINGEN,
    BINNEN_UREN,
    GEEN_UREN,
    GEMIST,
    GEWENSTE_RICHTINGEN,
    HANDMATIG,
    JAARKALENDER_VOLGENS_PLAN,
    MANAGEMENTRAPPORTAGE,
    MT_RAPPORTAGE_BESPROKEN,
    NEEMT_AF,
    NEEMT_TOE,
    NIET_AFGEROND,
    NIET_BEHAALD,
    NOG_NIET_MEETBAAR,
    OVERSCHREDEN,
    PROJECTEN_BINNEN_UREN,
    RISICO,
    TE_LAAT,
    TE_VROEG,
    UITGEVOERD,
    VOLGENS_JAARKALENDER,
    VOORTGANG_HANDMATIG,
)

__all__ = [
    "DEFAULT_TARGETS",
    "HANDMATIG_RULES",
    "CalendarFact",
    "Indicator",
    "ProjectFact",
    "Ratio",
    "activiteiten_uitgevoerd",
    "compute_indicators",
    "count_status",
    "handmatig_status",
    "jaarkalender_volgens_plan",
    "mt_rapportage_besproken",
    "parse_nulmeting",
    "percentage_status",
    "projecten_binnen_uren",
]

#: §5.6 "Target" column: used when the row's Streefwaarde is empty.
DEFAULT_TARGETS: dict[str, float] = {
    PROJECTEN_BINNEN_UREN: 75.0,
    JAARKALENDER_VOLGENS_PLAN: 100.0,
    ACTIVITEITEN_UITGEVOERD: 75.0,
}

#: §5.6 JAARKALENDER_VOLGENS_PLAN: the statuses that are due (the denominator).
DUE_STATUSES = (VOLGENS_JAARKALENDER, TE_LAAT, TE_VROEG, ANDER_OVERLEG, GEMIST)
#: §5.6 MT_RAPPORTAGE_BESPROKEN: the statuses that count as discussed.
DISCUSSED_STATUSES = (VOLGENS_JAARKALENDER, TE_LAAT, TE_VROEG)


@dataclass(frozen=True)
class Ratio:
    """Teller / Noemer of a percentage indicator."""

    teller: int
    noemer: int

    @property
    def value(self) -> float | None:
        """100 x teller / noemer, 1 decimal; None for an empty denominator."""
        return round_half_up(100 * self.teller / self.noemer, 1) if self.noemer else None


@dataclass(frozen=True)
class ProjectFact:
    """What PROJECTEN_BINNEN_UREN needs of one project."""

    planjaar: str | None
    project_type: str | None
    uren_status: str
    budget_status: str


@dataclass(frozen=True)
class CalendarFact:
    """What the jaarkalender indicators need of one row."""

    planjaar: str | None
    documenttype: str | None
    status: str


def projecten_binnen_uren(projects: list[ProjectFact], pj: str, types: tuple[str, ...],
                          requires_budget: bool = False) -> Ratio:
    """100 x #(Binnen uren or Risico) / #(UrenStatus != Geen uren toegekend), for the configured
    types of planjaar ``pj``; optionally also BudgetStatus != Overschreden ("binnen budget en
    uren", S001)."""
    population = [p for p in projects if p.planjaar == pj and p.project_type in types
                  and p.uren_status != GEEN_UREN]
    within = [p for p in population if p.uren_status in (BINNEN_UREN, RISICO)
              and not (requires_budget and p.budget_status == OVERSCHREDEN)]
    return Ratio(len(within), len(population))


def jaarkalender_volgens_plan(rows: list[CalendarFact], pj: str) -> Ratio:
    """100 x #volgens / #due; Gepland, Binnenkort, In bespreekperiode are not due yet; Vervallen
    and Onvolledig are left out."""
    due = [r for r in rows if r.planjaar == pj and r.status in DUE_STATUSES]
    return Ratio(sum(r.status == VOLGENS_JAARKALENDER for r in due), len(due))


def activiteiten_uitgevoerd(acts: list[Activity], pj: str) -> Ratio:
    """100 x #Uitgevoerd / #(activities of the planjaar with a category), CategorieHandmatig
    first."""
    counted = [a for a in acts if a.planjaar == pj and a.categorie_rapport is not None]
    return Ratio(sum(a.categorie_rapport == UITGEVOERD for a in counted), len(counted))


def mt_rapportage_besproken(rows: list[CalendarFact], pj: str) -> int:
    """Count of Managementrapportage rows discussed (volgens, te laat or te vroeg)."""
    return sum(r.planjaar == pj and r.documenttype == MANAGEMENTRAPPORTAGE
               and r.status in DISCUSSED_STATUSES for r in rows)


def percentage_status(value: float | None, target: float) -> str:
    """§5.6: Behaald when value >= Streefwaarde; Nog niet meetbaar with an empty denominator."""
    if value is None:
        return NOG_NIET_MEETBAAR
    return BEHAALD if value >= target else NIET_BEHAALD


def count_status(count: int, nulmeting: int | None, richting: str | None) -> str:
    """MT_RAPPORTAGE_BESPROKEN: compared with the integer Nulmeting in the desired direction
    (Neemt toe unless the row says Neemt af); equal or no baseline is Nog niet meetbaar."""
    if nulmeting is None or count == nulmeting:
        return NOG_NIET_MEETBAAR
    better = count < nulmeting if richting == NEEMT_AF else count > nulmeting
    return BEHAALD if better else NIET_BEHAALD


_DIRECTIONS = (NEEMT_TOE, NEEMT_AF)

#: §5.6 Handmatig: (VoortgangHandmatig, GewensteRichting) -> IndicatorStatus, first match.
HANDMATIG_RULES: tuple[tuple[Callable[[str | None, str | None], bool], str], ...] = (
    # Afgerond -> Behaald
    (lambda v, r: v == AFGEROND, BEHAALD),
    # Niet afgerond, Afgerond, niet haalbaar -> Niet behaald
    (lambda v, r: v in (NIET_AFGEROND, AFGEROND_NIET_HAALBAAR), NIET_BEHAALD),
    # Neemt toe/Neemt af in the GewensteRichting -> Behaald
    (lambda v, r: v in _DIRECTIONS and v == r, BEHAALD),
    # Neemt toe/Neemt af against it -> Niet behaald
    (lambda v, r: v in _DIRECTIONS and r in _DIRECTIONS and v != r, NIET_BEHAALD),
    # Blijft gelijk, 0-meting, empty or unknown (and a direction where none is wanted)
    (lambda v, r: True, NOG_NIET_MEETBAAR),
)


def handmatig_status(voortgang: str | None, richting: str | None) -> str:
    """IndicatorStatus of a Handmatig indicator from canonical V12 and direction values."""
    for condition, status in HANDMATIG_RULES:
        if condition(voortgang, richting):
            return status
    raise AssertionError("the last row always applies")  # pragma: no cover


def parse_nulmeting(value: Any) -> int | None:
    """A Nulmeting that is a plain integer ('3', 3, 3.0); free text ('PO 82,2%') gives None."""
    if is_empty(value) or isinstance(value, bool):
        return None
    if isinstance(value, str) and not re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return None
    parsed = parse_number(value)
    if parsed.ok and parsed.value.is_integer() and abs(parsed.value) < 2**53:
        return int(parsed.value)
    return None


@dataclass
class Indicator:
    """One Indicatoren row after §5.6: the Daemon values plus report helpers."""

    item_id: int | None
    ref: str
    planjaar: str | None
    berekening: str | None
    berekende_waarde: float | None = None
    teller: int | None = None
    noemer: int | None = None
    status: str = NOG_NIET_MEETBAAR
    definitief: bool = False
    waarde: float | None = None  # report: BerekendeWaarde, or WaardeHandmatig for Handmatig
    streefwaarde: float | None = None  # the target the status was decided against
    findings: list[Finding] = field(default_factory=list)


def _ratio(berekening: str, pj: str, projects: list[ProjectFact], calendar: list[CalendarFact],
           activities: list[Activity], settings: CheckSettings) -> Ratio:
    """Teller / Noemer of a percentage Berekening for planjaar ``pj``."""
    if berekening == PROJECTEN_BINNEN_UREN:
        return projecten_binnen_uren(projects, pj, settings.indicator_project_types,
                                     settings.indicator_requires_budget)
    if berekening == JAARKALENDER_VOLGENS_PLAN:
        return jaarkalender_volgens_plan(calendar, pj)
    if berekening == ACTIVITEITEN_UITGEVOERD:
        return activiteiten_uitgevoerd(activities, pj)
    raise KeyError(berekening)


def compute_indicators(inds: ListInput, projects: list[ProjectFact], calendar: list[CalendarFact],
                       activities: list[Activity], settings: CheckSettings,
                       c: date) -> list[Indicator]:
    """Every indicator row, computed for its own planjaar; Definitief once C is past its end.

    Many rows share a Berekening and planjaar, so each count or ratio over the facts is
    computed once per (Berekening, planjaar) and reused: it is the same number for every row.
    """
    mode = settings.planjaar_mode
    counts: dict[str, int] = {}  # planjaar -> MT_RAPPORTAGE_BESPROKEN count
    ratios: dict[tuple[str, str], Ratio] = {}  # (Berekening, planjaar) -> Ratio
    out = []
    cells = zip(inds.ids, inds.refs, inds.parsed("Planjaar", parse_planjaar, mode),
                inds.parsed("Berekening", parse_choice, BEREKENINGEN),
                inds.parsed("Streefwaarde", parse_number), inds.col("Nulmeting"),
                inds.parsed("GewensteRichting", parse_choice, GEWENSTE_RICHTINGEN),
                inds.parsed("VoortgangHandmatig", parse_choice, VOORTGANG_HANDMATIG),
                inds.parsed("WaardeHandmatig", parse_number))
    for item_id, ref, pj, ber_parsed, streef, nul_raw, richting_parsed, vg, wh in cells:
        ber = ber_parsed.value
        ind = Indicator(item_id, ref, pj, ber)
        ind.definitief = pj is not None and c > planjaar_end(pj, mode)
        richting = richting_parsed.value
        target = streef.value if streef.ok else DEFAULT_TARGETS.get(ber or "")
        ind.streefwaarde = target

        if ber == HANDMATIG:
            if vg.state == INVALID:
                ind.findings.append(finding("indicatoren", item_id, ref, "ONBEKENDE_VOORTGANG",
                                            waarde=vg.shown))
            ind.status = handmatig_status(vg.value, richting)
            ind.waarde = wh.value
        elif ber is not None and pj is not None:
            if ber == MT_RAPPORTAGE_BESPROKEN:
                if pj not in counts:
                    counts[pj] = mt_rapportage_besproken(calendar, pj)
                count = counts[pj]
                ind.berekende_waarde = float(count)
                ind.status = count_status(count, parse_nulmeting(nul_raw), richting)
            else:
                if (ber, pj) not in ratios:
                    ratios[(ber, pj)] = _ratio(ber, pj, projects, calendar, activities, settings)
                ratio = ratios[(ber, pj)]
                ind.teller, ind.noemer = ratio.teller, ratio.noemer
                ind.berekende_waarde = ratio.value
                ind.status = percentage_status(ratio.value, target if target is not None
                                               else DEFAULT_TARGETS[ber])
            ind.waarde = ind.berekende_waarde
        out.append(ind)
    return out

