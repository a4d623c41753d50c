"""Hand-built CheckResults for the report tests, so they do not depend on the rules engine."""

from __future__ import annotations

from datetime import date

import pandas as pd

from spsync.checks.result import CheckResult, Finding

NAAM_MET_TEKENS = 'Samenwerking onderwijs & jeugdhulp <complex> "duo"'
MELDING_MET_TEKENS = "Periode t/m ontbreekt & <controleer> de 'datum' \"nu\"."


def _frame(rows: list[dict]) -> pd.DataFrame:
    """Frame convention of spsync.checks.tables: index = item ID, column ID kept."""
    frame = pd.DataFrame(rows)
    if "ID" in frame.columns:
        frame.index = frame["ID"]
    return frame


def make_result(*, with_indicators: bool = True, findings: bool = True) -> CheckResult:
    hoofdlijnen = _frame([
        {"ID": 5, "Title": "Interne organisatie", "Code": "IO", "Volgorde": 5},
        {"ID": 6, "Title": "Financiën", "Code": "FI", "Volgorde": 6},
        {"ID": 1, "Title": "Dekkend netwerk van onderwijs en ondersteuning", "Code": "DN",
         "Volgorde": 1},
        {"ID": 7, "Title": "Subsidies", "Code": "SU", "Volgorde": 7},  # no projects: no table
    ])
    base = {"Planjaar": "2025-2026", "Startdatum": "2025-08-17T22:00:00Z",
            "Einddatum": "2026-07-16T22:00:00Z", "Projectstatus": "Lopend",
            "BegrootBedrag": None, "WerkelijkeUitgave": None, "BudgetPM": False,
            "OngeldigeBoekingen": 0.0, "Controlemelding": None,
            "BudgetStatus": "Niet van toepassing"}
    dn = "Dekkend netwerk van onderwijs en ondersteuning"
    projecten = _frame([
        base | {"ID": 1, "ProjectCode": "P-2526-01", "Title": "Almeerse matrix",
                "ProjectType": "Project", "Hoofdlijn": dn,
                "Eigenaar": "beleidsmedewerker 1", "ToegekendeUren": 200.0, "GeboekteUren": 184.0,
                "RestUren": 16.0, "VerbruikPct": 92.0, "UrenStatus": "Risico op overschrijding"},
        base | {"ID": 4, "ProjectCode": "P-2526-04", "Title": NAAM_MET_TEKENS,
                "ProjectType": "Project", "Hoofdlijn": dn,
                "Eigenaar": "coördinator onderwijs-jeugdhulp", "ToegekendeUren": "240",
                "GeboekteUren": 262.5, "RestUren": -22.5, "VerbruikPct": 109.4,
                "UrenStatus": "Overschreden"},
        base | {"ID": 9, "ProjectCode": "P-2526-09", "Title": "Beleids- en kwaliteitscyclus",
                "ProjectType": "Project", "Hoofdlijn": "Interne organisatie",
                "Eigenaar": "kwaliteitsmedewerker", "ToegekendeUren": 1200.0,
                "GeboekteUren": 1100.5, "RestUren": 99.5, "VerbruikPct": 91.7,
                "UrenStatus": "Risico op overschrijding"},
        base | {"ID": 15, "ProjectCode": "SUB-2526-01", "Title": "Subsidie Begaafde leerlingen",
                "ProjectType": "Subsidieproject", "Hoofdlijn": "Interne organisatie",
                "Eigenaar": "controller", "ToegekendeUren": 48.0, "GeboekteUren": 39.5,
                "RestUren": 8.5, "VerbruikPct": 82.3, "UrenStatus": "Binnen uren",
                "BegrootBedrag": 45000.0, "WerkelijkeUitgave": 47250.0,
                "BudgetStatus": "Overschreden"},
        base | {"ID": 14, "ProjectCode": "S-2526-05", "Title": "Kwaliteitscyclus financiën",
                "ProjectType": "Structurele activiteit", "Hoofdlijn": "Financiën",
                "Eigenaar": "controller", "ToegekendeUren": None, "GeboekteUren": 21.0,
                "RestUren": None, "VerbruikPct": None, "UrenStatus": "Geen uren toegekend"},
        base | {"ID": 10, "ProjectCode": "P-2526-10", "Title": "Project zonder hoofdlijn",
                "ProjectType": "Project", "Hoofdlijn": None, "Eigenaar": "projectleider 1",
                "ToegekendeUren": 50.0, "GeboekteUren": 10.0, "RestUren": 40.0,
                "VerbruikPct": 20.0, "UrenStatus": "Binnen uren"},
        base | {"ID": 11, "ProjectCode": "P-2526-11", "Title": "Project met verwijderde hoofdlijn",
                "ProjectType": "Project", "Hoofdlijn": "Bestaat niet meer",
                "Eigenaar": "projectleider 2", "ToegekendeUren": 30.0, "GeboekteUren": 3.0,
                "RestUren": 27.0, "VerbruikPct": 10.0, "UrenStatus": "Binnen uren"},
    ])
    urenregistratie = _frame([
        {"ID": 1, "Title": "Overleg", "Project": "P-2526-01",
         "Medewerker": "beleidsmedewerker 1",
         "Datum": "2025-09-01", "Uren": "8", "UrenGetal": 8.0, "BoekingStatus": None},
        {"ID": 2, "Title": "Uitwerking", "Project": "P-2526-01",
         "Medewerker": "beleidsmedewerker 1",
         "Datum": "2025-09-02", "Uren": "4,5", "UrenGetal": 4.5, "BoekingStatus": None},
        {"ID": 3, "Title": "Casusoverleg", "Project": "P-2526-04", "Medewerker": "Jeroen Jansen",
         "Datum": "2025-10-02", "Uren": "6", "UrenGetal": 6.0, "BoekingStatus": None},
        {"ID": 166, "Title": "Fout", "Project": "P-2526-04", "Medewerker": "Foutje Persoon",
         "Datum": "2026-01-20", "Uren": "twee", "UrenGetal": None, "BoekingStatus": "Ongeldig",
         "Controlemelding": "UREN_ONLEESBAAR: Uren 'twee' is geen getal."},
    ])
    kal = {"Documenttype": "Beleidsdocument", "Planjaar": "2025-2026", "BesprokenOp": None,
           "BesprokenIn": None, "DagenTeLaat": None}
    jaarkalender = _frame([
        kal | {"ID": 14, "Title": "Voortgangsrapportage dekkend netwerk", "Overleg": "OPR",
               "PeriodeStart": "2026-01-14T23:00:00Z", "PeriodeEind": "2026-02-14T23:00:00Z",
               "Eigenaar": "teamleider toeleiding", "KalenderStatus": "Gemist",
               "DagenTeLaat": 89.0},
        kal | {"ID": 19, "Title": "Voortgang onderwijs & jeugdhulp", "Overleg": "OOGO",
               "PeriodeStart": "2026-03-01", "PeriodeEind": "2026-04-15",
               "Eigenaar": "coördinator onderwijs-jeugdhulp", "KalenderStatus": "Gemist",
               "DagenTeLaat": 30.0},
        kal | {"ID": 6, "Title": "Begroting 2026", "Overleg": "ALV", "PeriodeStart": "2025-11-01",
               "PeriodeEind": "2025-12-19", "Eigenaar": "controller", "BesprokenOp": "2026-01-22",
               "KalenderStatus": "Te laat besproken", "DagenTeLaat": 34.0},
        kal | {"ID": 22, "Title": "Evaluatie ANB", "Overleg": "ALV", "PeriodeStart": "2026-04-01",
               "PeriodeEind": "2026-04-30", "Eigenaar": "beleidsmedewerker 2",
               "BesprokenOp": "2026-04-16", "BesprokenIn": "Ledenraad",
               "KalenderStatus": "Besproken in ander overleg"},
        kal | {"ID": 1, "Title": "Evaluatie jaarplan 2024-2025", "Overleg": "MT",
               "PeriodeStart": "2025-09-01", "PeriodeEind": "2025-09-30",
               "Eigenaar": "kwaliteitsmedewerker", "BesprokenOp": "2025-09-23",
               "KalenderStatus": "Besproken volgens jaarkalender"},
        kal | {"ID": 2, "Title": "Evaluatie jaarplan 2024-2025", "Overleg": "ALV",
               "PeriodeStart": "2025-10-01", "PeriodeEind": "2025-11-30",
               "Eigenaar": "directeur-bestuurder", "BesprokenOp": "2025-11-20",
               "KalenderStatus": "Besproken volgens jaarkalender"},
        kal | {"ID": 9, "Title": "Managementrapportage Q3", "Overleg": "MT",
               "PeriodeStart": "2026-05-01", "PeriodeEind": "2026-05-31",
               "Eigenaar": "kwaliteitsmedewerker", "KalenderStatus": "In bespreekperiode"},
        kal | {"ID": 17, "Title": "Jaarplan 2026-2027", "Overleg": "OPR",
               "PeriodeStart": "2026-05-25", "PeriodeEind": "2026-06-30",
               "Eigenaar": "kwaliteitsmedewerker", "KalenderStatus": "Binnenkort"},
        kal | {"ID": 23, "Title": "Kwartaalrapportage leerlingreizen", "Overleg": "OPR",
               "PeriodeStart": "2026-01-01", "PeriodeEind": "2026-01-31",
               "Eigenaar": "controller", "KalenderStatus": "Vervallen"},
    ])
    doelen = _frame([
        {"ID": 1, "DoelCode": "D-IO-1", "Title": "Interne organisatie op orde",
         "DoelStatus": "Op koers", "DoelStatusRapport": "Op koers"},
        {"ID": 2, "DoelCode": "D-IO-2", "Title": "Planning en control",
         "DoelStatus": "Niet op koers", "DoelStatusRapport": "Op koers"},  # handmatig wint
        {"ID": 3, "DoelCode": "D-EO-2", "Title": "Zonder indicatoren",
         "DoelStatus": "Nog niet meetbaar", "DoelStatusRapport": "Nog niet meetbaar"},
    ])
    activiteiten = _frame([
        {"ID": 1, "ActiviteitCode": "A-01", "Title": "Matrix", "VoortgangCategorie": "Uitgevoerd"},
        {"ID": 2, "ActiviteitCode": "A-02", "Title": "Scan", "VoortgangCategorie": "Mee bezig"},
        {"ID": 3, "ActiviteitCode": "A-22", "Title": "Klaar?", "VoortgangCategorie": None},
    ])
    indicatoren = _frame([
        {"ID": 2, "IndicatorCode": "I-IO-2", "Title": "Percentage projecten binnen uren",
         "Meeteenheid": "Percentage", "Berekening": "PROJECTEN_BINNEN_UREN", "Streefwaarde": 75.0,
         "Planjaar": "2025-2026", "BerekendeWaarde": 77.8, "Teller": 7.0, "Noemer": 9.0,
         "IndicatorStatus": "Behaald", "Definitief": False},
        {"ID": 3, "IndicatorCode": "I-IO-3", "Title": "Formele documenten volgens jaarkalender",
         "Meeteenheid": "Percentage", "Berekening": "JAARKALENDER_VOLGENS_PLAN",
         "Streefwaarde": 100.0, "Planjaar": "2025-2026", "BerekendeWaarde": 64.7, "Teller": 11.0,
         "Noemer": 17.0, "IndicatorStatus": "Niet behaald", "Definitief": False},
        {"ID": 6, "IndicatorCode": "I-IO-6", "Title": "Aantal nieuwsbrieflezers",
         "Meeteenheid": "Aantal", "Berekening": "Handmatig", "Streefwaarde": None,
         "Planjaar": "2025-2026", "BerekendeWaarde": 1450.0, "Teller": None, "Noemer": None,
         "IndicatorStatus": "Behaald", "Definitief": False},
    ]) if with_indicators else pd.DataFrame()
    found = [
        Finding("urenregistratie", 166, "ID 166", "UREN_ONLEESBAAR", "Uren 'twee' is geen getal."),
        Finding("projecten", 14, "S-2526-05", "UREN_ZONDER_BUDGET",
                "Er zijn 21,0 uren geboekt, maar er zijn geen uren toegekend."),
        Finding("jaarkalender", 24, "Jaarkalender 24", "PERIODE_ONVOLLEDIG", MELDING_MET_TEKENS),
    ] if findings else []
    return CheckResult(
        controledatum=date(2026, 5, 15), planjaar="2025-2026", hoofdlijnen=hoofdlijnen,
        projecten=projecten, urenregistratie=urenregistratie, jaarkalender=jaarkalender,
        doelen=doelen, activiteiten=activiteiten, indicatoren=indicatoren, findings=found,
    )
