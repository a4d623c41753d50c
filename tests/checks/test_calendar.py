"""§5.5 KalenderStatus: rules 1-4 and both sub-tables, as of controledatum C = 2026-05-15."""

from __future__ import annotations

from datetime import date

import pytest

from spsync.checks import CheckSettings
from spsync.checks.calendar import kalender_status, parse_calendar_row

from .builders import C, calendar_row, run, tbl


def status(**kw):
    cells = {"vervallen": None, "overleg": "MT", "start": "2026-04-01", "eind": "2026-04-30",
             "besproken_op": None, "besproken_in": None}
    cells.update(kw)
    res = kalender_status(parse_calendar_row(**cells), C, 14, (1, "Jaarkalender 1"))
    return res.status, res.dagen_te_laat, [f.code for f in res.findings]


@pytest.mark.parametrize(("cells", "expected"), [
    # 1. Vervallen = Yes -> Vervallen (before anything else, even when incomplete)
    ({"vervallen": "Ja"}, ("Vervallen", None, [])),
    ({"vervallen": True, "eind": None}, ("Vervallen", None, [])),
    # 2. Overleg/PeriodeStart/PeriodeEind missing or invalid, or Start > Eind -> Onvolledig
    ({"overleg": None}, ("Onvolledig", None, ["KALENDER_ONVOLLEDIG"])),
    ({"overleg": "Raad van Toezicht"}, ("Onvolledig", None, ["KALENDER_ONVOLLEDIG"])),
    ({"start": None}, ("Onvolledig", None, ["KALENDER_ONVOLLEDIG"])),
    ({"eind": "2026-04-31"}, ("Onvolledig", None, ["KALENDER_ONVOLLEDIG"])),
    ({"start": "2026-05-01"}, ("Onvolledig", None, ["KALENDER_ONVOLLEDIG"])),
    # 3. discussed (BesprokenOp <= C); effective overleg = BesprokenIn or Overleg
    ({"besproken_op": "2026-04-10", "besproken_in": "ALV"},
     ("Besproken in ander overleg", None, [])),
    ({"besproken_op": "2026-03-31", "besproken_in": "MT"}, ("Te vroeg besproken", None, [])),
    ({"besproken_op": "2026-05-10", "besproken_in": "MT"}, ("Te laat besproken", 10, [])),
    ({"besproken_op": "2026-04-10", "besproken_in": "MT"},
     ("Besproken volgens jaarkalender", None, [])),
    ({"besproken_op": "2026-04-10"}, ("Besproken volgens jaarkalender", None, [])),  # blank In
    ({"besproken_op": "2026-04-01", "besproken_in": " mt "},
     ("Besproken volgens jaarkalender", None, [])),  # start inclusive, normalised choice
    ({"besproken_op": "2026-04-30"}, ("Besproken volgens jaarkalender", None, [])),  # end incl.
    ({"besproken_op": "2026-05-15", "eind": "2026-05-15"},
     ("Besproken volgens jaarkalender", None, [])),  # discussed on C
    # a BesprokenOp later than C is treated as not yet discussed, with a finding
    ({"besproken_op": "2026-05-20"}, ("Gemist", 15, ["BESPROKEN_IN_TOEKOMST"])),
    # 4. not yet discussed
    ({}, ("Gemist", 15, [])),  # C > PeriodeEind, DagenTeLaat = C - Eind
    ({"start": "2026-05-15", "eind": "2026-05-31"}, ("In bespreekperiode", None, [])),
    ({"start": "2026-05-01", "eind": "2026-05-15"}, ("In bespreekperiode", None, [])),
    ({"start": "2026-05-29", "eind": "2026-06-30"}, ("Binnenkort", None, [])),  # 14 days
    ({"start": "2026-05-30", "eind": "2026-06-30"}, ("Gepland", None, [])),  # 15 days
])
def test_rules(cells, expected):
    assert status(**cells) == expected


def test_binnenkort_window_is_configurable():
    row = parse_calendar_row(None, "MT", "2026-06-01", "2026-06-30", None, None)
    assert kalender_status(row, C, 20).status == "Binnenkort"
    assert kalender_status(row, C, 14).status == "Gepland"


def test_onvolledig_message_names_the_problem():
    res = kalender_status(parse_calendar_row(None, "MT", "2026-03-01", None, None, None), C)
    assert res.findings[0].message == (
        "De regel is onvolledig (Periode t/m ontbreekt); de status is Onvolledig en de regel "
        "telt niet mee.")


def test_written_columns_via_run_checks():
    result = run(jaarkalender=tbl(
        calendar_row(PeriodeStart="2025-11-15", PeriodeEind="2025-12-19",
                     BesprokenOp="2026-01-21T23:00:00Z", BesprokenIn="ALV", Overleg="ALV"),
        calendar_row(BesprokenOp="2026-06-01"),
        calendar_row(Vervallen="Ja", BesprokenOp="gisteren"),
    ))
    j = result.jaarkalender
    assert j.loc[1, ["KalenderStatus", "DagenTeLaat", "Controlemelding"]].tolist() == [
        "Te laat besproken", 34, None]
    assert j.loc[1, "BesprokenOpDatum"] == date(2026, 1, 22)
    assert j.loc[2, ["KalenderStatus", "DagenTeLaat"]].tolist() == ["Gemist", 15]
    assert j.loc[2, "Controlemelding"] == (
        "BESPROKEN_IN_TOEKOMST: Besproken op 01-06-2026 ligt na de controledatum; de regel "
        "telt als nog niet besproken.")
    assert j.loc[3, "KalenderStatus"] == "Vervallen"
    assert j.loc[3, "Meldingcodes"] == "ONGELDIGE_DATUM"


def test_kalenderjaar_rows_are_computed_whatever_their_planjaar():
    result = run(CheckSettings(planjaar_mode="kalenderjaar"), c=date(2026, 1, 20),
                 jaarkalender=tbl(calendar_row(Planjaar="2025", PeriodeStart="2026-01-05",
                                               PeriodeEind="2026-01-31")))
    assert result.jaarkalender.loc[1, "KalenderStatus"] == "In bespreekperiode"
