"""The pure context builder on run_checks output: one source of truth, one planjaar rule,
Dutch formatting, "Wat vraagt aandacht", trend and the human names in Datakwaliteit."""

from __future__ import annotations

import csv
import dataclasses
from datetime import date, datetime
from pathlib import Path

import pytest
from report_factory import NAAM_MET_TEKENS, demo_result, make_tables

from spsync.checks import CheckSettings, run_checks
from spsync.checks.records import ProjectResult, parse_link
from spsync.report import ReportMeta, build_context, iso_week_label, planjaar_label
from spsync.report.formatting import datum, datum_lang, euro, getal, kort, pct, schoon
from spsync.report.history import PreviousFigures, PreviousIndicator, SentAlert
from spsync.report.projects import ZONDER_HOOFDLIJN, prognose_tekst

EXPECTED = Path(__file__).resolve().parents[2] / "src" / "spsync" / "demo_data" / "expected"
SITE = "http://127.0.0.1:9/sites/swv"


def _ctx(result, meta, **kw):
    return build_context(result, meta, with_charts=False, **kw)


def _group(ctx: dict, naam: str) -> dict:
    return next(g for g in ctx["hoofdlijnen"] if g["naam"] == naam)


@pytest.fixture(scope="module")
def demo():
    return demo_result()


@pytest.fixture
def demo_meta(demo):
    return ReportMeta(organisation="Passend Onderwijs Almere (demo)",
                      controledatum=demo.controledatum, site_url=SITE,
                      generated_at=datetime(2026, 5, 15, 7, 30))


@pytest.mark.parametrize(("value", "expected"), [
    (1696, "1.696,0"), (-22.5, "-22,5"), ("1,5", "1,5"), (0.05, "0,1"), (-0.04, "0,0"),
    (1234567.25, "1.234.567,3"), (None, "–"), (float("nan"), "–"), ("twee", "–"), (True, "–"),
])
def test_getal_is_dutch_through_babel_and_rounds_half_up(value, expected):
    assert getal(value) == expected


def test_money_dates_and_percentages():
    assert euro(47250) == "€ 47.250"
    assert euro(1234.5) == "€ 1.234,50"
    assert euro(None) == "–"
    assert pct(77.777) == "77,8%"
    assert datum("2026-03-09T23:00:00Z") == "10-03-2026"  # UTC instant of Amsterdam midnight
    assert datum(date(2026, 5, 15)) == "15-05-2026"
    assert datum_lang(date(2026, 5, 15)) == "15 mei 2026"
    assert datum("2026-02-30") == "–"


def test_display_text_drops_bidi_and_controls_and_shortens():
    evil = "abc\u202edef\u2066x\u2069\u200e\u200f\nregel\x00twee"
    assert schoon(evil) == "abcdefx regel twee"
    long = "x" * 10_000
    assert kort(long) == "x" * 159 + "…"
    assert len(kort(long, 40)) == 40


def test_iso_week_labels_include_week_53():
    assert iso_week_label(date(2026, 5, 15)) == "2026-W20"
    assert iso_week_label(date(2026, 12, 31)) == "2026-W53"
    assert iso_week_label(date(2027, 1, 3)) == "2026-W53"
    assert iso_week_label(date(2027, 1, 4)) == "2027-W01"
    assert planjaar_label("2025") == "kalenderjaar 2025"


