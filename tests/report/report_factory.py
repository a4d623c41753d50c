"""CheckResults for the report tests, made by the real rules (``run_checks``) on small frames.

The inputs are CSV-shaped (strings, empty = None), like staff type them; a few dates are UTC
instants as SharePoint sends them. Expected values in the tests follow from the rules of
DATA-MODEL §5, so the report is tested on exactly what the pipeline produces.
"""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from spsync.checks import CheckResult, CheckSettings, Tables, run_checks

C = date(2026, 5, 15)
NAAM_MET_TEKENS = 'Samenwerking onderwijs & jeugdhulp <complex> "duo"'
UREN_MET_TEKENS = "2 & <3> 'uur'"
MELDING_MET_TEKENS = f"Uren '{UREN_MET_TEKENS}' is geen getal."
DN = "Dekkend netwerk van onderwijs en ondersteuning"
TESTS = Path(__file__).resolve().parents[1]


def _frame(items: list[dict]) -> pd.DataFrame:
    """Checks frame convention: object dtype, index = item ID, column ID kept."""
    cols: list[str] = []
    for item in items:
        cols += [k for k in item if k not in cols]
    df = pd.DataFrame({c: pd.Series([r.get(c) for r in items], dtype=object) for c in cols})
    df.index = pd.Index([r["ID"] for r in items], name="ID")
    return df


def _project(item_id: int, code: str, title: str, hoofdlijn: str | None, uren: str | None,
             **kw: object) -> dict:
    return {"ID": item_id, "ProjectCode": code, "Title": title, "ProjectType": "Project",
            "Hoofdlijn": hoofdlijn, "Planjaar": "2025-2026", "Eigenaar": "eigenaar",
            "EigenaarEMail": "e@x.example", "ToegekendeUren": uren,
            "Startdatum": "2025-08-18", "Einddatum": "2026-07-17", "Projectstatus": "Lopend",
            "BegrootBedrag": None, "WerkelijkeUitgave": None, "BudgetPM": None, **kw}


def _bookings(spec: list[tuple[str, str, float]], first_id: int = 1000) -> list[dict]:
    """Valid bookings of at most 8 hours each, one a day from 1 September 2025."""
    out, n, day = [], first_id, date(2025, 9, 1)
    for project, medewerker, total in spec:
        left = total
        while left > 0:
            uren = min(8.0, left)
            out.append({"ID": n, "Title": "werk", "Project": project, "Medewerker": medewerker,
                        "MedewerkerEMail": "m@x.example", "Datum": day.isoformat(),
                        "Uren": str(uren).replace(".", ",")})
            left, n, day = left - uren, n + 1, day + timedelta(days=1)
            if day >= C:
                day = date(2025, 9, 1)
    return out


