"""The pure context builder: values, totals, grouping and Dutch formatting, on run_checks output."""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import pytest
from report_factory import NAAM_MET_TEKENS, make_result, make_tables

from spsync.checks import ADDED_COLUMNS, CheckSettings, run_checks
from spsync.checks.result import Finding
from spsync.report import build_context, iso_week_label, planjaar_label
from spsync.report.formatting import compact, datum, day, getal, pct, status_counts
from spsync.report.meta import planjaar_einde
from spsync.report.projects import PROGNOSE_METHODE, ZONDER_HOOFDLIJN


def _group(ctx: dict, naam: str) -> dict:
    return next(g for g in ctx["hoofdlijnen"] if g["naam"] == naam)


def _without_helpers(result):
    """The same result as a hand-built one would be: Daemon columns only, no report helpers."""
    out = dataclasses.replace(result)
    for key, (_daemon, helpers) in ADDED_COLUMNS.items():
        frame = getattr(result, key)
        setattr(out, key, frame.drop(columns=[c for c in helpers if c in frame.columns]))
    return out


@pytest.mark.parametrize(("value", "expected"), [
    (1696, "1.696,0"), (1696.0, "1.696,0"), (-22.5, "-22,5"), ("1,5", "1,5"), (0.04, "0,0"),
    (-0.04, "0,0"), (1234567.25, "1.234.567,3"), (0.05, "0,1"), (None, "–"),
    (float("nan"), "–"), ("twee", "–"), (True, "–"),
])
def test_getal_is_dutch_and_rounds_half_up(value, expected):
    assert getal(value) == expected


def test_pct_compact_and_dates():
    assert pct(77.777) == "77,8%"
    assert pct(75, 0) == "75%"
    assert (compact(75.0), compact("3,5"), compact(1450), compact(None)) == (
        "75", "3,5", "1.450", "–")
    assert datum("2026-03-09T23:00:00Z") == "10-03-2026"  # UTC instant of Amsterdam midnight
    assert datum("2025-10-25T22:00:00Z") == "26-10-2025"  # still summer time offset
    assert datum("2026-03-10") == "10-03-2026"
    assert datum(date(2026, 5, 15)) == "15-05-2026"
    assert datum("2026-02-30") == "–"
    assert datum(None) == "–"
    assert day(pd.Timestamp("2026-03-09T23:00:00Z")) == date(2026, 3, 10)


def test_status_counts_keep_unknown_values_and_can_drop_zeros():
    counts = status_counts(["b", "", "x", "b"], ("a", "b"))
    assert counts == [{"status": "a", "aantal": 0}, {"status": "b", "aantal": 2},
                      {"status": "(leeg)", "aantal": 1}, {"status": "x", "aantal": 1}]
    assert [c["status"] for c in status_counts(["b"], ("a", "b"), zeros=False)] == ["b"]


def test_week_and_planjaar_labels():
    assert iso_week_label(date(2026, 5, 15)) == "2026-W20"
    assert iso_week_label(date(2027, 1, 1)) == "2026-W53"
    assert planjaar_label("2025-2026") == "schooljaar 2025-2026"
    assert planjaar_label("2025") == "kalenderjaar 2025"
    assert planjaar_label("") == "planjaar onbekend"
    assert planjaar_einde("2025-2026") == date(2026, 7, 31)
    assert planjaar_einde("2025") == date(2025, 12, 31)
    assert planjaar_einde("2025-2027") is None


def test_meta_labels_derived_when_not_given(result, meta):
    assert (meta.week, meta.planjaar_label) == (None, None)
    ctx = build_context(result, meta)
    assert (ctx["week"], ctx["planjaar"]) == ("2026-W20", "schooljaar 2025-2026")
    custom = build_context(result, dataclasses.replace(meta, planjaar_label="jaarplan 25/26"))
    assert custom["planjaar"] == "jaarplan 25/26"