def test_records_carry_the_decisions_with_int_ids(demo):
    p04 = next(p for p in demo.records.projects if p.code == "P-2526-04")
    assert isinstance(p04, ProjectResult)
    assert (p04.item_id, p04.toegekend, p04.geboekt, p04.rest, p04.verbruik_pct,
            p04.uren_status, p04.owner) == (4, 240.0, 262.5, -22.5, 109.4, "Overschreden",
                                            "coördinator onderwijs-jeugdhulp")
    sub = next(p for p in demo.records.projects if p.code == "SUB-2526-01")
    assert (sub.begroot, sub.werkelijk, sub.budget_status, sub.budget_pct) == (
        45000.0, 47250.0, "Overschreden", 105.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p04.geboekt = 0  # type: ignore[misc]
    b204 = next(b for b in demo.records.bookings if b.item_id == 204)
    assert (b204.valid, b204.codes, b204.project_lookup_id) == (False, ("PROJECT_ONBEKEND",),
                                                                1018)
    assert all(type(b.item_id) is int for b in demo.records.bookings)


def test_dangling_lookup_prints_an_integer_item_number():
    tables = make_tables()
    frame = tables.urenregistratie
    frame["ProjectId"] = [1.0] * len(frame)  # SharePoint sends lookup ids; pandas makes floats
    frame.loc[frame.index[0], "ProjectId"] = 1034.0
    frame.loc[frame.index[0], "Project"] = None
    result = run_checks(tables, CheckSettings(), date(2026, 5, 15))
    messages = [f.message for f in result.findings if f.code == "PROJECT_ONBEKEND"]
    assert messages == ["Project (item 1034) bestaat niet (meer) in de lijst Projecten."]


def test_every_demo_project_in_its_hoofdlijn_with_the_expected_numbers(demo, demo_meta):
    ctx = _ctx(demo, demo_meta)
    rows = {p["code"]: p for g in ctx["hoofdlijnen"] for p in g["projecten"]}
    hoofdlijn_of = {p["code"]: g["naam"] for g in ctx["hoofdlijnen"] for p in g["projecten"]}
    projecten = {p.code: p for p in demo.records.projects}
    with (EXPECTED / "projecten_status.csv").open(encoding="utf-8") as fh:
        expected = list(csv.DictReader(fh))
    assert set(rows) == {e["ProjectCode"] for e in expected}
    for e in expected:
        row = rows[e["ProjectCode"]]
        assert hoofdlijn_of[e["ProjectCode"]] == projecten[e["ProjectCode"]].hoofdlijn
        assert row["toegekend"] == (getal(float(e["ToegekendeUren"])) if e["ToegekendeUren"]
                                    else "–")
        assert row["geboekt"] == getal(float(e["GeboekteUren"]))
        assert row["rest"] == (getal(float(e["RestUren"])) if e["RestUren"] else "–")
        assert row["verbruik"] == (pct(float(e["VerbruikPct"])) if e["VerbruikPct"] else "–")
        assert row["urenstatus"] == e["UrenStatus"]
        assert row["budgetstatus"] == e["BudgetStatus"]
    per = {h["naam"]: (h["toegekend"], h["geboekt"]) for h in
           ctx["samenvatting"]["per_hoofdlijn"]}
    assert per["Extra ondersteuning voor groepen kinderen en jongeren"] == ("240,0", "262,5")
    assert per["Financiën"] == ("0,0", "21,0")
    assert (ctx["totaal"]["toegekend"], ctx["totaal"]["geboekt"]) == ("1.912,0", "1.696,0")


def test_money_and_forecast_in_plain_dutch(demo, demo_meta):
    rows = {p["code"]: p for g in _ctx(demo, demo_meta)["hoofdlijnen"] for p in g["projecten"]}
    assert rows["SUB-2526-01"]["budget"] == "€ 47.250 van € 45.000 (105,0%)"
    assert rows["SUB-2526-01"]["status"] == "Binnen uren; budget (€) overschreden"
    assert rows["P-2526-08"]["budget"] == "budget p.m."
    assert rows["P-2526-04"]["prognose"] == "al overschreden"
    assert rows["P-2526-09"]["prognose"] == "alle uren gebruikt"  # never a bare "nu op"
    assert rows["P-2526-01"]["prognose"].startswith("op ") and \
        rows["P-2526-01"]["prognose"].endswith(" op")
    assert all("nu op" not in r["prognose"] for r in rows.values())
    p01 = next(p for p in demo.records.projects if p.code == "P-2526-01")
    assert prognose_tekst(p01) == f"op {datum(p01.prognose_datum)} op"


def test_wat_vraagt_aandacht_names_what_the_mt_must_act_on(demo, demo_meta):
    a = _ctx(demo, demo_meta)["aandacht"]
    by_kind: dict[str, list[str]] = {}
    for p in a["punten"]:
        by_kind.setdefault(p["soort"], []).append(p["wat"].split()[0])
    assert sorted(by_kind["Uren overschreden"]) == ["P-2526-04", "P-2526-08", "S-2526-04",
                                                    "SUB-2526-02"]
    assert by_kind["Budget (€) overschreden"] == ["SUB-2526-01"]
    assert sorted(by_kind["Uren bijna op"]) == ["P-2526-01", "P-2526-09"]
    gemist = [p for p in a["punten"] if p["soort"] == "Document gemist"]
    assert [p["link"].url for p in gemist] == [
        f"{SITE}/Lists/Jaarkalender/DispForm.aspx?ID=14",
        f"{SITE}/Lists/Jaarkalender/DispForm.aspx?ID=19"]
    assert gemist[0]["eigenaar"] == "teamleider toeleiding"
    assert "89 dagen" in gemist[0]["cijfer"]
    sub = next(p for p in a["punten"] if p["soort"] == "Budget (€) overschreden")
    assert sub["cijfer"] == "€ 47.250 uitgegeven van € 45.000 (105,0%)"
    assert sub["link"].url == f"{SITE}/Lists/Projecten/DispForm.aspx?ID=15"
    assert a["aantal"] == 12 and a["meer"] == 0


def test_list_titles_from_config_shape_the_links(demo, demo_meta):
    meta = dataclasses.replace(demo_meta, list_titles={"projecten": "Projecten 2025 & verder"})
    a = _ctx(demo, meta)["aandacht"]
    link = next(p for p in a["punten"] if p["wat"].startswith("P-2526-04"))["link"]
    assert link.url == f"{SITE}/Lists/Projecten%202025%20%26%20verder/DispForm.aspx?ID=4"


def test_kerncijfers_are_the_computed_indicators_of_the_planjaar(demo, demo_meta):
    kern = {k["code"]: k for k in _ctx(demo, demo_meta)["kerncijfers"]}
    assert set(kern) == {"I-IO-1", "I-IO-2", "I-IO-3", "I-IO-4"}
    assert (kern["I-IO-2"]["waarde"], kern["I-IO-2"]["teller_noemer"],
            kern["I-IO-2"]["status_tekst"]) == ("77,8%", "7 van 9", "Behaald (tussenstand)")
    assert (kern["I-IO-3"]["waarde"], kern["I-IO-3"]["status"]) == ("64,7%", "Niet behaald")
    assert kern["I-IO-4"]["status"] == "Nog niet meetbaar"
    assert all(k["verandering"] == "" for k in kern.values())  # no previous run


def test_change_since_previous_run(demo, demo_meta):
    previous = PreviousFigures(
        indicators={"I-IO-2": PreviousIndicator(72.2, 13, 18, "Niet behaald", "x"),
                    "I-IO-3": PreviousIndicator(70.0, 7, 10, "Niet behaald", "y"),
                    "I-IO-4": PreviousIndicator(2.0)},
        project_hours={"P-2526-04": 250.0}, controledatum=date(2026, 5, 8))
    ctx = _ctx(demo, demo_meta, previous=previous)
    kern = {k["code"]: k for k in ctx["kerncijfers"]}
    assert kern["I-IO-2"]["verandering"] == "▲ van 72,2%"
    assert kern["I-IO-3"]["verandering"] == "▼ van 70,0%"
    assert kern["I-IO-4"]["verandering"] == "= gelijk (2)"
    assert kern["I-IO-1"]["verandering"] == "nieuw"
    assert "08-05-2026" in ctx["kerncijfers_vorige_tekst"]
    rows = {p["code"]: p for g in ctx["hoofdlijnen"] for p in g["projecten"]}
    assert rows["P-2526-04"]["geboekt_vorige"] == "▲ van 250,0"


def test_one_planjaar_rule_for_header_and_key_figures(demo, demo_meta):
    """A run in December on lists that hold only 2025-2026 reports on 2025-2026, definitively,
    in the header and the key figures alike (never "schooljaar 2026-2027" beside
    "definitief, 2025-2026")."""
    later = run_checks(_demo_tables(), CheckSettings(), date(2026, 12, 2))
    assert later.planjaar == "2026-2027"
    ctx = _ctx(later, dataclasses.replace(demo_meta, controledatum=date(2026, 12, 2)))
    assert ctx["planjaar"] == "schooljaar 2025-2026"
    assert ctx["stand"] == "definitief" and ctx["definitief"] is True
    assert ctx["stand_tekst"].startswith("Definitieve cijfers")
    assert {k["status_tekst"].split("(")[1] for k in ctx["kerncijfers"]} == {"definitief)"}
    now = _ctx(demo, demo_meta)
    assert (now["planjaar"], now["stand"]) == ("schooljaar 2025-2026", "tussenstand")


def _demo_tables():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "_csvframes", Path(__file__).resolve().parents[1] / "checks" / "csvframes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.demo_tables_sharepoint()


def test_jaarkalender_sections_with_links_and_planned_meeting(demo, demo_meta):
    j = _ctx(demo, demo_meta)["jaarkalender"]
    assert [r["id"] for r in j["gemist"]] == ["14", "19"]  # most overdue first
    assert {r["id"] for r in j["afwijkend"]} == {"6", "8", "21", "22"}
    assert {r["id"] for r in j["bespreekperiode"]} == {"9", "12"}
    assert "17" in {r["id"] for r in j["komend"]}
    assert all(r["link"].url.endswith(f"DispForm.aspx?ID={r['id']}") for r in j["gemist"])


def test_document_link_is_used_when_set(meta):
    tables = make_tables()
    kal = tables.jaarkalender
    kal["DocumentLink"] = [None] * len(kal)
    kal.loc[kal["ID"] == 14, "DocumentLink"] = [
        {"Url": "https://x.example/doc?a=1&b=2", "Description": "Rapportage"}]
    kal.loc[kal["ID"] == 19, "DocumentLink"] = "javascript:alert(1), klik"
    result = run_checks(tables, CheckSettings(), meta.controledatum)
    gemist = {r["id"]: r for r in _ctx(result, meta)["jaarkalender"]["gemist"]}
    assert gemist["14"]["link"].url == "https://x.example/doc?a=1&b=2"
    assert gemist["14"]["link_naar"] == "document"
    assert gemist["19"]["link"].url is None  # no site URL, and javascript: is never a link
    assert parse_link("https://a.example/x, Omschrijving").description == "Omschrijving"


def test_datakwaliteit_names_bookings_by_date_person_project_and_title(demo, demo_meta):
    dq = _ctx(demo, demo_meta)["datakwaliteit"]
    uren = next(g for g in dq["groepen"] if g["lijst"] == "Urenregistratie")
    by_code = {b["code"]: b for b in uren["bevindingen"]}
    dangling = by_code["PROJECT_ONBEKEND"]["verwijzing"]
    assert dangling.startswith("Boeking van 11-02-2026, beleidsmedewerker 1, project (item 1018")
    assert "'Voorbereiding Jeugdplan 0-27'" in dangling
    assert "ID 204" not in dangling and "1018.0" not in dangling
    assert by_code["UREN_NEGATIEF"]["verwijzing"].startswith(
        "Boeking van 05-11-2025, beleidsmedewerker 2, project P-2526-02")
    assert by_code["UREN_NEGATIEF"]["link"].url.endswith("/Lists/Urenregistratie/DispForm.aspx?ID=89")
    assert all(b["melding"][0].isupper() for g in dq["groepen"] for b in g["bevindingen"])


def test_hoofdlijnen_in_volgorde_and_projects_without_one_last(result, meta):
    ctx = _ctx(result, meta)
    names = [g["naam"] for g in ctx["hoofdlijnen"]]
    assert names == ["Dekkend netwerk van onderwijs en ondersteuning", "Interne organisatie",
                     "Financiën", ZONDER_HOOFDLIJN]
    dn = _group(ctx, "Dekkend netwerk van onderwijs en ondersteuning")
    p04 = next(p for p in dn["projecten"] if p["code"] == "P-2526-04")
    assert p04["naam"] == NAAM_MET_TEKENS  # raw text; escaping happens when rendering
    fi = _group(ctx, "Financiën")
    assert (fi["totaal"]["toegekend"], fi["totaal"]["verbruik"]) == ("0,0", "–")  # no x/0


def test_no_hours_per_person_by_default(result, meta):
    ctx = _ctx(result, meta)
    assert ctx["uren_per_persoon"] == []
    assert "Jeroen Jansen" not in repr({k: v for k, v in ctx.items() if k != "datakwaliteit"})
    shown = _ctx(result, dataclasses.replace(meta, show_hours_per_person=True))
    assert {"medewerker": "Jeroen Jansen", "project": "P-2526-04", "uren": "262,5"} in \
        shown["uren_per_persoon"]


def test_alerts_sent_this_week(result, meta):
    assert _ctx(result, meta)["signalen"]["tekst"] == "Deze week zijn geen signalen verstuurd."
    sent = [SentAlert(datetime(2026, 5, 15, 7, 5), "Gemist", "MT", "J14",
                      "Voortgangsrapportage dekkend netwerk"),
            SentAlert(datetime(2026, 5, 14, 7, 5), "Uren overschreden",
                      "coördinator onderwijs-jeugdhulp", "P-2526-04", "Samenwerking")]
    s = _ctx(result, meta, alerts_sent=sent)["signalen"]
    assert s["tekst"] == "Deze week zijn 2 signalen verstuurd."
    assert [r["over"] for r in s["rijen"]] == ["P-2526-04 Samenwerking",
                                               "J14 Voortgangsrapportage dekkend netwerk"]
    assert s["rijen"][0]["verstuurd"] == "14 mei 2026, 07:05"


def test_colofon_and_header(result, meta):
    ctx = _ctx(result, dataclasses.replace(meta, run_id="run-42", site_url=SITE))
    assert ctx["titel"] == "MT-rapportage 2026-W20"
    assert ctx["week_tekst"] == "week 20 van 2026 (11-05-2026 t/m 17-05-2026)"
    assert ctx["controledatum_lang"] == "15 mei 2026"
    c = ctx["colofon"]
    assert (c["run_id"], c["site"]) == ("run-42", SITE)
    assert {"lijst": "Projecten", "aantal": "7"} in c["bronnen"]
    assert c["gegenereerd_op"] == "15 mei 2026 om 07:30"


def test_wat_vraagt_aandacht_stays_on_one_page(demo, demo_meta):
    from spsync.report.attention import MAX_PUNTEN, aandacht
    from spsync.report.context import period_of

    p04 = next(p for p in demo.records.projects if p.code == "P-2526-04")
    many = [dataclasses.replace(p04, item_id=1000 + n, code=f"P-X-{n:02d}",
                                verbruik_pct=110.0 + n) for n in range(30)]
    a = aandacht(many, demo.records.slots, demo_meta, period_of(demo, demo_meta))
    assert len(a["punten"]) == MAX_PUNTEN
    assert a["meer"] == 30 + 5 - MAX_PUNTEN  # 30 projects, 2 gemist, 3 te laat
    assert a["punten"][0]["wat"].startswith("P-X-29")  # the most over first
    assert "de overige" in a["zin"]
