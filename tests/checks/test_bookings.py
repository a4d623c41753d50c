"""§5.2 booking validity: one case per row of the table, plus the 'all checks run' rule."""

from __future__ import annotations

from datetime import date

import pytest

from spsync.checks import CheckSettings
from spsync.checks.findings import BOOKING_CODES

from .builders import booking, project, run, tbl

# (booking overrides, expected codes, expected message of the first code)
CASES = [
    ({"Project": None}, ["PROJECT_LEEG"], "Project ontbreekt."),
    ({"Project": "P-2526-99"}, ["PROJECT_ONBEKEND"],
     "Project 'P-2526-99' bestaat niet (meer) in de lijst Projecten."),
    ({"Uren": None}, ["UREN_LEEG"], "Uren ontbreken."),
    ({"Uren": "twee"}, ["UREN_ONLEESBAAR"], "Uren 'twee' is geen getal."),
    ({"Uren": "-4"}, ["UREN_NEGATIEF"], "Uren is negatief (-4)."),
    ({"Uren": "0"}, ["UREN_NUL"], "Uren is 0."),
    ({"Uren": "26"}, ["UREN_TE_HOOG"], "Meer dan 24 uur op één dag (26)."),
    ({"Datum": None}, ["DATUM_LEEG"], "Datum ontbreekt."),
    ({"Datum": "2026-02-30"}, ["DATUM_ONGELDIG"], "Datum '2026-02-30' is geen geldige datum."),
    ({"Datum": "2025-07-24"}, ["DATUM_BUITEN_PLANJAAR"],
     "Datum 24-07-2025 valt buiten schooljaar 2025-2026."),
    ({"Datum": "2026-05-16"}, ["DATUM_IN_TOEKOMST"], "Datum 16-05-2026 ligt na de controledatum."),
]


@pytest.mark.parametrize(("override", "codes", "message"), CASES,
                         ids=[c[1][0] for c in CASES])
def test_each_code(override, codes, message):
    result = run(projecten=tbl(project()), urenregistratie=tbl(booking(**override)))
    row = result.urenregistratie.loc[1]
    assert row["BoekingStatus"] == "Ongeldig"
    assert row["Meldingcodes"] == ";".join(codes)
    assert row["Controlemelding"] == f"{codes[0]}: {message}"
    assert [f.message for f in result.findings if f.list_key == "urenregistratie"] == [message]
    assert result.projecten.loc[1, "GeboekteUren"] == 0.0  # only valid bookings count
    assert result.projecten.loc[1, "OngeldigeBoekingen"] == (0 if "PROJECT" in codes[0] else 1)


def test_every_code_of_the_table_is_covered():
    assert sorted(c[1][0] for c in CASES) == sorted(BOOKING_CODES)


def test_kalenderjaar_message():
    result = run(CheckSettings(planjaar_mode="kalenderjaar"), c=date(2025, 12, 31),
                 projecten=tbl(project(Planjaar="2025")),
                 urenregistratie=tbl(booking(Datum="2024-12-19")))
    assert result.urenregistratie.loc[1, "Controlemelding"] == (
        "DATUM_BUITEN_PLANJAAR: Datum 19-12-2024 valt buiten kalenderjaar 2025.")


def test_all_checks_run_and_all_failures_are_listed():
    result = run(projecten=tbl(project()),
                 urenregistratie=tbl(booking(Project=None, Uren="x", Datum="2026-08-03")))
    assert result.urenregistratie.loc[1, "Meldingcodes"] == (
        "PROJECT_LEEG;UREN_ONLEESBAAR;DATUM_BUITEN_PLANJAAR;DATUM_IN_TOEKOMST")
    assert result.urenregistratie.loc[1, "Controlemelding"].count("\n") == 3


@pytest.mark.parametrize(("uren", "value"), [("1,5", 1.5), ("24", 24.0), ("0,25", 0.25),
                                              (8.0, 8.0)])
