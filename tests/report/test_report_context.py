"""The pure context builder: values, totals, grouping and Dutch formatting."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pandas as pd
import pytest
from report_factory import NAAM_MET_TEKENS, make_result

from spsync.checks.result import Finding
from spsync.report import ReportMeta, build_context, iso_week_label, planjaar_label
from spsync.report.context import (
    PROGNOSE_METHODE,
    ZONDER_HOOFDLIJN,
    fmt_datum,
    fmt_getal,
    fmt_pct,
    planjaar_einde,
    to_date,
)


def _group(ctx: dict, naam: str) -> dict:
    return next(g for g in ctx["hoofdlijnen"] if g["naam"] == naam)


@pytest.mark.parametrize(("value", "expected"), [
    (1696, "1.696,0"), (1696.0, "1.696,0"), (-22.5, "-22,5"), ("1,5", "1,5"), (0.04, "0,0"),
    (-0.04, "0,0"), (1234567.25, "1.234.567,2"), (None, "–"), (float("nan"), "–"),
    ("twee", "–"),
])
def test_fmt_getal_is_dutch(value, expected):
    assert fmt_getal(value) == expected


def test_fmt_pct_and_dates():
    assert fmt_pct(77.777) == "77,8%"
    assert fmt_pct(75, 0) == "75%"
    assert fmt_datum("2026-03-09T23:00:00Z") == "10-03-2026"  # UTC instant of Amsterdam midnight
    assert fmt_datum("2025-10-25T22:00:00Z") == "26-10-2025"  # still summer time offset
    assert fmt_datum("2026-03-10") == "10-03-2026"
    assert fmt_datum(date(2026, 5, 15)) == "15-05-2026"
    assert fmt_datum("2026-02-30") == "–"
    assert fmt_datum(None) == "–"
    assert to_date(pd.Timestamp("2026-03-09T23:00:00Z")) == date(2026, 3, 10)


def test_week_and_planjaar_labels():
    assert iso_week_label(date(2026, 5, 15)) == "2026-W20"
    assert iso_week_label(date(2027, 1, 1)) == "2026-W53"
    assert planjaar_label("2025-2026") == "schooljaar 2025-2026"
    assert planjaar_label("2025") == "kalenderjaar 2025"
    assert planjaar_einde("2025-2026") == date(2026, 7, 31)
    assert planjaar_einde("2025") == date(2025, 12, 31)


def test_meta_for_result_derives_week_and_label(result):
    meta = ReportMeta.for_result(result, "SWV", generated_at=datetime(2026, 5, 15, 7))
    assert (meta.week, meta.planjaar_label) == ("2026-W20", "schooljaar 2025-2026")
    assert meta.show_hours_per_person is False


def test_meta_labels_derived_when_not_given(result, meta):
    assert (meta.week, meta.planjaar_label) == (None, None)
    ctx = build_context(result, meta)
    assert (ctx["week"], ctx["planjaar"]) == ("2026-W20", "schooljaar 2025-2026")
    custom = build_context(result, dataclasses.replace(meta, planjaar_label="jaarplan 25/26"))
    assert custom["planjaar"] == "jaarplan 25/26"


def test_findings_argument_replaces_result_findings(result, meta):
    extra = [Finding("hoofdlijnen", None, "Hoofdlijnen", "LIJST_ONTBREEKT", "Lijst ontbreekt.")]
    dq = build_context(result, meta, extra)["datakwaliteit"]
    assert dq["aantal"] == 1
    assert dq["groepen"][0]["lijst"] == "Hoofdlijnen"


def test_header_values(result, meta):
    ctx = build_context(result, meta)
    assert ctx["titel"] == "MT-rapportage 2026-W20"
    assert ctx["controledatum"] == "15-05-2026"
    assert ctx["gegenereerd_op"] == "15-05-2026 07:30"
    assert ctx["tussenstand"] is True
    assert ctx["tussenstand_tekst"].startswith("Tussenstand per 15-05-2026")


def test_after_planjaar_is_no_tussenstand(result, meta):
    ctx = build_context(result, meta)
    assert ctx["samenvatting"]["projecten_binnen_uren"]["status_tekst"] == "Behaald (tussenstand)"
    later = build_context(result, dataclasses.replace(meta, controledatum=date(2026, 8, 1)))
    assert later["tussenstand"] is False
    assert later["samenvatting"]["projecten_binnen_uren"]["status_tekst"] == "Behaald"


def test_hoofdlijnen_in_volgorde_and_every_project_once(result, meta):
    ctx = build_context(result, meta)
    names = [g["naam"] for g in ctx["hoofdlijnen"]]
    assert names == ["Dekkend netwerk van onderwijs en ondersteuning", "Interne organisatie",
                     "Financiën", ZONDER_HOOFDLIJN]  # Subsidies has no projects: no table
    codes = [p["code"] for g in ctx["hoofdlijnen"] for p in g["projecten"]]
    assert sorted(codes) == sorted(result.projecten["ProjectCode"])
    assert [p["code"] for p in _group(ctx, ZONDER_HOOFDLIJN)["projecten"]] == [
        "P-2526-10", "P-2526-11"]


def test_totals_per_hoofdlijn(result, meta):
    ctx = build_context(result, meta)
    io = _group(ctx, "Interne organisatie")
    assert io["totaal"] == {"toegekend": "1.248,0", "geboekt": "1.140,0", "rest": "108,0",
                            "verbruik": "91,3%", "aantal": "2"}
    assert io["aantal_tekst"] == "2 projecten"
    fi = _group(ctx, "Financiën")
    assert fi["totaal"]["toegekend"] == "0,0"
    assert fi["totaal"]["verbruik"] == "–"  # no division by a zero budget
    assert fi["aantal_tekst"] == "1 project"
    dn = _group(ctx, "Dekkend netwerk van onderwijs en ondersteuning")
    p04 = next(p for p in dn["projecten"] if p["code"] == "P-2526-04")
    assert p04["naam"] == NAAM_MET_TEKENS  # raw text; escaping happens when rendering
    assert (p04["toegekend"], p04["geboekt"], p04["rest"], p04["verbruik"]) == (
        "240,0", "262,5", "-22,5", "109,4%")
    assert ctx["totaal"]["toegekend"] == "1.768,0"
    assert ctx["samenvatting"]["uren_geboekt"] == "1.620,5"


def test_headlines_come_from_indicatoren_when_present(result, meta):
    s = build_context(result, meta)["samenvatting"]
    uren = s["projecten_binnen_uren"]
    assert (uren["tekst"], uren["status"], uren["streefwaarde"], uren["bron"]) == (
        "7 / 9 = 77,8%", "Behaald", "minimaal 75%", "Indicatoren")
    kal = s["jaarkalender_volgens_plan"]
    assert (kal["tekst"], kal["status"], kal["streefwaarde"]) == (
        "11 / 17 = 64,7%", "Niet behaald", "100%")


def test_headlines_computed_without_indicatoren(meta):
    s = build_context(make_result(with_indicators=False), meta)["samenvatting"]
    uren = s["projecten_binnen_uren"]
    # type Project: P-01 risico, P-04 over, P-09 risico, P-10 and P-11 binnen -> 4 of 5
    assert (uren["teller"], uren["noemer"], uren["waarde"], uren["status"], uren["bron"]) == (
        "4", "5", "80,0%", "Behaald", "berekend")
    kal = s["jaarkalender_volgens_plan"]
    # due: 2 volgens, 1 te laat, 1 ander overleg, 2 gemist; not due and vervallen excluded
    assert (kal["tekst"], kal["status"]) == ("2 / 6 = 33,3%", "Niet behaald")


def test_status_counts_and_findings_count(result, meta):
    s = build_context(result, meta)["samenvatting"]
    uren = {r["status"]: r["aantal"] for r in s["urenstatus"]}
    assert uren == {"Binnen uren": 3, "Risico op overschrijding": 2, "Overschreden": 1,
                    "Geen uren toegekend": 1}
    kal = {r["status"]: r["aantal"] for r in s["kalenderstatus"]}
    assert (kal["Gemist"], kal["Te vroeg besproken"], kal["Vervallen"]) == (2, 0, 1)
    assert s["aantal_bevindingen"] == 3


def test_jaarkalender_tables(result, meta):
    j = build_context(result, meta)["jaarkalender"]
    assert [(r["id"], r["dagen_te_laat"], r["periode_eind"]) for r in j["gemist"]] == [
        ("14", "89", "15-02-2026"), ("19", "30", "15-04-2026")]  # most overdue first
    assert {r["status"] for r in j["afwijkend"]} == {"Te laat besproken",
                                                    "Besproken in ander overleg"}
    ander = next(r for r in j["afwijkend"] if r["id"] == "22")
    assert (ander["besproken_in"], ander["besproken_op"]) == ("Ledenraad", "16-04-2026")
    assert [r["id"] for r in j["komend"]] == ["9", "17"]


def test_datakwaliteit_grouped_in_list_order(result, meta):
    dq = build_context(result, meta)["datakwaliteit"]
    assert dq["aantal"] == 3
    assert [g["lijst"] for g in dq["groepen"]] == ["Projecten", "Urenregistratie", "Jaarkalender"]
    assert dq["groepen"][1]["bevindingen"] == [
        {"verwijzing": "ID 166", "code": "UREN_ONLEESBAAR",
         "melding": "Uren 'twee' is geen getal."}]


def test_doelen_use_report_status_and_indicator_formatting(result, meta):
    di = build_context(result, meta)["doelen_indicatoren"]
    assert di["tonen"] is True
    assert {r["status"]: r["aantal"] for r in di["doelstatus"]} == {
        "Op koers": 2, "Niet op koers": 0, "Nog niet meetbaar": 1}
    assert {r["status"]: r["aantal"] for r in di["activiteiten"]}["(leeg)"] == 1
    rows = {r["code"]: r for r in di["indicatoren"]}
    assert (rows["I-IO-2"]["waarde"], rows["I-IO-2"]["teller_noemer"],
            rows["I-IO-2"]["streefwaarde"]) == ("77,8%", "7 / 9", "75%")
    assert (rows["I-IO-6"]["waarde"], rows["I-IO-6"]["teller_noemer"]) == ("1.450", "–")


def test_no_hours_per_person_by_default(result, meta):
    ctx = build_context(result, meta)
    assert ctx["toon_uren_per_persoon"] is False
    assert ctx["uren_per_persoon"] == []
    assert "Jeroen Jansen" not in repr(ctx)


def test_hours_per_person_aggregated_when_enabled(result, meta):
    ctx = build_context(result, dataclasses.replace(meta, show_hours_per_person=True))
    assert ctx["uren_per_persoon"] == [
        {"medewerker": "beleidsmedewerker 1", "project": "P-2526-01", "uren": "12,5"},
        {"medewerker": "Jeroen Jansen", "project": "P-2526-04", "uren": "6,0"},
    ]  # the invalid booking of "Foutje Persoon" does not count


def test_prognose_hidden_without_forecast_columns(result, meta):
    assert build_context(result, meta)["prognose"]["tonen"] is False


def test_prognose_lists_running_overruns(result, meta):
    p = result.projecten
    p["PrognoseUren"] = [210.0, 300.0, 1250.0, 45.0, None, 20.0, 5.0]
    p["PrognoseOverschrijding"] = [True, True, True, False, False, False, False]
    p["PrognoseOverschrijdingDatum"] = [date(2026, 6, 20), None, "2026-07-01", None, None, None,
                                        None]
    p.loc[p["ProjectCode"] == "P-2526-04", "Projectstatus"] = "Afgerond"  # no longer running
    prognose = build_context(result, meta)["prognose"]
    assert prognose["tonen"] is True
    assert prognose["methode"] == PROGNOSE_METHODE
    assert [(r["code"], r["prognose"], r["overschrijding"], r["datum"])
            for r in prognose["projecten"]] == [
        ("P-2526-01", "210,0", "10,0", "20-06-2026"),
        ("P-2526-09", "1.250,0", "50,0", "01-07-2026"),
    ]


def test_missing_optional_columns_and_lists_do_not_crash(meta):
    res = make_result(findings=False)
    res.projecten = res.projecten.drop(columns=[
        "Hoofdlijn", "RestUren", "VerbruikPct", "BudgetStatus", "GeboekteUren", "Eigenaar",
        "Projectstatus", "ProjectType"])
    res.jaarkalender = res.jaarkalender.drop(columns=["DagenTeLaat", "Eigenaar", "BesprokenIn"])
    res.hoofdlijnen = pd.DataFrame()
    res.urenregistratie = None  # a list missing on the site
    res.doelen = pd.DataFrame()
    res.activiteiten = pd.DataFrame()
    res.indicatoren = pd.DataFrame()
    ctx = build_context(res, dataclasses.replace(meta, show_hours_per_person=True))
    assert [g["naam"] for g in ctx["hoofdlijnen"]] == [ZONDER_HOOFDLIJN]
    assert len(ctx["hoofdlijnen"][0]["projecten"]) == len(res.projecten)
    assert ctx["hoofdlijnen"][0]["projecten"][0]["geboekt"] == "–"
    assert ctx["jaarkalender"]["gemist"][0]["dagen_te_laat"] == "–"
    assert ctx["doelen_indicatoren"]["tonen"] is False
    assert ctx["uren_per_persoon"] == []
    assert ctx["datakwaliteit"] == {"aantal": 0, "groepen": []}
    assert ctx["samenvatting"]["projecten_binnen_uren"]["tekst"] == "nog niet meetbaar"
