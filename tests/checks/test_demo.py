"""The demo scenario: every expected/*.csv row and column, and the headline numbers of the demo
README §4, for CSV-shaped frames and for SharePoint-shaped frames."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date

import pytest

from spsync import schema
from spsync.checks import CheckResult, CheckSettings, hours_per_hoofdlijn, run_checks
from spsync.checks.normalise import parse_number

from .csvframes import EXPECTED, demo_tables_csv, demo_tables_sharepoint, expected

C = date(2026, 5, 15)
VARIANTS = {"csv": demo_tables_csv, "sharepoint": demo_tables_sharepoint}


@pytest.fixture(scope="module", params=list(VARIANTS))
def demo(request) -> tuple[str, CheckResult]:
    return request.param, run_checks(VARIANTS[request.param](), CheckSettings(), C)


def same(exp: str | None, got: object) -> bool:
    """Expected CSV text vs a result value: numbers as numbers, empty = None."""
    if exp is None:
        return got is None
    number = parse_number(exp)
    if number.ok:
        got_number = parse_number(got)
        return got_number.ok and math.isclose(number.value, got_number.value, abs_tol=1e-9)
    if isinstance(got, date):
        return got.isoformat() == exp
    return got == exp


#: expected file -> (list, key column in expected, key column in result, column renames)
FILES = {
    "projecten_status": ("projecten", "ProjectCode", "ProjectCode", {}),
    "urenregistratie_ongeldig": ("urenregistratie", "ID", "ID", {}),
    "jaarkalender_status": ("jaarkalender", "ID", "ID", {}),
    "activiteiten_categorie": ("activiteiten", "ActiviteitCode", "ActiviteitCode",
                               {"Meldingcode": "Meldingcodes"}),
    "indicatoren_status": ("indicatoren", "IndicatorCode", "IndicatorCode",
                           {"Meldingcode": "Meldingcodes"}),
    "doelen_status": ("doelen", "DoelCode", "DoelCode", {}),
}


def test_every_expected_file_is_checked():
    assert sorted(p.stem for p in EXPECTED.glob("*.csv")) == sorted(FILES)


@pytest.mark.parametrize("name", list(FILES))
def test_expected_file(demo, name):
    variant, result = demo
    list_key, exp_key, res_key, renames = FILES[name]
    frame = getattr(result, list_key)
    by_key = {str(k): row for k, row in zip(frame[res_key].tolist(), frame.to_dict("records"))}
    rows = expected(name)
    assert rows
    mismatches = []
    for exp in rows:
        got = by_key[exp[exp_key]]
        for col, value in exp.items():
            res_col = renames.get(col, col)
            actual = got[res_col]
            if variant == "sharepoint" and list_key == "urenregistratie" and col == "Project" \
                    and exp["ID"] == "204":
                assert actual is None and got["ProjectId"] == 1018  # dangling lookup
                continue
            if list_key == "urenregistratie" and col == "Datum" and got["DatumLokaal"]:
                actual = got["DatumLokaal"]  # SharePoint sends an instant; compare local dates
            if not same(value, actual):
                mismatches.append((exp[exp_key], col, value, actual))
    assert mismatches == []


def test_only_the_expected_bookings_are_invalid(demo):
    _, result = demo
    invalid = result.urenregistratie[result.urenregistratie["BoekingStatus"].notna()]
    assert sorted(invalid.index) == sorted(int(r["ID"]) for r in expected(
        "urenregistratie_ongeldig"))
    assert set(invalid["BoekingStatus"]) == {"Ongeldig"}
    valid = result.urenregistratie[result.urenregistratie["BoekingStatus"].isna()]
    assert valid["Controlemelding"].isna().all()


def test_written_columns_are_never_nan(demo):
    _, result = demo
    for key in ("projecten", "urenregistratie", "jaarkalender", "doelen", "activiteiten",
                "indicatoren"):
        frame = getattr(result, key)
        for col in schema.owned_columns(key):
            if col in ("StatusGewijzigdOp", "UrenSignaalStatus", "GemistGesignaleerdOp",
                       "HerinneringVerzondenOp"):
                assert col not in frame.columns  # the shell owns these
                continue
            assert col in frame.columns, (key, col)
            assert frame[col].dtype == object
            assert not any(isinstance(v, float) and math.isnan(v) for v in frame[col]), (key, col)


def test_headline_numbers(demo):
    _, result = demo
    uren = result.urenregistratie
    assert len(uren) == 301
    assert int(uren["Geldig"].sum()) == 293
    assert sum(v for v, ok in zip(uren["UrenGetal"], uren["Geldig"]) if ok) == 1696.0
    assert uren.loc[157, "UrenGetal"] == 1.5 and uren.loc[157, "BoekingStatus"] is None
    proj = result.projecten
    assert sum(v or 0 for v in proj["ToegekendeUrenGetal"]) == 1912
    assert sum(proj["GeboekteUren"]) == 1696.0
    assert Counter(proj["UrenStatus"]) == {"Binnen uren": 10, "Risico op overschrijding": 2,
                                           "Overschreden": 4, "Geen uren toegekend": 1}
    assert Counter(result.jaarkalender["KalenderStatus"]) == {
        "Besproken volgens jaarkalender": 11, "Te laat besproken": 3,
        "Besproken in ander overleg": 1, "Gemist": 2, "In bespreekperiode": 2, "Binnenkort": 1,
        "Gepland": 2, "Vervallen": 1, "Onvolledig": 1}
    ind = result.indicatoren.set_index("IndicatorCode")
    assert ind.loc["I-IO-2", ["Teller", "Noemer", "BerekendeWaarde", "IndicatorStatus"]
                   ].tolist() == [7, 9, 77.8, "Behaald"]
    assert ind.loc["I-IO-3", ["Teller", "Noemer", "BerekendeWaarde", "IndicatorStatus"]
                   ].tolist() == [11, 17, 64.7, "Niet behaald"]
    assert ind.loc["I-IO-4", ["BerekendeWaarde", "IndicatorStatus"]].tolist() == [
        2.0, "Nog niet meetbaar"]
    assert ind.loc["I-IO-1", ["Teller", "Noemer", "BerekendeWaarde", "IndicatorStatus"]
                   ].tolist() == [10, 22, 45.5, "Niet behaald"]
    assert not any(ind["Definitief"])  # tussenstand
    assert Counter(result.activiteiten["VoortgangCategorie"]) == {
        "Uitgevoerd": 10, "Mee bezig": 9, "Niet begonnen of niet haalbaar": 3, None: 1}
    assert Counter(ind["IndicatorStatus"]) == {"Behaald": 9, "Niet behaald": 5,
                                               "Nog niet meetbaar": 8}
    assert Counter(result.doelen["DoelStatus"]) == {"Op koers": 7, "Niet op koers": 5,
                                                    "Nog niet meetbaar": 5}
    assert result.planjaar == "2025-2026"


@pytest.mark.parametrize(("types", "teller", "noemer", "value", "status"), [
    (("Project",), 7, 9, 77.8, "Behaald"),
    (("Project", "Subsidieproject"), 9, 12, 75.0, "Behaald"),  # exactly at target: >=
    (("Project", "Subsidieproject", "Structurele activiteit"), 12, 16, 75.0, "Behaald"),
])
def test_projecten_binnen_uren_populations(types, teller, noemer, value, status):
    result = run_checks(demo_tables_csv(), CheckSettings(indicator_project_types=types), C)
    ind = result.indicatoren.set_index("IndicatorCode").loc["I-IO-2"]
    assert [ind["Teller"], ind["Noemer"], ind["BerekendeWaarde"], ind["IndicatorStatus"]] == [
        teller, noemer, value, status]


def test_hours_per_hoofdlijn(demo):
    _, result = demo
    table = hours_per_hoofdlijn(result)
    assert list(zip(table["Hoofdlijn"], table["Toegekend"], table["Geboekt"])) == [
        ("Dekkend netwerk van onderwijs en ondersteuning", 280.0, 239.5),
        ("Basisondersteuning voor alle kinderen en jongeren", 384.0, 315.0),
        ("Extra ondersteuning voor groepen kinderen en jongeren", 240.0, 262.5),
        ("Integraal samenwerken voor de jeugd", 280.0, 183.5),
        ("Interne organisatie", 460.0, 436.5),
        ("Financiën", 0.0, 21.0),
        ("Subsidies", 268.0, 238.0),
    ]


def test_demo_findings(demo):
    variant, result = demo
    found = {(f.list_key, f.ref, f.code) for f in result.findings}
    assert found == {
        ("urenregistratie", "ID 3", "DATUM_BUITEN_PLANJAAR"),
        ("urenregistratie", "ID 89", "UREN_NEGATIEF"),
        ("urenregistratie", "ID 166", "UREN_ONLEESBAAR"),
        ("urenregistratie", "ID 204", "PROJECT_ONBEKEND"),
        ("urenregistratie", "ID 225", "DATUM_ONGELDIG"),
        ("urenregistratie", "ID 243", "UREN_LEEG"),
        ("urenregistratie", "ID 268", "UREN_TE_HOOG"),
        ("urenregistratie", "ID 300", "DATUM_BUITEN_PLANJAAR"),
        ("urenregistratie", "ID 300", "DATUM_IN_TOEKOMST"),
        ("projecten", "S-2526-05", "GEEN_UREN_TOEGEKEND"),
        ("jaarkalender", "Jaarkalender 24", "KALENDER_ONVOLLEDIG"),
        ("activiteiten", "A-22", "ONBEKENDE_VOORTGANG"),
        ("indicatoren", "I-IO-5", "ONBEKENDE_VOORTGANG"),
    }
    msg = {f.ref: f.message for f in result.findings if f.code == "PROJECT_ONBEKEND"}["ID 204"]
    assert msg == ("Project (item 1018) bestaat niet (meer) in de lijst Projecten."
                   if variant == "sharepoint"
                   else "Project 'P-2526-99' bestaat niet (meer) in de lijst Projecten.")
    assert result.projecten.set_index("ProjectCode").loc["S-2526-05", "Controlemelding"] == (
        "GEEN_UREN_TOEGEKEND: Er is 21 uur geboekt, maar er zijn geen uren toegekend; het "
        "project telt niet mee in 'projecten binnen uren'.")
