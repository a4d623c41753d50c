"""Typed, frozen results per row: what the rules decided, for every reader but the write-back.

The frames of :class:`~spsync.checks.result.CheckResult` hold the values to *write*; readers
that *show* results (the reports, the alerts) read these records instead, so no reader parses a
cell or recomputes a rest, a percentage or a status again: one source of truth. They are built
once in :func:`~spsync.checks.run_checks` from the rule outputs and the same parsed cells.
Item IDs are ints; texts are trimmed with whitespace collapsed (None when empty); dates are
local calendar dates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from .activities import Activity
from .bookings import Booking
from .calendar import CalendarResult, CalendarRow
from .frames import ListInput
from .goals import Goal
from .hours import ProjectHours
from .indicators import Indicator
from .normalise import (
    collapse,
    is_empty,
    parse_bool,
    parse_choice,
    parse_date,
    parse_int_id,
    parse_number,
)
from .settings import CheckSettings
from .vocab import (
    BEREKENINGEN,
    GEWENSTE_RICHTINGEN,
    OVERSCHREDEN,
    PROJECT_STATUSES,
    PROJECT_TYPES,
    VOORTGANG_HANDMATIG,
)

__all__ = [
    "ActivityResult",
    "BookingResult",
    "GoalResult",
    "IndicatorResult",
    "Link",
    "ProjectResult",
    "Records",
    "SlotResult",
    "build_records",
    "parse_link",
]

R = TypeVar("R")


@dataclass(frozen=True)
class Link:
    """A URL column (``DocumentLink``): only http(s) addresses are kept, never ``javascript:``."""

    url: str
    description: str | None = None


@dataclass(frozen=True)
class ProjectResult:
    """One Projecten row: hours (§5.3), money (§5.4) and the forecast, as decided."""

    item_id: int | None
    code: str  # ProjectCode, or "item <ID>" without one
    title: str | None
    project_type: str | None
    hoofdlijn: str | None  # the show value (hoofdlijn title) as on the row
    owner: str | None
    owner_email: str | None
    planjaar: str | None
    start: date | None
    end: date | None
    projectstatus: str | None
    running: bool
    toegekend: float | None
    geboekt: float
    rest: float | None
    verbruik_pct: float | None
    uren_status: str
    budget_status: str
    begroot: float | None  # € BegrootBedrag (None: not set or unreadable)
    werkelijk: float | None  # € WerkelijkeUitgave
    budget_pm: bool
    budget_pct: float | None  # werkelijk / begroot, 1 decimal
    budget_risico: bool  # not over yet, but at or above the risk threshold of the € budget
    ongeldig: int
    geldig: int
    prognose: float | None
    prognose_over: bool
    prognose_datum: date | None  # the day the hours run out at the pace so far


@dataclass(frozen=True)
class BookingResult:
    """One Urenregistratie row after §5.2, with the details a person recognises it by."""

    item_id: int | None
    title: str | None
    person: str | None
    project_text: str | None  # the Project cell as typed / shown, also when it names nothing
    project_lookup_id: int | None  # the ProjectId cell (SharePoint), also when it is dangling
    project_id: int | None  # resolved Projecten item ID
    project_code: str | None  # that project's code
    datum: date | None
    uren: float | None
    valid: bool
    codes: tuple[str, ...]


@dataclass(frozen=True)
class SlotResult:
    """One Jaarkalender row (a document in a meeting) after §5.5."""

    item_id: int | None
    title: str | None
    documenttype: str | None
    overleg: str | None
    planjaar: str | None
    start: date | None
    end: date | None
    geplande_datum: date | None  # the planned meeting, where known
    besproken_op: date | None
    besproken_in: str | None  # the effective meeting (BesprokenIn, or Overleg when blank)
    owner: str | None
    owner_email: str | None
    status: str
    dagen_te_laat: int | None
    link: Link | None


@dataclass(frozen=True)
class IndicatorResult:
    """One Indicatoren row after §5.6."""

    item_id: int | None
    code: str | None
    title: str | None
    doel_id: int | None
    berekening: str | None
    meeteenheid: str | None
    richting: str | None
    planjaar: str | None
    waarde: float | None
    teller: int | None
    noemer: int | None
    streefwaarde: float | None
    nulmeting: str | None
    voortgang: str | None
    status: str
    definitief: bool


@dataclass(frozen=True)
class GoalResult:
    """One Doelen row after §5.8; ``rapport_status`` is the one to show (handmatig wins)."""

    item_id: int | None
    code: str | None
    title: str | None
    hoofdlijn: str | None
    status: str
    rapport_status: str
    indicator_count: int
    planjaar: str | None


@dataclass(frozen=True)
class ActivityResult:
    """One Activiteiten row after §5.7; ``categorie_rapport`` honours CategorieHandmatig."""

    item_id: int | None
    code: str | None
    title: str | None
    hoofdlijn: str | None
    doel: str | None
    owner: str | None
    planjaar: str | None
    voortgang: str | None
    categorie: str | None
    categorie_rapport: str | None


@dataclass(frozen=True)
class Records:
    """All records of one run, in list order (the order of the input frames)."""

    projects: tuple[ProjectResult, ...] = ()
    bookings: tuple[BookingResult, ...] = ()
    slots: tuple[SlotResult, ...] = ()
    indicators: tuple[IndicatorResult, ...] = ()
    goals: tuple[GoalResult, ...] = ()
    activities: tuple[ActivityResult, ...] = ()


def _text(value: Any) -> str | None:
    if type(value) is str:  # the usual case, decided as below: collapsed, or None when blank
        return collapse(value) or None
    if is_empty(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return None
    shown = collapse(str(value))
    return shown or None


def _texts(values: Sequence[Any]) -> list[str | None]:
    """:func:`_text` of every cell of a column; each distinct text once (100,000 bookings
    name a few dozen people and a few thousand projects)."""
    texts: dict[str, str | None] = dict.fromkeys(v for v in values if type(v) is str)
    for v in texts:
        texts[v] = collapse(v) or None
    return [texts[v] if type(v) is str else _text(v) for v in values]


def _build(cls: Callable[..., R], columns: dict[str, Sequence[Any]]) -> tuple[R, ...]:
    """Records of the dataclass ``cls`` from one sequence per field, named in field order.

    Built column-wise and passed by position (checked against the fields once, not per row):
    keyword arguments for 100,000 bookings cost a noticeable share of a run.
    """
    if list(columns) != [f.name for f in dataclasses.fields(cls)]:  # type: ignore[arg-type]
        raise TypeError(f"_build needs the fields of {cls} in order")
    return tuple(cls(*row) for row in zip(*columns.values(), strict=True))


def parse_link(value: Any) -> Link | None:
    """A SharePoint URL value (``{"Url", "Description"}``), ``"url, description"`` or a URL."""
    if isinstance(value, dict):
        url, desc = value.get("Url"), value.get("Description")
    elif isinstance(value, str):
        url, _, desc = value.partition(", ")
    else:
        return None
    url = url.strip() if isinstance(url, str) else ""
    if not url.lower().startswith(("https://", "http://")) or any(c in url for c in " \n\"<>"):
        return None
    description = _text(desc)
    return Link(url, None if description == url else description)


def _value(parsed: Any) -> Any:
    return parsed.value if parsed.ok else None


def _amount(parsed: Any) -> float | None:
    return parsed.value if parsed.ok and parsed.value >= 0 else None


def _projects(p: ListInput, hours: Sequence[ProjectHours], budget: Sequence[str],
              planjaren: Sequence[str | None], codes: Sequence[str],
              settings: CheckSettings) -> tuple[ProjectResult, ...]:
    tz = settings.timezone
    cells = zip(hours, budget, planjaren, codes, p.col("Title"),
                p.parsed("ProjectType", parse_choice, PROJECT_TYPES), p.col("Hoofdlijn"),
                p.col("Eigenaar"), p.col("EigenaarEMail"),
                p.parsed("Startdatum", parse_date, tz), p.parsed("Einddatum", parse_date, tz),
                p.parsed("Projectstatus", parse_choice, PROJECT_STATUSES),
                p.parsed("BegrootBedrag", parse_number),
                p.parsed("WerkelijkeUitgave", parse_number), p.parsed("BudgetPM", parse_bool))
    out = []
    for h, bs, pj, code, title, ptype, hl, owner, email, start, end, pst, beg, wer, pm in cells:
        begroot, werkelijk = _amount(beg), _amount(wer)
        pct = (round(100 * (werkelijk or 0.0) / begroot, 1)
               if begroot and not pm.value else None)
        risico = (pct is not None and bs != OVERSCHREDEN
                  and pct >= settings.risk_threshold_pct)
        out.append(ProjectResult(
            item_id=h.item_id, code=code, title=_text(title),
            project_type=ptype.value if ptype.ok else _text(ptype.shown),
            hoofdlijn=_text(hl), owner=_text(owner), owner_email=_text(email), planjaar=pj,
            start=_value(start), end=_value(end),
            projectstatus=pst.value if pst.ok else None, running=h.running,
            toegekend=h.toegekend, geboekt=h.geboekt, rest=h.rest, verbruik_pct=h.verbruik_pct,
            uren_status=h.status, budget_status=bs, begroot=begroot, werkelijk=werkelijk,
            budget_pm=pm.value is True, budget_pct=pct, budget_risico=risico,
            ongeldig=h.ongeldig, geldig=h.geldig, prognose=h.prognose,
            prognose_over=h.prognose_over, prognose_datum=h.prognose_datum))
    return tuple(out)


def _bookings(b: ListInput, bookings: Sequence[Booking],
              project_code: dict[int, str]) -> tuple[BookingResult, ...]:
    project_ids = [bk.project_id for bk in bookings]
    return _build(BookingResult, {
        "item_id": [bk.item_id for bk in bookings],
        "title": _texts(b.col("Title")),
        "person": _texts(b.col("Medewerker")),
        "project_text": _texts(b.col("Project")),
        "project_lookup_id": [parse_int_id(v) for v in b.col("ProjectId")],
        "project_id": project_ids,
        "project_code": [None if i is None else project_code.get(i) for i in project_ids],
        "datum": [bk.datum for bk in bookings],
        "uren": [bk.uren for bk in bookings],
        "valid": [bk.valid for bk in bookings],
        "codes": [tuple(f.code for f in bk.findings) if bk.findings else ()
                  for bk in bookings],
    })


def _slots(k: ListInput, rows: Sequence[CalendarRow], results: Sequence[CalendarResult],
           planjaren: Sequence[str | None], settings: CheckSettings) -> tuple[SlotResult, ...]:
    cells = zip(k.ids, rows, results, planjaren, k.col("Title"), k.col("Documenttype"),
                k.parsed("GeplandeDatum", parse_date, settings.timezone), k.col("Eigenaar"),
                k.col("EigenaarEMail"), k.col("DocumentLink"))
    out = []
    for item_id, row, res, pj, title, dtype, gepland, owner, email, link in cells:
        out.append(SlotResult(
            item_id=item_id, title=_text(title), documenttype=_text(dtype),
            overleg=row.overleg.value if row.overleg.ok else _text(row.overleg.shown),
            planjaar=pj, start=row.start.value if row.start.ok else None,
            end=row.eind.value if row.eind.ok else None, geplande_datum=_value(gepland),
            besproken_op=row.besproken_op, besproken_in=_text(res.effectief_overleg),
            owner=_text(owner), owner_email=_text(email), status=res.status,
            dagen_te_laat=res.dagen_te_laat, link=parse_link(link)))
    return tuple(out)


def _indicators(i: ListInput, inds: Sequence[Indicator],
                doel_ids: Sequence[int | None]) -> tuple[IndicatorResult, ...]:
    cells = zip(inds, doel_ids, i.col("IndicatorCode"), i.col("Title"), i.col("Meeteenheid"),
                i.parsed("GewensteRichting", parse_choice, GEWENSTE_RICHTINGEN),
                i.parsed("Berekening", parse_choice, BEREKENINGEN), i.col("Nulmeting"),
                i.parsed("VoortgangHandmatig", parse_choice, VOORTGANG_HANDMATIG))
    return tuple(
        IndicatorResult(
            item_id=ind.item_id, code=_text(code), title=_text(title), doel_id=doel,
            berekening=ber.value, meeteenheid=_text(unit), richting=richting.value,
            planjaar=ind.planjaar, waarde=ind.waarde, teller=ind.teller, noemer=ind.noemer,
            streefwaarde=ind.streefwaarde, nulmeting=_text(nul), voortgang=vg.value,
            status=ind.status, definitief=ind.definitief)
        for ind, doel, code, title, unit, richting, ber, nul, vg in cells)


def _goals(d: ListInput, goals: Sequence[Goal]) -> tuple[GoalResult, ...]:
    return tuple(
        GoalResult(item_id=g.item_id, code=_text(code), title=_text(title),
                   hoofdlijn=_text(hl), status=g.status, rapport_status=g.rapport,
                   indicator_count=g.indicator_count, planjaar=g.planjaar)
        for g, code, title, hl in zip(goals, d.col("DoelCode"), d.col("Title"),
                                      d.col("Hoofdlijn")))


def _activities(a: ListInput, acts: Sequence[Activity]) -> tuple[ActivityResult, ...]:
    return tuple(
        ActivityResult(item_id=act.item_id, code=_text(code), title=_text(title),
                       hoofdlijn=_text(hl), doel=_text(doel), owner=_text(owner),
                       planjaar=act.planjaar, voortgang=act.voortgang, categorie=act.categorie,
                       categorie_rapport=act.categorie_rapport)
        for act, code, title, hl, doel, owner in zip(
            acts, a.col("ActiviteitCode"), a.col("Title"), a.col("Hoofdlijn"), a.col("Doel"),
            a.col("Eigenaar")))


def build_records(inputs: dict[str, ListInput], settings: CheckSettings, *,
                  hours: Sequence[ProjectHours], budget: Sequence[str],
                  project_planjaar: Sequence[str | None], project_codes: Sequence[str],
                  bookings: Sequence[Booking], cal_rows: Sequence[CalendarRow],
                  cal_results: Sequence[CalendarResult], cal_planjaar: Sequence[str | None],
                  indicators: Sequence[Indicator], indicator_doel: Sequence[int | None],
                  goals: Sequence[Goal], activities: Sequence[Activity]) -> Records:
    """The records of one run from the rule outputs (called once, by ``run_checks``)."""
    projects = _projects(inputs["projecten"], hours, budget, project_planjaar, project_codes,
                         settings)
    code_of = {p.item_id: p.code for p in projects if p.item_id is not None}
    return Records(
        projects=projects,
        bookings=_bookings(inputs["urenregistratie"], bookings, code_of),
        slots=_slots(inputs["jaarkalender"], cal_rows, cal_results, cal_planjaar, settings),
        indicators=_indicators(inputs["indicatoren"], indicators, indicator_doel),
        goals=_goals(inputs["doelen"], goals),
        activities=_activities(inputs["activiteiten"], activities),
    )
