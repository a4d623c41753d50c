"""The safety valve over real HTTP: a broken picture of the site writes nothing that depends on
it, says why in Dutch (log, summary, report) and exits non-zero; ``--force`` proceeds.

The issue's own reproduction: with ``Urenregistratie.Uren`` missing, a cycle used to mark all 301
bookings Ongeldig and write the overrun projects as "Binnen uren" with 0 hours (404 wrong items).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import docx
import pytest

from spsync import schema
from spsync.auth import sandbox_token
from spsync.config import config_from_dict
from spsync.cycle import run_cycle
from spsync.demo import DEMO_CONTROLEDATUM
from spsync.sandbox import DEMO_DATA, SandboxServer, add_items, create_list, load_csv_dir
from spsync.sharepoint import SharePointGateway
from spsync.summary import summary_lines
from spsync.valve import GROUPS, judge

NOW = datetime(2026, 5, 15, 5, 0, tzinfo=UTC)
HOURS_FIELDS = {"GeboekteUren", "RestUren", "VerbruikPct", "UrenStatus", "OngeldigeBoekingen"}


def _cycle(server, tmp_path, *, columns=None, **kwargs):
    config = config_from_dict({"site": {"url": server.site_url}, "auth": {"mode": "sandbox"},
                               "columns": columns or {},
                               "report": {"output_dir": str(tmp_path / "out")}})
    gateway = SharePointGateway(server.site_url, sandbox_token)
    try:
        return run_cycle(gateway, config, DEMO_CONTROLEDATUM, now=NOW, **kwargs)
    finally:
        gateway.close()


def _merged_fields(server) -> set[str]:
    """Every field name MERGEd (batch parts included), from the sandbox's request log."""
    out: set[str] = set()
    for r in server.requests:
        if r.method == "MERGE" and r.body:
            out.update(k for k in json.loads(r.body) if k != "__metadata")
    return out


def _report_text(path) -> str:
    d = docx.Document(str(path))
    return "\n".join([p.text for p in d.paragraphs]
                     + [c.text for t in d.tables for row in t.rows for c in row.cells])


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "s.db"
    load_csv_dir(path, DEMO_DATA)
    return path


def test_missing_hours_column_writes_no_booking_and_no_hour_status(db, tmp_path, caplog):
    create_list(db, schema.list_def("urenregistratie"), omit_columns=["Uren"])
    with SandboxServer(db) as server, caplog.at_level(logging.INFO):
        outcome = _cycle(server, tmp_path)
        assert outcome.written["urenregistratie"] == 0
        changed = {c.column for c in outcome.changes if c.list_key == "projecten"}
        assert changed and not changed & HOURS_FIELDS  # BudgetStatus etc. still go out
        assert not {c for c in outcome.changes if c.list_key == "urenregistratie"}
    assert outcome.exit_code == 1 and outcome.verdict.stopped
    lines = summary_lines(outcome)
    assert any(line.startswith("Veiligheidsstop:") and "uren" in line for line in lines)
    assert "Kolom 'Uren' in de lijst 'Urenregistratie' ontbreekt op de site." in caplog.text
    assert "Veiligheidsstop" in _report_text(outcome.report_path)


def test_misnamed_budget_column_keeps_every_project_status(db, tmp_path):
    # ToegekendeUren mapped to a column the site does not have: 17 x "Geen uren toegekend" before.
    with SandboxServer(db) as server:
        outcome = _cycle(server, tmp_path,
                         columns={"projecten": {"ToegekendeUren": "Toegekende_x0020_uren"}})
    assert not [c for c in outcome.changes if c.column in HOURS_FIELDS]
    assert outcome.written["urenregistratie"] == 8  # bookings do not depend on the budget
    assert outcome.exit_code == 1


def test_emptied_bookings_list_writes_nothing_that_depends_on_it_and_force_proceeds(db, tmp_path):
    with SandboxServer(db) as server:
        first = _cycle(server, tmp_path)
    assert first.exit_code == 0 and sum(first.written.values()) == 111
    counts = dict(first.read_counts)
    add_items(db, "Urenregistratie", [], replace=True)
    with SandboxServer(db) as server:
        server.clear_log()
        held = _cycle(server, tmp_path, previous_counts=counts)
        assert not _merged_fields(server) & HOURS_FIELDS
    assert held.exit_code != 0 and held.verdict.stopped
    assert not [c for c in held.changes if c.column in HOURS_FIELDS]
    assert any("is leeg (bij de vorige geslaagde run: 301 items)" in p for p in held.problems)
    with SandboxServer(db) as server:
        forced = _cycle(server, tmp_path, previous_counts=counts, force=True)
    assert forced.exit_code == 0 and not forced.verdict.stopped
    assert forced.written["projecten"] == 17  # every project back to 0 hours, as asked


def test_shrink_beyond_the_limit_holds_back_and_within_the_limit_does_not():
    present = {d.key: frozenset(c.name for c in d.columns) for d in schema.LISTS}
    titles = {k: k.capitalize() for k in present}
    counts = {k: 100 for k in present}
    ok = judge(present=present, counts={**counts, "urenregistratie": 51},
               previous_counts=counts, titles=titles)
    assert not ok.stopped
    shrunk = judge(present=present, counts={**counts, "urenregistratie": 49},
                   previous_counts=counts, titles=titles)
    assert shrunk.stopped
    assert {g.name for g in shrunk.blocked_groups} == {"boekingen", "uren", "indicatoren",
                                                        "doelen"}
    assert "budget" not in {g.name for g in shrunk.blocked_groups}
    assert shrunk.blocked_alerts == {"uren"}
    assert "is gekrompen van 100 naar 49 items" in shrunk.messages()[0]
    forced = judge(present=present, counts={**counts, "urenregistratie": 49},
                   previous_counts=counts, titles=titles, force=True)
    assert not forced.stopped and forced.blocked == {} and forced.blocked_alerts == set()


def test_every_owned_column_belongs_to_a_group():
    grouped = {(g.list_key, c) for g in GROUPS for c in g.owned}
    owned = {(d.key, c) for d in schema.LISTS for c in schema.owned_columns(d.key)}
    assert owned - grouped == {("projecten", "StatusGewijzigdOp")}  # moves with a status
