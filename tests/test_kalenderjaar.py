"""Plein 013 end to end: a kalenderjaar organisation through full cycles over real HTTP.

The data is tests/data/plein013 (DATA-MODEL §6). Its README holds the expectations, derived by
hand from DATA-MODEL §4-§5. Each cycle runs against its own sandbox. The evidence is read back
from the sandbox through a fresh gateway, not taken from what the cycle says it did.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest

from spsync.auth import sandbox_token
from spsync.config import config_from_dict
from spsync.cycle import CycleOutcome, run_cycle
from spsync.sandbox import SandboxServer, load_csv_dir
from spsync.sharepoint import SharePointGateway

DATA = Path(__file__).resolve().parent / "data" / "plein013"
C1 = date(2025, 9, 15)  # mid-year: a tussenstand of kalenderjaar 2025
C2 = date(2026, 1, 20)  # after the year: M12 discussed in January, filed under 2025


@dataclass
class Site:
    """One finished cycle: the server it ran against, its outcome and the values read back."""

    server: SandboxServer
    outcome: CycleOutcome
    projecten: dict[str, dict]  # by ProjectCode
    uren: dict[int, dict]  # by item ID
    kalender: dict[int, dict]
    indicatoren: dict[str, dict]  # by IndicatorCode
    doelen: dict[str, dict]  # by DoelCode
    activiteiten: dict[str, dict]  # by ActiviteitCode


def _read_back(server: SandboxServer, title: str, select: list[str]) -> dict[int, dict]:
    """A list as SharePoint now holds it, through a gateway that did not do the writing."""
    gw = SharePointGateway(server.site_url, sandbox_token)
    try:
        info = gw.describe_lists([title])[title]
        return {i.id: dict(i.values) for i in gw.read_items(info, select, [])}
    finally:
        gw.close()


def _by(rows: dict[int, dict], key: str) -> dict[str, dict]:
    return {r[key]: r for r in rows.values()}


def _cycle(tmp: Path, controledatum: date) -> Iterator[Site]:
    db = tmp / "sandbox.db"
    counts = load_csv_dir(db, DATA)
    assert counts["Projecten"] == 11 and counts["Urenregistratie"] == 9
    server = SandboxServer(db).start()
    try:
        config = config_from_dict({
            "site": {"url": server.site_url, "organisation": "Plein 013"},
            "auth": {"mode": "sandbox"},
            "rules": {"planjaar_mode": "kalenderjaar"},
            "report": {"output_dir": str(tmp / "out")},
        })
        gateway = SharePointGateway(server.site_url, sandbox_token)
        try:
            now = datetime.combine(controledatum, datetime.min.time(), UTC).replace(hour=5)
            outcome = run_cycle(gateway, config, controledatum, now=now)
        finally:
            gateway.close()
        yield Site(
            server, outcome,
            projecten=_by(_read_back(server, "Projecten", [
                "ProjectCode", "GeboekteUren", "RestUren", "VerbruikPct", "UrenStatus",
                "BudgetStatus", "OngeldigeBoekingen", "Controlemelding"]), "ProjectCode"),
            uren=_read_back(server, "Urenregistratie", ["BoekingStatus", "Controlemelding"]),
            kalender=_read_back(server, "Jaarkalender", [
                "KalenderStatus", "DagenTeLaat", "Controlemelding"]),
            indicatoren=_by(_read_back(server, "Indicatoren", [
                "IndicatorCode", "BerekendeWaarde", "Teller", "Noemer", "IndicatorStatus",
                "Definitief", "Controlemelding"]), "IndicatorCode"),
            doelen=_by(_read_back(server, "Doelen", ["DoelCode", "DoelStatus"]), "DoelCode"),
            activiteiten=_by(_read_back(server, "Activiteiten", [
                "ActiviteitCode", "VoortgangCategorie", "Controlemelding"]), "ActiviteitCode"),
        )
    finally:
        server.stop()


@pytest.fixture(scope="module")
def c1(tmp_path_factory) -> Iterator[Site]:
    yield from _cycle(tmp_path_factory.mktemp("plein013-c1"), C1)


@pytest.fixture(scope="module")
def c2(tmp_path_factory) -> Iterator[Site]:
    yield from _cycle(tmp_path_factory.mktemp("plein013-c2"), C2)


@pytest.fixture(params=["c1", "c2"])
def either(request) -> Site:
    return request.getfixturevalue(request.param)


# --- Projecten ---------------------------------------------------------------------------------

BUDGET = {
    "PL-25-01": "Binnen budget", "PL-25-02": "Geen budget (p.m.)",
    "PL-25-03": "Geen budget (p.m.)", "PL-25-04": "Overschreden", "PL-25-05": "Binnen budget",
    "PL-25-06": "Binnen budget", "PL-25-07": "Binnen budget", "PL-25-08": "Binnen budget",
    "PL-25-09": "Binnen budget", "PL-25-10": "Binnen budget", "S-25-01": "Niet van toepassing",
}


def test_cycle_succeeds(either):
    assert either.outcome.exit_code == 0
    assert either.outcome.unresolved == [] and not either.outcome.failed


def test_budget_status_per_project(either):
    assert {code: p["BudgetStatus"] for code, p in either.projecten.items()} == BUDGET


#: ProjectCode -> (GeboekteUren, RestUren, VerbruikPct, UrenStatus, OngeldigeBoekingen)
HOURS_C1 = {
    "PL-25-08": (22.0, 98.0, 18.3, "Binnen uren", 2),
    "S-25-01": (9.0, 71.0, 11.3, "Binnen uren", 1),
    "PL-25-01": (2.0, None, None, "Geen uren toegekend", 0),
}
HOURS_C2 = {**HOURS_C1, "PL-25-08": (26.0, 94.0, 21.7, "Binnen uren", 1)}


@pytest.mark.parametrize("which,expected", [("c1", HOURS_C1), ("c2", HOURS_C2)])
def test_hours_per_project(request, which, expected):
    site: Site = request.getfixturevalue(which)
    for code, p in site.projecten.items():
        geboekt, rest, pct, status, ongeldig = expected.get(
            code, (0.0, None, None, "Geen uren toegekend", 0))
        got = (p["GeboekteUren"], p["RestUren"], p["VerbruikPct"], p["UrenStatus"],
               p["OngeldigeBoekingen"])
        assert got == (geboekt, rest, pct, status, ongeldig), code
    assert "GEEN_UREN_TOEGEKEND" in site.projecten["PL-25-01"]["Controlemelding"]
    assert site.projecten["PL-25-02"]["Controlemelding"] is None  # nothing booked: no finding


# --- Urenregistratie ---------------------------------------------------------------------------


@pytest.mark.parametrize("which,invalid", [
    ("c1", {5: ["DATUM_BUITEN_PLANJAAR"], 8: ["DATUM_IN_TOEKOMST"],
            9: ["DATUM_BUITEN_PLANJAAR", "DATUM_IN_TOEKOMST"]}),
    ("c2", {5: ["DATUM_BUITEN_PLANJAAR"], 9: ["DATUM_BUITEN_PLANJAAR"]}),
])
def test_bookings_status_and_messages(request, which, invalid):
    site: Site = request.getfixturevalue(which)
    assert {i for i, b in site.uren.items() if b["BoekingStatus"] == "Ongeldig"} == set(invalid)
    for item_id, b in site.uren.items():
        melding = b["Controlemelding"]
        if item_id in invalid:
            assert [line.split(":")[0] for line in melding.splitlines()] == invalid[item_id]
        else:
            assert b["BoekingStatus"] is None and melding is None, item_id
    assert site.uren[5]["Controlemelding"] == (
        "DATUM_BUITEN_PLANJAAR: Datum 19-12-2024 valt buiten kalenderjaar 2025.")
    # The planjaar of a booking is its project's (2025), also when C lies in 2026.
    assert "Datum 12-01-2026 valt buiten kalenderjaar 2025." in site.uren[9]["Controlemelding"]


# --- Jaarkalender ------------------------------------------------------------------------------

KALENDER_C1 = {
    1: ("Besproken volgens jaarkalender", None), 2: ("Te laat besproken", 9),
    3: ("Gepland", None), 4: ("Besproken volgens jaarkalender", None), 5: ("Gepland", None),
    6: ("Besproken in ander overleg", None), 7: ("Vervallen", None),
    8: ("In bespreekperiode", None), 9: ("Gepland", None), 10: ("Binnenkort", None),
}
KALENDER_C2 = {
    1: ("Besproken volgens jaarkalender", None), 2: ("Te laat besproken", 9),
    3: ("Te laat besproken", 13), 4: ("Besproken volgens jaarkalender", None),
    5: ("Gemist", 51), 6: ("Besproken in ander overleg", None), 7: ("Vervallen", None),
    8: ("Besproken volgens jaarkalender", None), 9: ("In bespreekperiode", None),
    10: ("Besproken volgens jaarkalender", None),
}


@pytest.mark.parametrize("which,expected", [("c1", KALENDER_C1), ("c2", KALENDER_C2)])
def test_kalender_status_per_row(request, which, expected):
    site: Site = request.getfixturevalue(which)
    got = {i: (k["KalenderStatus"], k["DagenTeLaat"]) for i, k in site.kalender.items()}
    assert got == expected


def test_discussion_dates_after_c1_count_as_not_yet_discussed(c1, c2):
    future = {i for i, k in c1.kalender.items()
              if k["Controlemelding"] and "BESPROKEN_IN_TOEKOMST" in k["Controlemelding"]}
    assert future == {3, 8, 10}
    assert all(k["Controlemelding"] is None for k in c2.kalender.values())


# --- Indicatoren, doelen, activiteiten ---------------------------------------------------------

MANUAL = {"I-SP1-1": "Behaald", "I-SP2-1": "Niet behaald", "I-SP3-1": "Nog niet meetbaar",
          "I-SP4-1": "Behaald", "I-SP5-1": "Nog niet meetbaar", "I-SP6-1": "Niet behaald"}


@pytest.mark.parametrize("which,teller,noemer,definitief", [
    ("c1", 2, 4, False), ("c2", 4, 8, True)])
def test_indicators(request, which, teller, noemer, definitief):
    site: Site = request.getfixturevalue(which)
    for code, status in MANUAL.items():
        ind = site.indicatoren[code]
        assert ind["IndicatorStatus"] == status, code
        assert ind["BerekendeWaarde"] is None and ind["Noemer"] is None, code
    kal = site.indicatoren["I-SP6-2"]
    assert (kal["Teller"], kal["Noemer"], kal["BerekendeWaarde"], kal["IndicatorStatus"]) == (
        teller, noemer, 50.0, "Niet behaald")
    assert {i["Definitief"] for i in site.indicatoren.values()} == {definitief}
    assert all(i["Controlemelding"] is None for i in site.indicatoren.values())


def test_goal_status(either):
    expected = {"D-SP1-1": "Op koers", "D-SP4-1": "Op koers", "D-SP2-1": "Niet op koers",
                "D-SP6-1": "Niet op koers", "D-SP6-2": "Niet op koers"}
    got = {code: d["DoelStatus"] for code, d in either.doelen.items()}
    assert got == {code: expected.get(code, "Nog niet meetbaar") for code in got}
    assert len(got) == 11


def test_activity_category(c1):
    assert {c: a["VoortgangCategorie"] for c, a in c1.activiteiten.items()} == {
        "A-25-01": "Mee bezig", "A-25-02": "Uitgevoerd", "A-25-03": "Mee bezig",
        "A-25-04": "Niet begonnen of niet haalbaar", "A-25-05": "Uitgevoerd",
        "A-25-06": "Mee bezig", "A-25-07": "Niet begonnen of niet haalbaar"}
    assert all(a["Controlemelding"] is None for a in c1.activiteiten.values())


def test_no_other_findings(c2):
    """At C2 the only findings are the two out-of-year bookings and the hours on PL-25-01."""
    got = sorted((f.list_key, f.ref, f.code) for f in c2.outcome.findings)
    assert got == [("projecten", "PL-25-01", "GEEN_UREN_TOEGEKEND"),
                   ("urenregistratie", "ID 5", "DATUM_BUITEN_PLANJAAR"),
                   ("urenregistratie", "ID 9", "DATUM_BUITEN_PLANJAAR")]


# --- Report ------------------------------------------------------------------------------------


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_report_reopens_and_speaks_of_kalenderjaar_2025(c1):
    path = c1.outcome.report_path
    assert path is not None and path.name == "MT-rapportage 2025-W38.docx"
    text = _docx_text(path)
    assert "Plein 013" in text
    assert "Tussenstand: het kalenderjaar 2025 loopt nog" in text
    assert "Datum 19-12-2024 valt buiten kalenderjaar 2025." in text
    assert "schooljaar" not in text
    assert c1.outcome.uploaded is not None
    assert c1.outcome.uploaded.length == path.stat().st_size


def test_january_report_does_not_call_a_definitive_figure_a_tussenstand(c2):
    """Was a bug: the 2025 row (Definitief) was labelled with the 2026 run's tussenstand."""
    assert c2.indicatoren["I-SP6-2"]["Definitief"] is True
    document = docx.Document(str(c2.outcome.report_path))
    kpi = {r.cells[0].text.strip(): [c.text.strip() for c in r.cells]
           for t in document.tables for r in t.rows}["Documenten besproken volgens jaarkalender"]
    basis, status = kpi[2], kpi[4]
    # One planjaar rule for the whole report: the lists hold no 2026 figures yet, so the
    # report is about 2025, definitively, in the header as in the key figures.
    assert not ("4 van 8" in basis and "tussenstand" in status), kpi
    assert "4 van 8" in basis and status == "Niet behaald (definitief)", kpi
    header = "\n".join(p.text for p in document.paragraphs[:4])
    assert "kalenderjaar 2025" in header and "Definitieve cijfers" in header, header