def test_valid_bookings_count(uren, value):
    result = run(projecten=tbl(project()),
                 urenregistratie=tbl(booking(Uren=uren), booking(Uren="2")))
    row = result.urenregistratie.loc[1]
    assert row["BoekingStatus"] is None and row["Controlemelding"] is None
    assert row["UrenGetal"] == value and row["Geldig"] is True
    assert row["DatumLokaal"] == date(2026, 3, 10)
    assert result.projecten.loc[1, "GeboekteUren"] == value + 2


def test_controledatum_itself_is_not_future_and_booking_revalidates():
    tables = {"projecten": tbl(project()), "urenregistratie": tbl(booking(Datum="2026-05-20"))}
    assert run(c=date(2026, 5, 19), **tables).urenregistratie.loc[1, "BoekingStatus"] == "Ongeldig"
    later = run(c=date(2026, 5, 20), **tables)
    assert later.urenregistratie.loc[1, "BoekingStatus"] is None
    assert later.projecten.loc[1, "GeboekteUren"] == 4.0


def test_unknown_project_uses_planjaar_of_controledatum():
    result = run(projecten=tbl(project()),
                 urenregistratie=tbl(booking(Project="P-9", Datum="2025-07-31")))
    assert result.urenregistratie.loc[1, "Meldingcodes"] == (
        "PROJECT_ONBEKEND;DATUM_BUITEN_PLANJAAR")


def test_project_planjaar_decides_not_the_controledatum():
    result = run(projecten=tbl(project(Planjaar="2024-2025")),
                 urenregistratie=tbl(booking(Datum="2025-03-10"), booking(Datum="2026-03-10")))
    assert result.urenregistratie["Meldingcodes"].tolist() == [None, "DATUM_BUITEN_PLANJAAR"]


def test_resolve_by_project_id_and_dangling_lookup():
    projecten = tbl(project(ID=7, ProjectCode="P-7"))
    urenregistratie = tbl(booking(Project="P-7", ProjectId=7),
                          booking(Project=None, ProjectId=1018),
                          booking(Project=None, ProjectId=None),
                          booking(Project="P-7", ProjectId=99))
    result = run(projecten=projecten, urenregistratie=urenregistratie)
    out = result.urenregistratie
    assert out["ProjectItemId"].tolist() == [7, None, None, None]
    assert out["Meldingcodes"].tolist() == [None, "PROJECT_ONBEKEND", "PROJECT_LEEG",
                                            "PROJECT_ONBEKEND"]
    assert out.loc[2, "Controlemelding"] == (
        "PROJECT_ONBEKEND: Project (item 1018) bestaat niet (meer) in de lijst Projecten.")
    assert out.loc[4, "Controlemelding"] == (
        "PROJECT_ONBEKEND: Project 'P-7' bestaat niet (meer) in de lijst Projecten.")
    assert result.projecten.loc[7, "GeboekteUren"] == 4.0


def test_controlemelding_is_cut_to_255():
    long_text = "x" * 400
    result = run(projecten=tbl(project()),
                 urenregistratie=tbl(booking(Project=long_text, Uren=long_text,
                                             Datum=long_text)))
    text = result.urenregistratie.loc[1, "Controlemelding"]
    assert len(text) <= 255 and text.endswith("…")
    assert result.urenregistratie.loc[1, "Meldingcodes"] == (
        "PROJECT_ONBEKEND;UREN_ONLEESBAAR;DATUM_ONGELDIG")


def test_controlemelding_limit_counts_utf16_units_as_sharepoint_does():
    emoji = "\U0001F600" * 200  # one code point, two UTF-16 units each
    result = run(projecten=tbl(project()),
                 urenregistratie=tbl(booking(Project=emoji, Uren=emoji, Datum=emoji)))
    text = result.urenregistratie.loc[1, "Controlemelding"]
    units = len(text.encode("utf-16-le")) // 2
    assert 250 <= units <= 255 and text.endswith("…")
    assert len(text) < 240  # counted in code points it would have been cut far too late