def test_findings_argument_replaces_result_findings(result, meta):
    extra = [Finding("hoofdlijnen", None, "Hoofdlijnen", "LIJST_ONTBREEKT", "Lijst ontbreekt.")]
    dq = build_context(result, meta, extra)["datakwaliteit"]
    assert (dq["aantal"], dq["aantal_tekst"]) == (1, "1 bevinding")
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
    assert later["tussenstand_tekst"] == "Eindstand schooljaar 2025-2026."
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
    assert (fi["totaal"]["toegekend"], fi["totaal"]["verbruik"]) == ("0,0", "–")  # no x/0
    assert fi["aantal_tekst"] == "1 project"
    assert fi["projecten"][0]["toegekend"] == "–"  # not "0,0": nothing was allotted
    dn = _group(ctx, "Dekkend netwerk van onderwijs en ondersteuning")
    p04 = next(p for p in dn["projecten"] if p["code"] == "P-2526-04")
    assert p04["naam"] == NAAM_MET_TEKENS  # raw text; escaping happens when rendering
    assert (p04["toegekend"], p04["geboekt"], p04["rest"], p04["verbruik"], p04["status"]) == (
        "240,0", "262,5", "-22,5", "109,4%", "Overschreden")
    sub = next(p for p in io["projecten"] if p["code"] == "SUB-2526-01")
    assert sub["status"] == "Binnen uren, budget overschreden"
    assert ctx["totaal"]["toegekend"] == "1.768,0"
    assert ctx["samenvatting"]["uren_geboekt"] == "1.620,5"
    assert ctx["samenvatting"]["uren_zin"] == (
        "Geboekt: 1.620,5 van de 1.768,0 toegekende uren (91,7%) over 7 projecten en "
        "activiteiten; er resteert 147,5 uur.")


def test_overview_per_hoofdlijn_matches_checks_helper(result, meta):
    from spsync.checks import hours_per_hoofdlijn

    per = {h["naam"]: h for h in build_context(result, meta)["samenvatting"]["per_hoofdlijn"]}
    checks = hours_per_hoofdlijn(result)
    for naam, toegekend, geboekt in zip(checks["Hoofdlijn"], checks["Toegekend"],
                                        checks["Geboekt"]):
        if naam in per:  # the report pools unknown hoofdlijnen into one group
            assert (per[naam]["toegekend"], per[naam]["geboekt"]) == (
                getal(toegekend), getal(geboekt))
    assert set(per) - set(checks["Hoofdlijn"]) == {ZONDER_HOOFDLIJN}


def test_headlines_come_from_indicatoren_when_present(result, meta):
    s = build_context(result, meta)["samenvatting"]
    uren = s["projecten_binnen_uren"]
    # type Project: P-01 risico, P-04 over, P-09 risico, P-10 and P-11 binnen -> 4 of 5
    assert (uren["tekst"], uren["teller_noemer"], uren["status"], uren["streefwaarde"],
            uren["bron"]) == ("4 / 5 = 80,0%", "4 van 5", "Behaald", "minimaal 75%",
                              "Indicatoren")
    kal = s["jaarkalender_volgens_plan"]
    # due: 2 volgens, 1 te laat, 1 ander overleg, 2 gemist; not due, vervallen, onvolledig out
    assert (kal["tekst"], kal["status"], kal["streefwaarde"]) == (
        "2 / 6 = 33,3%", "Niet behaald", "100%")


def test_headlines_computed_without_indicatoren(meta):
    s = build_context(make_result(with_indicators=False), meta)["samenvatting"]
    uren = s["projecten_binnen_uren"]
    assert (uren["teller"], uren["noemer"], uren["waarde"], uren["status"], uren["bron"]) == (
        "4", "5", "80,0%", "Behaald", "berekend")
    kal = s["jaarkalender_volgens_plan"]
    assert (kal["tekst"], kal["status"], kal["bron"]) == ("2 / 6 = 33,3%", "Niet behaald",
                                                          "berekend")


