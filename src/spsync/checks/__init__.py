"""The functional core: pure rules over the registration lists (DATA-MODEL §4-§5).

No HTTP, no clock, no files: :func:`run_checks` takes the lists as frames, the settings and the
controledatum, and returns the Daemon values to write plus every finding as data. One module per
rule family:

- :mod:`.normalise` §5.0 reading values; :mod:`.planjaar` §4 time; :mod:`.vocab` §3 values;
- :mod:`.bookings` §5.2; :mod:`.hours` §5.3; :mod:`.money` §5.4; :mod:`.calendar` §5.5;
- :mod:`.indicators` §5.6; :mod:`.activities` §5.7; :mod:`.goals` §5.8;
- :mod:`.quality` table-level data quality; :mod:`.findings` every code and its Dutch text.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from spsync import schema

from .activities import compute_activities
from .bookings import check_bookings
from .calendar import compute_calendar
from .findings import TEMPLATES, controlemelding, meldingcodes
from .frames import FindingLog, ListInput, LookupIndex, Resolved, set_column
from .goals import compute_goals
from .hours import compute_hours
from .indicators import CalendarFact, ProjectFact, compute_indicators
from .money import compute_budget
from .normalise import is_empty, parse_choice
from .planjaar import parse_planjaar, planjaar, planjaar_label
from .quality import check_tables
from .records import build_records
from .result import CheckResult, Finding
from .settings import CheckSettings
from .tables import Tables
from .vocab import DOCUMENT_TYPES, PROJECT_TYPES

__all__ = [
    "ADDED_COLUMNS",
    "TEMPLATES",
    "TEXT_MAX",
    "CheckResult",
    "CheckSettings",
    "Finding",
    "Tables",
    "hours_per_hoofdlijn",
    "planjaar",
    "planjaar_label",
    "run_checks",
]

LIST_KEYS = tuple(d.key for d in schema.LISTS)

#: The length limit of each list's Controlemelding column (from the schema): Text(255)
#: everywhere except on Projecten (Note, no limit).
TEXT_MAX: dict[str, int | None] = {
    d.key: None if c.type == "Note" else (c.max_length or 255)
    for d in schema.LISTS for c in d.columns if c.name == "Controlemelding"
}

#: The columns run_checks adds per list: (Daemon columns to write, report-only helper columns).
ADDED_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "hoofdlijnen": ((), ("Meldingcodes",)),
    "projecten": (
        ("GeboekteUren", "RestUren", "VerbruikPct", "UrenStatus", "BudgetStatus",
         "OngeldigeBoekingen", "Controlemelding"),
        ("ProjectKey", "ToegekendeUrenGetal", "GeldigeBoekingen", "Lopend", "PrognoseUren",
         "PrognoseOverschrijding", "PrognoseOverschrijdingDatum", "PlanjaarGeldig",
         "Meldingcodes"),
    ),
    "urenregistratie": (
        ("BoekingStatus", "Controlemelding"),
        ("UrenGetal", "DatumLokaal", "ProjectItemId", "ProjectKey", "Geldig", "Meldingcodes"),
    ),
    "jaarkalender": (
        ("KalenderStatus", "DagenTeLaat", "Controlemelding"),
        ("PeriodeStartDatum", "PeriodeEindDatum", "BesprokenOpDatum", "EffectiefOverleg",
         "PlanjaarGeldig", "Meldingcodes"),
    ),
    "doelen": (("DoelStatus",), ("DoelStatusRapport", "AantalIndicatoren", "Meldingcodes")),
    "activiteiten": (
        ("VoortgangCategorie", "Controlemelding"),
        ("VoortgangGenormaliseerd", "CategorieRapport", "PlanjaarGeldig", "Meldingcodes"),
    ),
    "indicatoren": (
        ("BerekendeWaarde", "Teller", "Noemer", "IndicatorStatus", "Definitief",
         "Controlemelding"),
        ("Waarde", "DoelItemId", "PlanjaarGeldig", "Meldingcodes"),
    ),
}


def run_checks(tables: Tables, settings: CheckSettings, controledatum: date) -> CheckResult:
    """Apply every rule of DATA-MODEL §5 as of ``controledatum``; never raises on bad data."""
    mode = settings.planjaar_mode
    inputs = {k: ListInput.of(k, getattr(tables, k, None)) for k in LIST_KEYS}
    log = FindingLog()
    log.extend(check_tables(inputs, settings, controledatum))

    projecten, uren = inputs["projecten"], inputs["urenregistratie"]
    project_index = LookupIndex(projecten, "ProjectCode")
    doel_index = LookupIndex(inputs["doelen"], "DoelCode")

    # §5.2 bookings, §5.3 hours, §5.4 money
    bookings = check_bookings(uren, projecten, project_index, settings, controledatum)
    for b in bookings:
        log.extend(b.findings)
    hours = compute_hours(projecten, bookings, settings, controledatum)
    for h in hours:
        log.extend(h.findings)
    budget = compute_budget(projecten)

    # §5.5 jaarkalender, §5.7 activities
    cal = inputs["jaarkalender"]
    cal_rows, cal_results = compute_calendar(cal, settings, controledatum)
    for r in cal_results:
        log.extend(r.findings)
    acts = compute_activities(inputs["activiteiten"], settings)
    for a in acts:
        log.extend(a.findings)

    # §5.6 indicators
    project_pj = projecten.parsed("Planjaar", parse_planjaar, mode)
    project_facts = [
        ProjectFact(pj, t.value, h.status, bs)
        for pj, t, h, bs in zip(project_pj, projecten.parsed("ProjectType", parse_choice,
                                                             PROJECT_TYPES), hours, budget)]
    cal_pj = cal.parsed("Planjaar", parse_planjaar, mode)
    cal_facts = [CalendarFact(pj, d.value, r.status)
                 for pj, d, r in zip(cal_pj, cal.parsed("Documenttype", parse_choice,
                                                        DOCUMENT_TYPES), cal_results)]
    inds_in = inputs["indicatoren"]
    inds = compute_indicators(inds_in, project_facts, cal_facts, acts, settings, controledatum)
    for i in inds:
        log.extend(i.findings)

    # §5.8 goals
    has_doel_id = inds_in.has("DoelId")
    ind_goal = [doel_index.resolve(show, did, has_doel_id)
                for show, did in zip(inds_in.col("Doel"), inds_in.col("DoelId"))]
    current_pj = planjaar(controledatum, mode)
    doelen = inputs["doelen"]
    goals = compute_goals(
        doelen.ids, doelen.col("DoelStatusHandmatig"),
        [(i.item_id, g.target_id if g.state == Resolved.FOUND else None, i.planjaar, i.status)
         for i, g in zip(inds, ind_goal)],
        current_pj)

    # Output frames: input + Daemon columns + report helpers
    def notes(inp: ListInput) -> tuple[list[str | None], list[str | None]]:
        rows = log.of_rows(inp.key, inp.ids)
        limit = TEXT_MAX.get(inp.key)  # most rows have no finding: None without building text
        return ([controlemelding(r, limit) if r else None for r in rows],
                [meldingcodes(r) if r else None for r in rows])

    frames: dict[str, pd.DataFrame] = {}
    for key, inp in inputs.items():
        frame = inp.frame
        melding, codes = notes(inp)
        if key in TEXT_MAX:
            set_column(frame, "Controlemelding", melding)
        set_column(frame, "Meldingcodes", codes)
        frames[key] = frame

    f = frames["projecten"]
    _put(f, {
        "GeboekteUren": [h.geboekt for h in hours],
        "RestUren": [h.rest for h in hours],
        "VerbruikPct": [h.verbruik_pct for h in hours],
        "UrenStatus": [h.status for h in hours],
        "BudgetStatus": budget,
        "OngeldigeBoekingen": [h.ongeldig for h in hours],
        "ProjectKey": [_key(i, c) for i, c in zip(projecten.ids, projecten.col("ProjectCode"))],
        "ToegekendeUrenGetal": [h.toegekend for h in hours],
        "GeldigeBoekingen": [h.geldig for h in hours],
        "Lopend": [h.running for h in hours],
        "PrognoseUren": [h.prognose for h in hours],
        "PrognoseOverschrijding": [h.prognose_over for h in hours],
        "PrognoseOverschrijdingDatum": [h.prognose_datum for h in hours],
        "PlanjaarGeldig": project_pj,
    })
    # A booking's ProjectKey is its project's: built once per project, not per booking.
    project_key = {i: _key(i, c) for i, c in zip(projecten.ids, projecten.col("ProjectCode"))}
    _put(frames["urenregistratie"], {
        "BoekingStatus": [b.status for b in bookings],
        "UrenGetal": [b.uren for b in bookings],
        "DatumLokaal": [b.datum for b in bookings],
        "ProjectItemId": [b.project_id for b in bookings],
        "ProjectKey": [None if b.project_id is None else project_key.get(b.project_id)
                       or _key(b.project_id, None) for b in bookings],
        "Geldig": [b.valid for b in bookings],
    })
    _put(frames["jaarkalender"], {
        "KalenderStatus": [r.status for r in cal_results],
        "DagenTeLaat": [r.dagen_te_laat for r in cal_results],
        "PeriodeStartDatum": [r.start.value for r in cal_rows],
        "PeriodeEindDatum": [r.eind.value for r in cal_rows],
        "BesprokenOpDatum": [r.besproken_op for r in cal_rows],
        "EffectiefOverleg": [r.effectief_overleg for r in cal_results],
        "PlanjaarGeldig": cal_pj,
    })
    _put(frames["doelen"], {
        "DoelStatus": [g.status for g in goals],
        "DoelStatusRapport": [g.rapport for g in goals],
        "AantalIndicatoren": [g.indicator_count for g in goals],
    })
    _put(frames["activiteiten"], {
        "VoortgangCategorie": [a.categorie for a in acts],
        "VoortgangGenormaliseerd": [a.voortgang for a in acts],
        "CategorieRapport": [a.categorie_rapport for a in acts],
        "PlanjaarGeldig": [a.planjaar for a in acts],
    })
    _put(frames["indicatoren"], {
        "BerekendeWaarde": [i.berekende_waarde for i in inds],
        "Teller": [i.teller for i in inds],
        "Noemer": [i.noemer for i in inds],
        "IndicatorStatus": [i.status for i in inds],
        "Definitief": [i.definitief for i in inds],
        "Waarde": [i.waarde for i in inds],
        "DoelItemId": [g.target_id if g.state == Resolved.FOUND else None for g in ind_goal],
        "PlanjaarGeldig": [i.planjaar for i in inds],
    })
    # Column order: input, Daemon columns, helpers (Controlemelding/Meldingcodes last of each)
    for key, frame in frames.items():
        daemon, helpers = ADDED_COLUMNS[key]
        added = [c for c in (*daemon, *helpers) if c in frame.columns]
        rest = [c for c in frame.columns if c not in added]
        frames[key] = frame[rest + added]

    records = build_records(
        inputs, settings, hours=hours, budget=budget, project_planjaar=project_pj,
        project_codes=[_key(i, c) for i, c in zip(projecten.ids, projecten.col("ProjectCode"))],
        bookings=bookings, cal_rows=cal_rows, cal_results=cal_results, cal_planjaar=cal_pj,
        indicators=inds,
        indicator_doel=[g.target_id if g.state == Resolved.FOUND else None for g in ind_goal],
        goals=goals, activities=acts)
    return CheckResult(controledatum=controledatum, planjaar=current_pj,
                       findings=log.findings, records=records, **frames)


def _put(frame: pd.DataFrame, columns: dict[str, list[Any]]) -> None:
    for name, values in columns.items():
        set_column(frame, name, values)


def _key(item_id: int | None, code: Any) -> str:
    """A stable key for a project in reports: its code, or 'item <ID>' without one."""
    return str(code).strip() if not is_empty(code) and isinstance(code, str) and code.strip() \
        else f"item {item_id}"


def hours_per_hoofdlijn(result: CheckResult) -> pd.DataFrame:
    """Report helper: toegekend and geboekt (valid bookings) per hoofdlijn, in Volgorde.

    Columns: Hoofdlijn, Toegekend, Geboekt (floats). Projects without a known hoofdlijn are
    grouped under '(onbekend)'.
    """
    proj = result.projecten
    order: dict[str, float] = {}
    hl = result.hoofdlijnen
    if "Title" in hl.columns:
        vol = hl["Volgorde"].tolist() if "Volgorde" in hl.columns else [None] * len(hl)
        from .normalise import parse_number

        for pos, (title, v) in enumerate(zip(hl["Title"].tolist(), vol)):
            if isinstance(title, str) and title.strip() and title.strip() not in order:
                n = parse_number(v)
                order[title.strip()] = n.value if n.ok else 1e9 + pos
    sums: dict[str, list[float]] = {}
    titles = proj["Hoofdlijn"].tolist() if "Hoofdlijn" in proj.columns else [None] * len(proj)
    for title, toeg, geb in zip(titles, proj["ToegekendeUrenGetal"].tolist(),
                                proj["GeboekteUren"].tolist()):
        name = title.strip() if isinstance(title, str) and title.strip() else "(onbekend)"
        acc = sums.setdefault(name, [0.0, 0.0])
        acc[0] += toeg or 0.0
        acc[1] += geb or 0.0
    names = sorted(sums, key=lambda n: (order.get(n, 2e9), n))
    return pd.DataFrame({"Hoofdlijn": names, "Toegekend": [sums[n][0] for n in names],
                         "Geboekt": [round(sums[n][1], 2) for n in names]})