def make_tables(*, with_indicators: bool = True, bad_rows: bool = True) -> Tables:
    hoofdlijnen = _frame([
        {"ID": 5, "Title": "Interne organisatie", "Code": "IO", "Volgorde": "5"},
        {"ID": 6, "Title": "Financiën", "Code": "FI", "Volgorde": "6"},
        {"ID": 1, "Title": DN, "Code": "DN", "Volgorde": "1"},
        {"ID": 7, "Title": "Subsidies", "Code": "SU", "Volgorde": "7"},  # no projects: no table
    ])
    projecten = _frame([
        _project(1, "P-2526-01", "Almeerse matrix", DN, "200"),
        _project(4, "P-2526-04", NAAM_MET_TEKENS, DN, "240"),
        _project(9, "P-2526-09", "Beleids- en kwaliteitscyclus", "Interne organisatie", "1200"),
        _project(15, "SUB-2526-01", "Subsidie Begaafde leerlingen", "Interne organisatie", "48",
                 ProjectType="Subsidieproject", BegrootBedrag="45000",
                 WerkelijkeUitgave="47250"),
        _project(14, "S-2526-05", "Kwaliteitscyclus financiën", "Financiën", None,
                 ProjectType="Structurele activiteit"),
        _project(10, "P-2526-10", "Project zonder hoofdlijn", None, "50"),
        _project(11, "P-2526-11", "Project met verwijderde hoofdlijn", "Bestaat niet meer", "30"),
    ])
    boekingen = _bookings([
        ("P-2526-01", "beleidsmedewerker 1", 184.0), ("P-2526-04", "Jeroen Jansen", 262.5),
        ("P-2526-09", "kwaliteitsmedewerker", 1100.5), ("SUB-2526-01", "controller", 39.5),
        ("S-2526-05", "controller", 21.0), ("P-2526-10", "projectleider 1", 10.0),
        ("P-2526-11", "projectleider 2", 3.0),
    ])
    if bad_rows:
        boekingen.append({"ID": 166, "Title": "Fout", "Project": "P-2526-04",
                          "Medewerker": "Foutje Persoon", "MedewerkerEMail": "f@x.example",
                          "Datum": "2026-01-20", "Uren": UREN_MET_TEKENS})
    kal = {"Documenttype": "Beleidsdocument", "Planjaar": "2025-2026", "Eigenaar": "eigenaar",
           "EigenaarEMail": "e@x.example", "BesprokenOp": None, "BesprokenIn": None,
           "Vervallen": None}
    kalender = [
        kal | {"ID": 14, "Title": "Voortgangsrapportage dekkend netwerk", "Overleg": "OPR",
               "PeriodeStart": "2026-01-14T23:00:00Z", "PeriodeEind": "2026-02-14T23:00:00Z",
               "Eigenaar": "teamleider toeleiding"},                       # gemist, 89 dagen
        kal | {"ID": 19, "Title": "Voortgang onderwijs & jeugdhulp", "Overleg": "OOGO",
               "PeriodeStart": "2026-03-01", "PeriodeEind": "2026-04-15"},  # gemist, 30 dagen
        kal | {"ID": 6, "Title": "Begroting 2026", "Documenttype": "Begroting", "Overleg": "ALV",
               "PeriodeStart": "2025-11-01", "PeriodeEind": "2025-12-19",
               "BesprokenOp": "2026-01-22", "BesprokenIn": "ALV"},          # te laat, 34
        kal | {"ID": 22, "Title": "Evaluatie ANB", "Overleg": "ALV", "PeriodeStart": "2026-04-01",
               "PeriodeEind": "2026-04-30", "BesprokenOp": "2026-04-16",
               "BesprokenIn": "Ledenraad"},                                 # ander overleg
        kal | {"ID": 1, "Title": "Evaluatie jaarplan 2024-2025", "Overleg": "MT",
               "PeriodeStart": "2025-09-01", "PeriodeEind": "2025-09-30",
               "BesprokenOp": "2025-09-23", "BesprokenIn": "MT"},           # volgens
        kal | {"ID": 2, "Title": "Evaluatie jaarplan 2024-2025", "Overleg": "ALV",
               "PeriodeStart": "2025-10-01", "PeriodeEind": "2025-11-30",
               "BesprokenOp": "2025-11-20", "BesprokenIn": "ALV"},          # volgens
        kal | {"ID": 9, "Title": "Managementrapportage Q3", "Overleg": "MT",
               "PeriodeStart": "2026-05-01", "PeriodeEind": "2026-05-31"},  # in bespreekperiode
        kal | {"ID": 17, "Title": "Jaarplan 2026-2027", "Overleg": "OPR",
               "PeriodeStart": "2026-05-25", "PeriodeEind": "2026-06-30"},  # binnenkort
        kal | {"ID": 23, "Title": "Kwartaalrapportage leerlingreizen", "Overleg": "OPR",
               "PeriodeStart": "2026-01-01", "PeriodeEind": "2026-01-31",
               "Vervallen": "Ja"},                                          # vervallen
    ]
    if bad_rows:
        kalender.append(kal | {"ID": 24, "Title": "Zonder einde", "Overleg": "MT",
                               "PeriodeStart": "2026-02-01", "PeriodeEind": None})  # onvolledig
    doelen = _frame([
        {"ID": 1, "DoelCode": "D-IO-1", "Title": "Interne organisatie op orde"},
        {"ID": 2, "DoelCode": "D-IO-2", "Title": "Planning en control",
         "DoelStatusHandmatig": "Op koers"},  # handmatig wint in het rapport
        {"ID": 3, "DoelCode": "D-EO-2", "Title": "Zonder indicatoren"},
    ])
    activiteiten = _frame([
        {"ID": 1, "ActiviteitCode": "A-01", "Title": "Matrix", "Planjaar": "2025-2026",
         "Voortgang": "Afgerond"},
        {"ID": 2, "ActiviteitCode": "A-02", "Title": "Scan", "Planjaar": "2025-2026",
         "Voortgang": "Deels behaald, mee bezig"},
        {"ID": 3, "ActiviteitCode": "A-22", "Title": "Klaar?", "Planjaar": "2025-2026",
         "Voortgang": None},
    ])
    ind = {"Planjaar": "2025-2026", "Meeteenheid": "Percentage", "GewensteRichting": None,
           "Streefwaarde": None, "Nulmeting": None, "WaardeHandmatig": None,
           "VoortgangHandmatig": None}
    indicatoren = _frame([
        ind | {"ID": 2, "IndicatorCode": "I-IO-2", "Title": "Percentage projecten binnen uren",
               "Doel": "D-IO-1", "Berekening": "PROJECTEN_BINNEN_UREN", "Streefwaarde": "75"},
        ind | {"ID": 3, "IndicatorCode": "I-IO-3",
               "Title": "Formele documenten volgens jaarkalender", "Doel": "D-IO-2",
               "Berekening": "JAARKALENDER_VOLGENS_PLAN", "Streefwaarde": "100"},
        ind | {"ID": 6, "IndicatorCode": "I-IO-6", "Title": "Aantal nieuwsbrieflezers",
               "Doel": "D-IO-1", "Meeteenheid": "Aantal", "Berekening": "Handmatig",
               "GewensteRichting": "Neemt toe", "WaardeHandmatig": "1450",
               "VoortgangHandmatig": "Neemt toe"},
    ]) if with_indicators else None
    return Tables(hoofdlijnen=hoofdlijnen, projecten=projecten,
                  urenregistratie=_frame(boekingen), jaarkalender=_frame(kalender),
                  doelen=doelen, activiteiten=activiteiten, indicatoren=indicatoren)


def make_result(*, with_indicators: bool = True, bad_rows: bool = True,
                controledatum: date = C) -> CheckResult:
    """A realistic result, through the real rules."""
    return run_checks(make_tables(with_indicators=with_indicators, bad_rows=bad_rows),
                      CheckSettings(), controledatum)


def demo_result() -> CheckResult:
    """The demo scenario (SharePoint-shaped frames of the demo CSVs) through the rules."""
    spec = importlib.util.spec_from_file_location("_demo_csvframes",
                                                  TESTS / "checks" / "csvframes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return run_checks(module.demo_tables_sharepoint(), CheckSettings(), C)
