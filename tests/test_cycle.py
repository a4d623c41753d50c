"""One full cycle over real HTTP: the real client library against the sandbox, demo data.

Each test reads its evidence back from the sandbox (a fresh gateway, or the sandbox's request
log), not from what the cycle says it did.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest

from spsync.auth import sandbox_token
from spsync.config import config_from_dict
from spsync.cycle import run_cycle
from spsync.demo import DEMO_CONTROLEDATUM, demo_data_dir
from spsync.sharepoint import SharePointGateway

EXPECTED = demo_data_dir() / "expected"
NOW = datetime(2026, 5, 15, 5, 0, tzinfo=UTC)


def _csv(name: str) -> list[dict[str, str]]:
    with open(EXPECTED / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _num(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


@pytest.fixture
def site(sandbox, tmp_path):
    """(server, config, gateway) on a sandbox loaded with the demo data."""
    config = config_from_dict({"site": {"url": sandbox.site_url, "organisation": "Demo"},
                               "auth": {"mode": "sandbox"},
                               "report": {"output_dir": str(tmp_path / "out")}})
    gateway = SharePointGateway(sandbox.site_url, sandbox_token)
    yield sandbox, config, gateway
    gateway.close()


def _read_back(server, title: str, select: list[str], expand: list[str] = ()) -> dict[int, dict]:
    """Read a list through a fresh gateway: the values SharePoint now holds."""
    gw = SharePointGateway(server.site_url, sandbox_token)
    try:
        info = gw.describe_lists([title])[title]
        return {i.id: dict(i.values) for i in gw.read_items(info, select, expand)}
    finally:
        gw.close()


def _item_merges(server) -> list:
    """MERGEs on list items (the report file's own metadata is set on every upload)."""
    return [r for r in server.requests if r.method.upper() == "MERGE"
            and "/items" in r.path.lower()]


def test_demo_cycle_writes_the_expected_hours_and_calendar_columns(site):
    server, config, gateway = site
    outcome = run_cycle(gateway, config, DEMO_CONTROLEDATUM, now=NOW)
    assert outcome.exit_code == 0

    projects = _read_back(server, "Projecten", [
        "ProjectCode", "GeboekteUren", "RestUren", "VerbruikPct", "UrenStatus", "BudgetStatus",
        "OngeldigeBoekingen", "StatusGewijzigdOp"])
    by_code = {p["ProjectCode"]: p for p in projects.values()}
    expected = _csv("projecten_status.csv")
    assert len(by_code) == len(expected) == 17
    for row in expected:
        got = by_code[row["ProjectCode"]]
        assert got["UrenStatus"] == row["UrenStatus"], row["ProjectCode"]
        assert got["BudgetStatus"] == row["BudgetStatus"], row["ProjectCode"]
        for col in ("GeboekteUren", "RestUren", "VerbruikPct", "OngeldigeBoekingen"):
            want = _num(row[col])
            where = (row["ProjectCode"], col, got[col], row[col])
            if want is None:
                assert got[col] is None, where
            else:
                assert got[col] == pytest.approx(want), where
        assert got["StatusGewijzigdOp"] is not None  # first run: every status is new

    calendar = _read_back(server, "Jaarkalender", ["KalenderStatus", "DagenTeLaat"])
    expected_cal = _csv("jaarkalender_status.csv")
    assert len(calendar) == len(expected_cal) == 24
    for row in expected_cal:
        got = calendar[int(row["ID"])]
        assert got["KalenderStatus"] == row["KalenderStatus"], row["ID"]
        assert got["DagenTeLaat"] == (pytest.approx(_num(row["DagenTeLaat"]))
                                      if row["DagenTeLaat"] else None), row["ID"]


def test_invalid_bookings_are_marked_and_reported_not_crashed_on(site):
    server, config, gateway = site
    outcome = run_cycle(gateway, config, DEMO_CONTROLEDATUM, now=NOW)
    bookings = _read_back(server, "Urenregistratie", ["BoekingStatus", "Controlemelding"])
    invalid = {i for i, b in bookings.items() if b["BoekingStatus"] == "Ongeldig"}
    expected = {int(r["ID"]): r["Meldingcodes"].split(";")
                for r in _csv("urenregistratie_ongeldig.csv")}
    assert invalid == set(expected)
    for item_id, codes in expected.items():
        for code in codes:
            assert code in bookings[item_id]["Controlemelding"]
    assert all(b["Controlemelding"] is None for i, b in bookings.items() if i not in invalid)
    # ... and each one is a finding (the report's Datakwaliteit section is built from these).
    found = {(f.item_id, f.code) for f in outcome.findings if f.list_key == "urenregistratie"}
    for item_id, codes in expected.items():
        assert {(item_id, c) for c in codes} <= found


def test_first_demo_cycle_writes_111_items_in_two_mixed_batches(site):
    server, config, gateway = site
    server.clear_log()
    outcome = run_cycle(gateway, config, DEMO_CONTROLEDATUM, now=NOW)
    assert sum(outcome.written.values()) == 111 and len(outcome.written) == 6
    write_batches = [r for r in server.requests if r.method == "POST" and not r.in_batch
                     and r.path.endswith("$batch") and b"MERGE" in (r.body or b"")]
    assert len(write_batches) == 2  # 100 + 11 parts, lists mixed (one per list was 6)
    assert len(outcome.applied) == len(outcome.changes)


def test_second_run_on_unchanged_data_writes_nothing(site):
    server, config, gateway = site
    first = run_cycle(gateway, config, DEMO_CONTROLEDATUM, now=NOW)
    assert sum(first.written.values()) > 0
    server.clear_log()
    second = run_cycle(gateway, config, DEMO_CONTROLEDATUM, now=NOW)
    assert sum(second.written.values()) == 0
    assert second.changes == []
    assert _item_merges(server) == []
    assert not [r for r in server.requests if "$batch" in r.path and r.method == "POST"
                and b"MERGE" in (r.body or b"")]


def test_concurrent_edit_is_not_lost_and_not_clobbered(site):
    server, config, gateway = site
    projects = _read_back(server, "Projecten", ["ProjectCode"])
    p04 = next(i for i, p in projects.items() if p["ProjectCode"] == "P-2526-04")
    # A staff member raises the budget and edits the description while spsync computes.
    server.concurrent_edit("Projecten", p04, {"ToegekendeUren": 300, "Omschrijving": "Bijgesteld"})
    outcome = run_cycle(gateway, config, DEMO_CONTROLEDATUM, now=NOW)
    assert ("projecten", p04) in outcome.conflicts
    assert outcome.rounds == 2 and outcome.unresolved == []
    assert any(r.status == 412 for r in server.requests)
    after = _read_back(server, "Projecten", ["ToegekendeUren", "Omschrijving", "GeboekteUren",
                                             "RestUren", "UrenStatus"])[p04]
    assert after["Omschrijving"] == "Bijgesteld" and after["ToegekendeUren"] == 300
    # Recomputed from the re-read budget, not the stale 240: 262.5 of 300 is within the hours.
    assert after["GeboekteUren"] == pytest.approx(262.5)
    assert after["RestUren"] == pytest.approx(37.5)
    assert after["UrenStatus"] == "Binnen uren"


def test_report_is_written_uploaded_and_holds_every_project(site, tmp_path):
    server, config, gateway = site
    outcome = run_cycle(gateway, config, DEMO_CONTROLEDATUM, now=NOW)
    assert outcome.report_path == tmp_path / "out" / "MT-rapportage 2026-W20.docx"
    document = docx.Document(str(outcome.report_path))
    cells = {c.text.strip() for t in document.tables for r in t.rows for c in r.cells}
    codes = {r["ProjectCode"] for r in _csv("projecten_status.csv")}
    assert codes <= cells, codes - cells
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Datakwaliteit" in text
    # The uploaded copy is byte-identical to the local one.
    assert outcome.uploaded is not None
    assert outcome.uploaded.length == outcome.report_path.stat().st_size
    assert outcome.uploaded.server_relative_url.endswith("/MT-rapportage 2026-W20.docx")
    library = _read_back(server, "MT-rapportages", ["Rapportageweek", "Controledatum", "Planjaar",
                                                    "GegenereerdOp", "FileLeafRef"])
    [meta] = library.values()
    assert meta["FileLeafRef"] == "MT-rapportage 2026-W20.docx"
    assert meta["Rapportageweek"] == "2026-W20" and meta["Planjaar"] == "2025-2026"
    assert meta["Controledatum"] == "2026-05-14T22:00:00Z"  # local midnight, as SharePoint stores
    assert meta["GegenereerdOp"] == "2026-05-15T05:00:00Z"


def test_dry_run_writes_and_uploads_nothing_but_shows_the_diff(site):
    server, config, gateway = site
    server.clear_log()
    outcome = run_cycle(gateway, config, DEMO_CONTROLEDATUM, dry_run=True, now=NOW)
    assert outcome.changes, "the first run has changes to show"
    assert sum(outcome.written.values()) == 0 and outcome.uploaded is None
    assert [r for r in server.requests if r.method == "MERGE"] == []
    assert not [r for r in server.requests if "files/add" in r.path.lower()]
    assert all(r.method == "GET" or r.path.lower().endswith(("contextinfo", "$batch"))
               for r in server.requests if not r.in_batch)


def test_report_name_uses_iso_weeks():
    from spsync.report import ReportMeta, report_filename

    def name(d: date) -> str:
        return report_filename(ReportMeta(organisation="X", controledatum=d))

    assert name(date(2026, 5, 15)) == "MT-rapportage 2026-W20.docx"
    assert name(date(2027, 1, 3)) == "MT-rapportage 2026-W53.docx"
    assert name(date(2026, 1, 1)) == "MT-rapportage 2026-W01.docx"


def test_requests_carry_a_decorated_user_agent(site):
    server, config, gateway = site
    run_cycle(gateway, config, DEMO_CONTROLEDATUM, dry_run=True, now=NOW)
    agents = {r.headers.get("user-agent") for r in server.requests if not r.in_batch}
    assert agents == {"NONISV|SWV|spsync/0.1.0"}


def test_demo_copy_is_identical_to_shared_demo():
    shared = Path(__file__).resolve().parents[2] / "shared" / "demo"
    if not shared.is_dir():
        pytest.skip("../shared/demo is not beside this checkout")
    ours = demo_data_dir()
    theirs = sorted(p.relative_to(shared) for p in shared.rglob("*") if p.is_file())
    mine = sorted(p.relative_to(ours) for p in ours.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts)
    assert mine == theirs
    for rel in theirs:
        assert (ours / rel).read_bytes() == (shared / rel).read_bytes(), rel


def test_all_lists_daemon_columns_are_written_as_expected(site):
    """S2: Doelen, Activiteiten and Indicatoren as SharePoint holds them after one cycle."""
    server, config, gateway = site
    run_cycle(gateway, config, DEMO_CONTROLEDATUM, now=NOW)

    goals = {g["DoelCode"]: g for g in _read_back(server, "Doelen", ["DoelCode", "DoelStatus"]
                                                  ).values()}
    for row in _csv("doelen_status.csv"):
        assert goals[row["DoelCode"]]["DoelStatus"] == row["DoelStatus"], row["DoelCode"]

    acts = {a["ActiviteitCode"]: a for a in _read_back(
        server, "Activiteiten", ["ActiviteitCode", "VoortgangCategorie", "Controlemelding"]
    ).values()}
    for row in _csv("activiteiten_categorie.csv"):
        got = acts[row["ActiviteitCode"]]
        assert got["VoortgangCategorie"] == (row["VoortgangCategorie"] or None), row
        if row["Meldingcode"]:
            assert row["Meldingcode"] in got["Controlemelding"]
        else:
            assert got["Controlemelding"] is None

    inds = {i["IndicatorCode"]: i for i in _read_back(server, "Indicatoren", [
        "IndicatorCode", "BerekendeWaarde", "Teller", "Noemer", "IndicatorStatus", "Definitief",
        "Controlemelding"]).values()}
    for row in _csv("indicatoren_status.csv"):
        got = inds[row["IndicatorCode"]]
        assert got["IndicatorStatus"] == row["IndicatorStatus"], row["IndicatorCode"]
        if row["Berekening"] != "Handmatig":
            assert got["BerekendeWaarde"] == pytest.approx(_num(row["Waarde"]))
        for col in ("Teller", "Noemer"):
            assert got[col] == (pytest.approx(_num(row[col])) if row[col] else None), (row, col)
        assert got["Definitief"] is False  # 15 May is before the end of 2025-2026: tussenstand
        if row["Meldingcode"]:
            assert row["Meldingcode"] in got["Controlemelding"]


def test_cycles_with_a_state_store_read_incrementally_and_cheaply(sandbox, tmp_path):
    """With a state store the cycle reads by change tokens: after the first cycle's own writes
    have been picked up, an unchanged cycle costs at most 2 requests per list and writes 0; on
    the same controledatum it skips the checks altogether (its input is the last cycle's)."""
    from spsync.jobs import run_once
    from spsync.state import open_state

    config = config_from_dict({"site": {"url": sandbox.site_url}, "auth": {"mode": "sandbox"},
                               "state": {"path": str(tmp_path / "state.db")},
                               "report": {"output_dir": str(tmp_path / "out")}})
    gateway = SharePointGateway(sandbox.site_url, sandbox_token)
    try:
        with open_state(config.state) as store:
            first = run_once(gateway, config, DEMO_CONTROLEDATUM, store=store, now=NOW,
                             make_report=False)
            second = run_once(gateway, config, DEMO_CONTROLEDATUM, store=store, now=NOW,
                              make_report=False)
            third = run_once(gateway, config, DEMO_CONTROLEDATUM, store=store, now=NOW,
                             make_report=False)
    finally:
        gateway.close()
    assert sum(first.written.values()) == 111
    assert all("volledig" in m or "full" in m.lower() for m in first.read_modes.values()), \
        first.read_modes
    assert sum(second.written.values()) == 0 and sum(third.written.values()) == 0
    lists = len(first.read_counts)
    assert third.requests <= 2 * lists, third.requests
    assert third.requests <= 2, third.requests  # the describe $batch (and its form digest)
    assert third.read_counts == first.read_counts
    assert second.skipped_since is None and third.skipped_since == second.run_id
    assert third.result is None and third.exit_code == 0
    assert "volledig" not in " ".join(second.read_modes.values())
    # the incremental picture is the full one: same statuses as a fresh full read would give
    assert second.result.projecten["UrenStatus"].to_dict() == \
        first.result.projecten["UrenStatus"].to_dict()
