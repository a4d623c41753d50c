"""§5.5: Jaarkalender status (``KalenderStatus``, ``DagenTeLaat``) as of controledatum C."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from .findings import finding
from .frames import ListInput
from .normalise import EMPTY, INVALID, Parsed, choice_key, parse_bool, parse_choice, parse_date
from .planjaar import format_date_nl
from .result import Finding
from .settings import CheckSettings
from .vocab import (
    ANDER_OVERLEG,
    BINNENKORT,
    GEMIST,
    GEPLAND,
    IN_BESPREEKPERIODE,
    ONVOLLEDIG,
    OVERLEGGEN,
    TE_LAAT,
    TE_VROEG,
    VERVALLEN,
    VOLGENS_JAARKALENDER,
)

__all__ = [
    "DISCUSSED_RULES",
    "NOT_DISCUSSED_RULES",
    "CalendarResult",
    "CalendarRow",
    "calendar_row",
    "compute_calendar",
    "kalender_status",
]


@dataclass
class CalendarRow:
    """The parsed §5.5 inputs of one Jaarkalender row."""

    vervallen: bool
    overleg: Parsed  # canonical V7 value when OK
    start: Parsed
    eind: Parsed
    besproken_op: date | None
    besproken_in: Parsed  # canonical V7 value when OK, raw text when INVALID


@dataclass
class CalendarResult:
    """KalenderStatus, DagenTeLaat and the findings of one row."""

    status: str
    dagen_te_laat: int | None = None
    effectief_overleg: str | None = None
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class _Facts:
    """What the rule-3/4 sub-tables look at, with every date present."""

    c: date
    start: date
    eind: date
    besproken_op: date | None
    overleg_key: str
    effectief_key: str
    binnenkort_days: int


Sub = tuple[Callable[[_Facts], bool], str, Callable[[_Facts], int | None]]


def _none(f: _Facts) -> None:
    return None


#: §5.5 rule 3: discussed (BesprokenOp set and <= C). The first matching row decides.
DISCUSSED_RULES: tuple[Sub, ...] = (
    # effective overleg (BesprokenIn, or Overleg if blank) != Overleg -> ander overleg
    (lambda f: f.effectief_key != f.overleg_key, ANDER_OVERLEG, _none),
    # else BesprokenOp < PeriodeStart -> te vroeg
    (lambda f: f.besproken_op < f.start, TE_VROEG, _none),
    # else BesprokenOp > PeriodeEind -> te laat, DagenTeLaat = BesprokenOp - Eind
    (lambda f: f.besproken_op > f.eind, TE_LAAT, lambda f: (f.besproken_op - f.eind).days),
    # else -> volgens jaarkalender
    (lambda f: True, VOLGENS_JAARKALENDER, _none),
)

#: §5.5 rule 4: not yet discussed. The first matching row decides.
NOT_DISCUSSED_RULES: tuple[Sub, ...] = (
    # C > PeriodeEind -> Gemist, DagenTeLaat = C - Eind
    (lambda f: f.c > f.eind, GEMIST, lambda f: (f.c - f.eind).days),
    # PeriodeStart <= C <= PeriodeEind -> In bespreekperiode
    (lambda f: f.start <= f.c <= f.eind, IN_BESPREEKPERIODE, _none),
    # PeriodeStart - C <= 14 days (configurable) -> Binnenkort
    (lambda f: (f.start - f.c).days <= f.binnenkort_days, BINNENKORT, _none),
    # otherwise -> Gepland
    (lambda f: True, GEPLAND, _none),
)


def _incomplete_reasons(row: CalendarRow) -> list[str]:
    """§5.5 rule 2: why Overleg / PeriodeStart / PeriodeEind cannot be used (Dutch)."""
    reasons = []
    if row.overleg.state == EMPTY:
        reasons.append("Overleg ontbreekt")
    elif row.overleg.state == INVALID:
        reasons.append(f"Overleg '{row.overleg.shown}' is onbekend")
    for label, parsed in (("Periode van", row.start), ("Periode t/m", row.eind)):
        if parsed.state == EMPTY:
            reasons.append(f"{label} ontbreekt")
        elif parsed.state == INVALID:
            reasons.append(f"{label} '{parsed.shown}' is geen geldige datum")
    if not reasons and row.start.value > row.eind.value:
        reasons.append(f"Periode van {format_date_nl(row.start.value)} ligt na Periode t/m "
                       f"{format_date_nl(row.eind.value)}")
    return reasons


def kalender_status(row: CalendarRow, c: date, binnenkort_days: int = 14,
                    ref: tuple[int | None, str] = (None, "")) -> CalendarResult:
    """Rules 1-4 of §5.5, in order; findings are tagged with ``ref`` (item ID, reference)."""
    item_id, label = ref

    def make(code: str, **kw: object) -> Finding:
        return finding("jaarkalender", item_id, label, code, **kw)

    future = row.besproken_op is not None and row.besproken_op > c
    late_findings = ([make("BESPROKEN_IN_TOEKOMST", datum=format_date_nl(row.besproken_op))]
                     if future else [])
    # 1. Vervallen = Yes -> Vervallen
    if row.vervallen:
        return CalendarResult(VERVALLEN, findings=late_findings)
    # 2. Overleg, PeriodeStart or PeriodeEind missing/invalid, or Start > Eind -> Onvolledig
    reasons = _incomplete_reasons(row)
    if reasons:
        return CalendarResult(ONVOLLEDIG, findings=[
            make("KALENDER_ONVOLLEDIG", reden="; ".join(reasons)), *late_findings])
    overleg = row.overleg.value
    if row.besproken_in.state == EMPTY:  # blank BesprokenIn means the planned Overleg
        effectief, effectief_key = overleg, choice_key(overleg)
    elif row.besproken_in.state == INVALID:
        effectief, effectief_key = row.besproken_in.shown, choice_key(row.besproken_in.shown)
    else:
        effectief, effectief_key = row.besproken_in.value, choice_key(row.besproken_in.value)
    facts = _Facts(c, row.start.value, row.eind.value, row.besproken_op, choice_key(overleg) or "",
                   effectief_key or "", binnenkort_days)
    # 3. BesprokenOp set and <= C; 4. otherwise not yet discussed (a later BesprokenOp counts
    # as not yet discussed, with a finding)
    table = DISCUSSED_RULES if row.besproken_op is not None and not future else NOT_DISCUSSED_RULES
    for condition, status, days in table:
        if condition(facts):
            return CalendarResult(status, days(facts), effectief, late_findings)
    raise AssertionError("the last row always applies")  # pragma: no cover


def calendar_row(vervallen: Parsed, overleg: Parsed, start: Parsed, eind: Parsed,
                 besproken_op: Parsed, besproken_in: Parsed) -> CalendarRow:
    """The §5.5 inputs of one row from its parsed cells (Vervallen with parse_bool, Overleg and
    BesprokenIn with parse_choice over V7, the dates with parse_date); an invalid BesprokenOp
    reads as not discussed."""
    return CalendarRow(vervallen=vervallen.value is True, overleg=overleg, start=start,
                       eind=eind, besproken_op=besproken_op.value, besproken_in=besproken_in)


def parse_calendar_row(vervallen: object, overleg: object, start: object, eind: object,
                       besproken_op: object, besproken_in: object,
                       tz: str = "Europe/Amsterdam") -> CalendarRow:
    """Read the raw cells of one row (invalid BesprokenOp reads as not discussed)."""
    return calendar_row(parse_bool(vervallen), parse_choice(overleg, OVERLEGGEN),
                        parse_date(start, tz), parse_date(eind, tz), parse_date(besproken_op, tz),
                        parse_choice(besproken_in, OVERLEGGEN))


def compute_calendar(cal: ListInput, settings: CheckSettings, c: date,
                     ) -> tuple[list[CalendarRow], list[CalendarResult]]:
    """KalenderStatus for every row, whatever its planjaar (cells parsed as in
    :func:`parse_calendar_row`, shared with the quality check)."""
    tz = settings.timezone
    rows, results = [], []
    cells = zip(cal.ids, cal.refs, cal.parsed("Vervallen", parse_bool),
                cal.parsed("Overleg", parse_choice, OVERLEGGEN),
                cal.parsed("PeriodeStart", parse_date, tz),
                cal.parsed("PeriodeEind", parse_date, tz),
                cal.parsed("BesprokenOp", parse_date, tz),
                cal.parsed("BesprokenIn", parse_choice, OVERLEGGEN))
    for item_id, ref, verv, overleg, start, eind, op, in_ in cells:
        row = calendar_row(verv, overleg, start, eind, op, in_)
        rows.append(row)
        results.append(kalender_status(row, c, settings.binnenkort_days, (item_id, ref)))
    return rows, results
