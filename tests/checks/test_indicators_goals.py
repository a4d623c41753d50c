"""§5.6 indicators (each Berekening + the Handmatig table), §5.7 categories, §5.8 goals."""

from __future__ import annotations

from datetime import date

import pytest

from spsync.checks import CheckSettings
from spsync.checks.activities import Activity, categorie
from spsync.checks.goals import compute_goals, doel_status
from spsync.checks.indicators import (
    CalendarFact,
    ProjectFact,
    Ratio,
    activiteiten_uitgevoerd,
    count_status,
    handmatig_status,
    jaarkalender_volgens_plan,
    mt_rapportage_besproken,
    parse_nulmeting,
    percentage_status,
    projecten_binnen_uren,
)

from .builders import calendar_row, project, run, tbl

PJ = "2025-2026"


def pf(type_, uren, budget="Niet van toepassing", pj=PJ):
    return ProjectFact(pj, type_, uren, budget)


PROJECTS = [
    pf("Project", "Binnen uren"),
    pf("Project", "Risico op overschrijding"),
    pf("Project", "Overschreden"),
    pf("Project", "Geen uren toegekend"),  # excluded from the denominator
    pf("Project", "Binnen uren", "Overschreden"),
    pf("Subsidieproject", "Binnen uren"),
    pf("Structurele activiteit", "Overschreden"),
    pf("Project", "Binnen uren", pj="2024-2025"),  # other planjaar
    pf(None, "Binnen uren"),  # unknown type never counts
]


@pytest.mark.parametrize(("types", "budget", "ratio"), [
    (("Project",), False, Ratio(3, 4)),
    (("Project",), True, Ratio(2, 4)),  # also requires BudgetStatus != Overschreden
    (("Project", "Subsidieproject"), False, Ratio(4, 5)),
    (("Project", "Subsidieproject", "Structurele activiteit"), False, Ratio(4, 6)),
])
def test_projecten_binnen_uren(types, budget, ratio):
    assert projecten_binnen_uren(PROJECTS, PJ, types, budget) == ratio


def test_jaarkalender_volgens_plan():
    rows = [CalendarFact(PJ, "Jaarplan", s) for s in (
        "Besproken volgens jaarkalender", "Besproken volgens jaarkalender", "Te laat besproken",
        "Te vroeg besproken", "Besproken in ander overleg", "Gemist",  # due
        "Gepland", "Binnenkort", "In bespreekperiode",  # not due yet
        "Vervallen", "Onvolledig")]  # excluded
    rows.append(CalendarFact("2024-2025", "Jaarplan", "Gemist"))
    assert jaarkalender_volgens_plan(rows, PJ) == Ratio(2, 6)
    assert Ratio(2, 6).value == 33.3


def test_activiteiten_uitgevoerd_uses_categorie_handmatig():
    acts = [Activity(1, "A", PJ, "Behaald", "Uitgevoerd", "Uitgevoerd"),
            Activity(2, "A", PJ, "Deels behaald", "Mee bezig", "Uitgevoerd"),  # handmatig
            Activity(3, "A", PJ, "Niet behaald", "Niet begonnen of niet haalbaar",
                     "Niet begonnen of niet haalbaar"),
            Activity(4, "A", PJ, None, None, None),  # unknown voortgang: left out
            Activity(5, "A", "2024-2025", "Behaald", "Uitgevoerd", "Uitgevoerd")]
    assert activiteiten_uitgevoerd(acts, PJ) == Ratio(2, 3)


def test_mt_rapportage_besproken_counts_discussed_managementrapportages():
    rows = [CalendarFact(PJ, "Managementrapportage", s) for s in (
        "Besproken volgens jaarkalender", "Te laat besproken", "Te vroeg besproken",
        "Besproken in ander overleg", "Gemist", "In bespreekperiode")]
    rows.append(CalendarFact(PJ, "Jaarplan", "Besproken volgens jaarkalender"))
    assert mt_rapportage_besproken(rows, PJ) == 3


@pytest.mark.parametrize(("count", "nulmeting", "richting", "status"), [
    (3, 2, "Neemt toe", "Behaald"),
    (1, 2, "Neemt toe", "Niet behaald"),
    (2, 2, "Neemt toe", "Nog niet meetbaar"),
    (2, None, "Neemt toe", "Nog niet meetbaar"),  # no baseline (demo I-IO-4)
    (1, 2, "Neemt af", "Behaald"),
])
def test_count_status(count, nulmeting, richting, status):
    assert count_status(count, nulmeting, richting) == status