def test_status_counts_and_findings_count(result, meta):
    s = build_context(result, meta)["samenvatting"]
    uren = {r["status"]: r["aantal"] for r in s["urenstatus"]}
    assert uren == {"Binnen uren": 3, "Risico op overschrijding": 2, "Overschreden": 1,
                    "Geen uren toegekend": 1}
    kal = [(r["status"], r["aantal"]) for r in s["kalenderstatus"]]
    assert kal == [("Besproken volgens jaarkalender", 2), ("Te laat besproken", 1),
                   ("Besproken in ander overleg", 1), ("Gemist", 2), ("In bespreekperiode", 1),
                   ("Binnenkort", 1), ("Vervallen", 1), ("Onvolledig", 1)]  # zeros left out
    assert s["aantal_bevindingen"] == 6
    assert s["bevindingen_zin"] == (
        "Datakwaliteit: 6 bevindingen (Projecten 3, Urenregistratie 1, Jaarkalender 1, "
        "Activiteiten 1); zie het hoofdstuk Datakwaliteit.")


def test_jaarkalender_tables(result, meta):
    j = build_context(result, meta)["jaarkalender"]
    assert [(r["id"], r["dagen_te_laat"], r["periode_eind"]) for r in j["gemist"]] == [
        ("14", "89", "15-02-2026"), ("19", "30", "15-04-2026")]  # most overdue first
    assert [(r["id"], r["status"]) for r in j["afwijkend"]] == [
        ("6", "Te laat besproken"), ("22", "Besproken in ander overleg")]
    ander = next(r for r in j["afwijkend"] if r["id"] == "22")
    assert (ander["besproken_in"], ander["besproken_op"]) == ("Ledenraad", "16-04-2026")
    assert [r["id"] for r in j["komend"]] == ["9", "17"]


def test_datakwaliteit_grouped_in_list_order(result, meta):
    dq = build_context(result, meta)["datakwaliteit"]
    assert dq["aantal"] == 6
    assert [g["kop"] for g in dq["groepen"]] == [
        "Projecten (3)", "Urenregistratie (1)", "Jaarkalender (1)", "Activiteiten (1)"]
    assert [b["verwijzing"] for b in dq["groepen"][0]["bevindingen"]] == [
        "P-2526-10", "P-2526-11", "S-2526-05"]  # by item ID
    assert dq["groepen"][1]["bevindingen"] == [
        {"verwijzing": "ID 166", "code": "UREN_ONLEESBAAR",
         "melding": "Uren '2 & <3> 'uur'' is geen getal."}]


def test_doelen_use_report_status_and_indicator_formatting(result, meta):
    di = build_context(result, meta)["doelen_indicatoren"]
    assert di["tonen"] is True
    # D-IO-2 is derived "Niet op koers", but its handmatige status "Op koers" wins
    assert {r["status"]: r["aantal"] for r in di["doelstatus"]} == {
        "Op koers": 2, "Niet op koers": 0, "Nog niet meetbaar": 1}
    assert di["doelen_niet_op_koers"] == []
    assert {r["status"]: r["aantal"] for r in di["activiteiten"]} == {
        "Uitgevoerd": 1, "Mee bezig": 1, "Niet begonnen of niet haalbaar": 0,
        "Zonder geldige voortgang": 1}
    rows = {r["code"]: r for r in di["indicatoren"]}
    assert (rows["I-IO-2"]["waarde"], rows["I-IO-2"]["toelichting"],
            rows["I-IO-2"]["streefwaarde"]) == ("80,0%", "4 van 5", "75%")
    assert (rows["I-IO-6"]["waarde"], rows["I-IO-6"]["teller_noemer"],
            rows["I-IO-6"]["streefwaarde"], rows["I-IO-6"]["toelichting"]) == (
        "1.450", "–", "neemt toe", "Neemt toe")


def test_no_hours_per_person_by_default(result, meta):
    ctx = build_context(result, meta)
    assert ctx["toon_uren_per_persoon"] is False
    assert ctx["uren_per_persoon"] == []
    assert "Jeroen Jansen" not in repr(ctx)


def test_hours_per_person_aggregated_when_enabled(result, meta):
    ctx = build_context(result, dataclasses.replace(meta, show_hours_per_person=True))
    assert ctx["uren_per_persoon"][:2] == [
        {"medewerker": "beleidsmedewerker 1", "project": "P-2526-01", "uren": "184,0"},
        {"medewerker": "Jeroen Jansen", "project": "P-2526-04", "uren": "262,5"},
    ]
    assert len(ctx["uren_per_persoon"]) == 7
    assert "Foutje Persoon" not in repr(ctx)  # the invalid booking does not count


