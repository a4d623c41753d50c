"""Table-level data quality and robustness: missing lists/columns and junk never raise."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from spsync import schema
from spsync.checks import ADDED_COLUMNS, CheckSettings, Tables, run_checks
from spsync.checks.findings import TEMPLATES
from spsync.checks.vocab import (
    BOEKING_STATUSES,
    BUDGET_STATUSES,
    DOEL_STATUSES,
    INDICATOR_STATUSES,
    KALENDER_STATUSES,
    UREN_STATUSES,
    VOORTGANG_CATEGORIEEN,
)

from .builders import C, booking, calendar_row, codes_of, project, run, tbl
from .csvframes import demo_tables_csv


def test_all_lists_missing():
    result = run_checks(Tables(), CheckSettings(), C)
    assert [f.code for f in result.findings] == ["LIJST_ONTBREEKT"] * 7
    msg = {f.ref: f.message for f in result.findings}
    assert msg["Jaarkalender"] == (
        "Lijst 'Jaarkalender' ontbreekt op de site; de jaarkalender is niet gecontroleerd.")
    for key, (daemon, helpers) in ADDED_COLUMNS.items():
        frame = getattr(result, key)
        assert len(frame) == 0
        assert set(daemon) | set(helpers) <= set(frame.columns)


def test_empty_list():
    result = run(urenregistratie=tbl(), projecten=tbl(project()))
    assert "LIJST_LEEG" in codes_of(result, "urenregistratie")
    assert result.projecten.loc[1, "GeboekteUren"] == 0.0


def test_missing_column_reads_as_empty():
    frame = tbl(booking()).drop(columns=["Uren"])
    result = run(projecten=tbl(project()), urenregistratie=frame)
    col = [f for f in result.findings if f.code == "KOLOM_ONTBREEKT"]
    assert [f.message for f in col] == ["Kolom 'Uren' ontbreekt in de lijst 'Urenregistratie'."]
    assert result.urenregistratie.loc[1, "Meldingcodes"] == "UREN_LEEG"


def test_projecten_missing_does_not_flag_every_booking():
    result = run(urenregistratie=tbl(booking()))
    assert codes_of(result, "urenregistratie") == []
    assert codes_of(result, "projecten") == ["LIJST_ONTBREEKT"]


def test_duplicate_codes_and_bookings_go_to_the_first():
    result = run(projecten=tbl(project(), project(ProjectCode=" p-1 ")),
                 urenregistratie=tbl(booking()))
    dup = [f for f in result.findings if f.code == "DUBBELE_CODE"]
    assert [f.item_id for f in dup] == [1, 2]
    assert dup[0].message == (
        "Projectcode 'P-1' komt 2 keer voor in de lijst Projecten (items 1, 2).")
    assert result.projecten["GeboekteUren"].tolist() == [4.0, 0.0]


def test_person_without_email_and_required_values():
    result = run(projecten=tbl(project(EigenaarEMail=None, ProjectType=None)))
    assert codes_of(result, "projecten") == ["VERPLICHT_VELD_LEEG", "PERSOON_ZONDER_EMAIL"]
    assert result.projecten.loc[1, "Controlemelding"] == (
        "VERPLICHT_VELD_LEEG: Type is niet ingevuld.\n"
        "PERSOON_ZONDER_EMAIL: Eigenaar 'eigenaar' heeft geen e-mailadres; meldingen aan deze "
        "persoon kunnen niet worden verstuurd.")


def test_lookup_to_deleted_item():
    hoofdlijnen = tbl({"Code": "IO", "Title": "Interne organisatie"})
    result = run(hoofdlijnen=hoofdlijnen,
                 projecten=tbl(project(), project(ProjectCode="P-2", Hoofdlijn="Weg"),
                               project(ProjectCode="P-3", Hoofdlijn=None, HoofdlijnId=44)))
    found = [(f.item_id, f.message) for f in result.findings if f.code == "LOOKUP_ONBEKEND"]
    assert found == [(2, "Hoofdlijn 'Weg' bestaat niet (meer) in de lijst Hoofdlijnen."),
                     (3, "Hoofdlijn (item 44) bestaat niet (meer) in de lijst Hoofdlijnen.")]


def test_choice_outside_vocabulary_and_wrong_types():
    result = run(
        projecten=tbl(project(ProjectType="Programma", ToegekendeUren="veel",
                              Startdatum="1 augustus", BudgetPM="misschien", Planjaar="2025")),
        jaarkalender=tbl(calendar_row(BesprokenIn="Raad")))
    assert codes_of(result, "projecten") == [
        "PLANJAAR_ONGELDIG", "ONBEKENDE_KEUZEWAARDE", "ONGELDIG_GETAL", "ONGELDIGE_DATUM",
        "ONGELDIGE_JANEE"]
    msgs = [f.message for f in result.findings if f.list_key == "projecten"]
    assert msgs[0] == "Planjaar '2025' is geen geldig schooljaar (bijvoorbeeld '2025-2026')."
    assert msgs[1] == "Type 'Programma' is geen toegestane waarde; de waarde is genegeerd."
    assert codes_of(result, "jaarkalender") == ["ONBEKENDE_KEUZEWAARDE"]


def test_every_template_is_a_dutch_sentence():
    for code, text in TEMPLATES.items():
        assert code.isupper() and text.rstrip().endswith("."), code


JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["1,5", "2026-02-30", "2026-03-09T23:00:00Z", "Ja", "MT", "P-1",
                     "Behaald.", "2025-2026", "Afgerond: niet haalbaar", "", "  "]),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.lists(st.integers(), max_size=2),
    st.just(datetime(2026, 3, 9, 23, 0)), st.just(date(2026, 3, 10)),
)


def junk_frame(key: str, data) -> pd.DataFrame | None:
    """None (list missing), or 0-3 rows of junk in a random subset of the staff columns."""
    if data.draw(st.integers(0, 5)) == 0:
        return None
    cols = [c.name for c in schema.list_def(key).columns if c.writer is not schema.Writer.DAEMON]
    cols = [c for c in cols if data.draw(st.integers(0, 9)) > 0]  # drop some columns
    n = data.draw(st.integers(min_value=0, max_value=3))
    records = [{c: data.draw(JUNK) for c in cols} for _ in range(n)]
    for i, rec in enumerate(records, start=1):
        rec["ID"] = data.draw(st.sampled_from([i, i, i, 1, "x", None]))
        rec["ProjectId"] = data.draw(st.one_of(st.integers(0, 3), JUNK))
        rec["DoelId"] = data.draw(st.one_of(st.integers(0, 3), JUNK))
    return tbl(*records) if records else tbl()


@hsettings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_junk_never_raises_and_writes_clean_values(data):
    tables = Tables(**{key: junk_frame(key, data) for key in (
        "hoofdlijnen", "projecten", "urenregistratie", "jaarkalender", "doelen", "activiteiten",
        "indicatoren")})
    result = run_checks(tables, CheckSettings(), C)
    vocab = {"UrenStatus": UREN_STATUSES, "BudgetStatus": BUDGET_STATUSES,
             "BoekingStatus": BOEKING_STATUSES, "KalenderStatus": KALENDER_STATUSES,
             "DoelStatus": DOEL_STATUSES, "VoortgangCategorie": VOORTGANG_CATEGORIEEN,
             "IndicatorStatus": INDICATOR_STATUSES}
    for key, (daemon, _helpers) in ADDED_COLUMNS.items():
        frame = getattr(result, key)
        for col in daemon:
            for value in frame[col]:
                assert not (isinstance(value, float) and not math.isfinite(value)), (key, col)
                if col in vocab and value is not None:
                    assert value in vocab[col]
                if col == "Controlemelding" and value is not None and key != "projecten":
                    assert len(value) <= 255


def test_demo_unchanged_by_missing_optional_columns():
    tables = demo_tables_csv()
    base = run_checks(tables, CheckSettings(), C)
    assert not [f for f in base.findings if f.code == "KOLOM_ONTBREEKT"]
    tables.jaarkalender = None
    no_cal = run_checks(tables, CheckSettings(), C)
    ind = no_cal.indicatoren.set_index("IndicatorCode").loc["I-IO-3"]
    assert ind["IndicatorStatus"] == "Nog niet meetbaar" and ind["Noemer"] == 0