@pytest.mark.parametrize(("raw", "value"), [("3", 3), (3.0, 3), (" 4 ", 4),
                                            ("PO 82,2%; VO 61,5%", None), ("2,5", None),
                                            (None, None), (True, None)])
def test_parse_nulmeting(raw, value):
    assert parse_nulmeting(raw) == value


@pytest.mark.parametrize(("value", "target", "status"), [
    (75.0, 75.0, "Behaald"),  # >=, not >
    (77.8, 75.0, "Behaald"),
    (74.9, 75.0, "Niet behaald"),
    (64.7, 100.0, "Niet behaald"),
    (None, 75.0, "Nog niet meetbaar"),  # empty denominator
])
def test_percentage_status(value, target, status):
    assert percentage_status(value, target) == status


@pytest.mark.parametrize(("voortgang", "richting", "status"), [
    ("Afgerond", "Aanwezig", "Behaald"),
    ("Niet afgerond", "Aanwezig", "Niet behaald"),
    ("Afgerond, niet haalbaar", "Aanwezig", "Niet behaald"),
    ("Neemt toe", "Neemt toe", "Behaald"),
    ("Neemt af", "Neemt af", "Behaald"),
    ("Neemt toe", "Neemt af", "Niet behaald"),
    ("Neemt af", "Neemt toe", "Niet behaald"),
    ("Blijft gelijk", "Neemt toe", "Nog niet meetbaar"),
    ("0-meting", "Neemt toe", "Nog niet meetbaar"),
    (None, "Neemt toe", "Nog niet meetbaar"),
    ("Neemt toe", "Aanwezig", "Nog niet meetbaar"),  # no direction to be for or against
])
def test_handmatig_table(voortgang, richting, status):
    assert handmatig_status(voortgang, richting) == status


def indicator(**kw):
    base = {"IndicatorCode": "I-1", "Title": "ind", "Doel": "D-1", "Meeteenheid": "Percentage",
            "GewensteRichting": "Streefwaarde", "Streefwaarde": "75",
            "Berekening": "PROJECTEN_BINNEN_UREN", "Nulmeting": None, "WaardeHandmatig": None,
            "VoortgangHandmatig": None, "Planjaar": PJ}
    base.update(kw)
    return base


def test_indicators_end_to_end_and_definitief():
    tables = {
        "projecten": tbl(project(ProjectCode="P-1"), project(ProjectCode="P-2",
                                                             ProjectType="Subsidieproject")),
        "jaarkalender": tbl(calendar_row(Documenttype="Managementrapportage",
                                         BesprokenOp="2026-04-10")),
        "indicatoren": tbl(
            indicator(),
            indicator(IndicatorCode="I-2", Berekening="JAARKALENDER_VOLGENS_PLAN",
                      Streefwaarde=None),
            indicator(IndicatorCode="I-3", Berekening="ACTIVITEITEN_UITGEVOERD"),
            indicator(IndicatorCode="I-4", Berekening="MT_RAPPORTAGE_BESPROKEN",
                      Nulmeting="0", GewensteRichting="Neemt toe"),
            indicator(IndicatorCode="I-5", Berekening="Handmatig", VoortgangHandmatig="stijgt",
                      WaardeHandmatig="12,5"),
            indicator(IndicatorCode="I-6", Planjaar="2024-2025")),
    }
    cols = ["BerekendeWaarde", "Teller", "Noemer", "IndicatorStatus", "Definitief"]
    ind = run(**tables).indicatoren
    assert ind.loc[1, cols].tolist() == [100.0, 1, 1, "Behaald", False]
    assert ind.loc[2, cols].tolist() == [100.0, 1, 1, "Behaald", False]  # default target 100
    assert ind.loc[3, cols].tolist() == [None, 0, 0, "Nog niet meetbaar", False]
    assert ind.loc[4, cols].tolist() == [1.0, None, None, "Behaald", False]
    assert ind.loc[5, cols].tolist() == [None, None, None, "Nog niet meetbaar", False]
    assert ind.loc[5, "Waarde"] == 12.5
    assert ind.loc[5, "Controlemelding"] == (
        "ONBEKENDE_VOORTGANG: Onbekende voortgang 'stijgt'; de regel telt niet mee in "
        "percentages.")
    assert ind.loc[6, cols].tolist() == [None, 0, 0, "Nog niet meetbaar", True]
    # Definitief flips only after the last day of the planjaar
    assert run(c=date(2026, 7, 31), **tables).indicatoren.loc[1, "Definitief"] is False
    assert run(c=date(2026, 8, 1), **tables).indicatoren.loc[1, "Definitief"] is True