def test_prognose_lists_running_overruns(meta):
    tables = make_tables()
    p = tables.projecten
    p.loc[p["ProjectCode"] == "P-2526-10", "Projectstatus"] = "Afgerond"
    p.loc[p["ProjectCode"] == "P-2526-01", "Projectstatus"] = "Afgerond"  # no longer running
    result = run_checks(tables, CheckSettings(), meta.controledatum)
    prognose = build_context(result, meta)["prognose"]
    assert prognose["tonen"] is True
    assert prognose["methode"] == PROGNOSE_METHODE
    assert [(r["code"], r["prognose"], r["overschrijding"], r["datum"])
            for r in prognose["projecten"]] == [
        ("P-2526-04", "323,5", "83,5", "al overschreden"),
        ("P-2526-09", "1.356,3", "156,3", "09-06-2026"),
        ("SUB-2526-01", "48,7", "0,7", "13-07-2026"),
    ]


def test_prognose_hidden_without_forecast_columns(result, meta):
    assert build_context(_without_helpers(result), meta)["prognose"]["tonen"] is False


def test_same_report_without_helper_columns(result, meta):
    """A hand-built result (raw staff columns only) reads the same as run_checks output."""
    full, bare = build_context(result, meta), build_context(_without_helpers(result), meta)
    for section in ("hoofdlijnen", "totaal", "jaarkalender", "doelen_indicatoren",
                    "datakwaliteit"):
        assert bare[section] == full[section], section
    assert bare["samenvatting"]["kerncijfers"] == full["samenvatting"]["kerncijfers"]
    with_persons = dataclasses.replace(meta, show_hours_per_person=True)
    assert build_context(_without_helpers(result), with_persons)["uren_per_persoon"] == \
        build_context(result, with_persons)["uren_per_persoon"]


def test_missing_optional_columns_and_lists_do_not_crash(meta):
    res = _without_helpers(make_result(bad_rows=False))
    res.projecten = res.projecten.drop(columns=[
        "Hoofdlijn", "RestUren", "VerbruikPct", "BudgetStatus", "GeboekteUren", "Eigenaar",
        "Projectstatus", "ProjectType"])
    res.jaarkalender = res.jaarkalender.drop(columns=["DagenTeLaat", "Eigenaar", "BesprokenIn"])
    res.hoofdlijnen = pd.DataFrame()
    res.urenregistratie = None  # a list missing on the site
    res.doelen = pd.DataFrame()
    res.activiteiten = pd.DataFrame()
    res.indicatoren = pd.DataFrame()
    res.findings = []
    ctx = build_context(res, dataclasses.replace(meta, show_hours_per_person=True))
    assert [g["naam"] for g in ctx["hoofdlijnen"]] == [ZONDER_HOOFDLIJN]
    assert len(ctx["hoofdlijnen"][0]["projecten"]) == len(res.projecten)
    assert ctx["hoofdlijnen"][0]["projecten"][0]["geboekt"] == "–"
    assert ctx["jaarkalender"]["gemist"][0]["dagen_te_laat"] == "–"
    assert ctx["doelen_indicatoren"]["tonen"] is False
    assert ctx["uren_per_persoon"] == []
    assert ctx["datakwaliteit"]["aantal"] == 0 and ctx["datakwaliteit"]["groepen"] == []
    assert ctx["samenvatting"]["projecten_binnen_uren"]["tekst"] == "nog niet meetbaar"


def test_forecast_line_names_the_configured_method():
    from datetime import date

    from spsync.report import ReportMeta, build_context
    from tests.report.report_factory import demo_result

    result = demo_result()
    for method, words in (("linear", "kalenderdagen"), ("workdays", "werkdagen (ma-vr)")):
        meta = ReportMeta(organisation="X", controledatum=date(2026, 5, 15),
                          forecast_method=method)
        assert words in build_context(result, meta)["prognose"]["methode"]