def test_indicator_population_from_settings():
    tables = {"projecten": tbl(project(ProjectCode="P-1", ToegekendeUren="10"),
                               project(ProjectCode="S-1", ProjectType="Subsidieproject",
                                       ToegekendeUren="10")),
              "urenregistratie": tbl({"Project": "P-1", "Datum": "2026-03-10", "Uren": "11"}),
              "indicatoren": tbl(indicator())}
    default = run(**tables).indicatoren.loc[1]
    assert (default["Teller"], default["Noemer"], default["IndicatorStatus"]) == (
        0, 1, "Niet behaald")
    wider = run(CheckSettings(indicator_project_types=("Project", "Subsidieproject")),
                **tables).indicatoren.loc[1]
    assert (wider["Teller"], wider["Noemer"], wider["BerekendeWaarde"]) == (1, 2, 50.0)


# §5.7: every V10 value, plus the normalised spellings
@pytest.mark.parametrize(("voortgang", "cat"), [
    ("Afgerond", "Uitgevoerd"),
    ("Behaald", "Uitgevoerd"),
    ("Deels behaald", "Mee bezig"),
    ("Deels behaald, mee bezig", "Mee bezig"),
    ("Niet behaald, mee bezig", "Mee bezig"),
    ("Niet behaald", "Niet begonnen of niet haalbaar"),
    ("Afgerond, niet haalbaar", "Niet begonnen of niet haalbaar"),
    ("Nog niet gestart", "Niet begonnen of niet haalbaar"),
])
def test_categorie_table(voortgang, cat):
    assert categorie(voortgang) == cat


@pytest.mark.parametrize(("raw", "cat", "codes"), [
    ("Behaald.", "Uitgevoerd", None),
    ("Afgerond: niet haalbaar", "Niet begonnen of niet haalbaar", None),
    ("  deels   BEHAALD ", "Mee bezig", None),
    ("Klaar", None, "ONBEKENDE_VOORTGANG"),
    (None, None, "VOORTGANG_LEEG"),
])
def test_activity_rows(raw, cat, codes):
    act = {"ActiviteitCode": "A-1", "Title": "a", "Planjaar": PJ, "Voortgang": raw,
           "CategorieHandmatig": None}
    out = run(activiteiten=tbl(act)).activiteiten.loc[1]
    assert out["VoortgangCategorie"] == cat
    assert out["Meldingcodes"] == codes


def test_categorie_handmatig_overrides_in_report_only():
    act = {"ActiviteitCode": "A-1", "Title": "a", "Planjaar": PJ, "Voortgang": "Deels behaald",
           "CategorieHandmatig": "Uitgevoerd"}
    out = run(activiteiten=tbl(act)).activiteiten.loc[1]
    assert (out["VoortgangCategorie"], out["CategorieRapport"]) == ("Mee bezig", "Uitgevoerd")


# §5.8
@pytest.mark.parametrize(("statuses", "doel"), [
    (["Behaald", "Niet behaald"], "Niet op koers"),  # any negative
    (["Niet behaald", "Nog niet meetbaar"], "Niet op koers"),
    (["Behaald", "Nog niet meetbaar"], "Op koers"),  # else any positive
    (["Nog niet meetbaar"], "Nog niet meetbaar"),  # else
    ([], "Nog niet meetbaar"),  # goals without indicators
])
def test_doelstatus_table(statuses, doel):
    assert doel_status(statuses) == doel


def test_goals_use_latest_planjaar_and_handmatig_wins_in_report():
    inds = [(1, 10, "2024-2025", "Niet behaald"), (2, 10, "2025-2026", "Behaald"),
            (3, 10, "2026-2027", "Niet behaald"), (4, 11, "2024-2025", "Niet behaald"),
            (5, None, "2025-2026", "Niet behaald")]
    goals = compute_goals([10, 11, 12], [None, "Op koers", None], inds, "2025-2026")
    assert [(g.status, g.rapport, g.indicator_count) for g in goals] == [
        ("Op koers", "Op koers", 1), ("Niet op koers", "Op koers", 1),
        ("Nog niet meetbaar", "Nog niet meetbaar", 0)]
