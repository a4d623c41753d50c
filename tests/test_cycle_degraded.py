"""A site that is not as the data model says: missing lists and columns, a dry run, the CLI.

The run must finish, name what is missing in Dutch (finding, summary, log) and exit 1 — never a
traceback. Everything runs over real HTTP against the sandbox.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import docx
from click.testing import CliRunner

from spsync import schema
from spsync.auth import sandbox_token
from spsync.cli import main
from spsync.config import config_from_dict
from spsync.cycle import run_cycle
from spsync.demo import DEMO_CONTROLEDATUM
from spsync.sandbox import DEMO_DATA, SandboxServer, create_list, drop_list, load_csv_dir
from spsync.sharepoint import SharePointGateway
from spsync.summary import summary_lines

NOW = datetime(2026, 5, 15, 5, 0, tzinfo=UTC)


def _run(server, tmp_path):
    config = config_from_dict({"site": {"url": server.site_url}, "auth": {"mode": "sandbox"},
                               "report": {"output_dir": str(tmp_path / "out")}})
    gateway = SharePointGateway(server.site_url, sandbox_token)
    try:
        return run_cycle(gateway, config, DEMO_CONTROLEDATUM, now=NOW)
    finally:
        gateway.close()


def _doc_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_missing_list_is_named_reported_and_the_rest_still_runs(tmp_path, caplog):
    db = tmp_path / "s.db"
    load_csv_dir(db, DEMO_DATA)
    drop_list(db, "Jaarkalender")
    with SandboxServer(db) as server, caplog.at_level(logging.INFO):
        outcome = _run(server, tmp_path)
    missing = [f for f in outcome.findings if f.code == "LIJST_ONTBREEKT"]
    assert [f.ref for f in missing] == ["Jaarkalender"]
    assert "Lijst 'Jaarkalender' ontbreekt op de site" in missing[0].message
    assert outcome.exit_code == 1
    assert any("Jaarkalender' ontbreekt" in line for line in summary_lines(outcome))
    assert "Lijst 'Jaarkalender' ontbreekt op de site" in caplog.text
    assert "Lijst 'Jaarkalender' ontbreekt op de site" in _doc_text(outcome.report_path)
    # The lists that do exist were checked and written as usual.
    assert outcome.written["projecten"] == 17 and outcome.written["urenregistratie"] == 8
    assert outcome.read_counts["jaarkalender"] is None


def test_missing_staff_column_and_owned_column(tmp_path, caplog):
    db = tmp_path / "s.db"
    load_csv_dir(db, DEMO_DATA)
    create_list(db, schema.list_def("urenregistratie"), omit_columns=["Uren"])
    create_list(db, schema.list_def("projecten"), omit_columns=["UrenStatus"])
    with SandboxServer(db) as server, caplog.at_level(logging.INFO):
        server.clear_log()
        outcome = _run(server, tmp_path)
        statuses = [r.status for r in server.requests]
    assert 400 not in statuses  # nothing asked for a column the site does not have
    messages = {f.message for f in outcome.findings if f.code == "KOLOM_ONTBREEKT"}
    assert "Kolom 'Uren' ontbreekt in de lijst 'Urenregistratie'." in messages
    assert any("Kolom 'UrenStatus' ontbreekt in de lijst 'Projecten'" in m for m in messages)
    assert outcome.exit_code == 1
    # Without an hours column every booking is invalid (UREN_LEEG), and nothing counts.
    assert set(outcome.result.urenregistratie["BoekingStatus"]) == {"Ongeldig"}
    assert outcome.result.projecten["GeboekteUren"].sum() == 0
    assert "Kolom 'Uren' ontbreekt" in caplog.text


def test_cli_run_against_a_served_sandbox_with_a_missing_list(tmp_path):
    db = tmp_path / "s.db"
    load_csv_dir(db, DEMO_DATA)
    drop_list(db, "Urenregistratie")
    with SandboxServer(db) as server:
        cfg = tmp_path / "c.toml"
        cfg.write_text(f'[site]\nurl = "{server.site_url}"\n[auth]\nmode = "sandbox"\n'
                       f'[report]\noutput_dir = "{tmp_path / "out"}"\n', encoding="utf-8")
        result = CliRunner().invoke(main, ["run", "--once", "--config", str(cfg),
                                           "--controledatum", "2026-05-15"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "Urenregistratie ontbreekt" in result.output
    assert "Lijst 'Urenregistratie' ontbreekt op de site" in result.output


def test_cli_dry_run_prints_the_diff_and_writes_nothing(sandbox, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[site]\nurl = "{sandbox.site_url}"\n[auth]\nmode = "sandbox"\n',
                   encoding="utf-8")
    sandbox.clear_log()
    result = CliRunner().invoke(main, ["run", "--once", "--config", str(cfg), "--dry-run",
                                       "--controledatum", "2026-05-15", "--out",
                                       str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "Urenregistratie item 166: BoekingStatus: (leeg) -> 'Ongeldig'" in result.output
    assert "Proefdraaien:" in result.output
    assert not [r for r in sandbox.requests if r.method in ("MERGE", "DELETE")]
    assert (tmp_path / "o" / "MT-rapportage 2026-W20.docx").exists()


def test_cli_demo_leaves_report_db_and_log(tmp_path):
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "MT-rapportage 2026-W20.docx").stat().st_size > 10_000
    assert (out / "sandbox.db").exists() and (out / "spsync.log").exists()
    assert f"spsync sandbox serve --db {out / 'sandbox.db'}" in result.output
    assert "Projecten: 10 binnen uren, 4 overschreden, 2 risico op overschrijding" in result.output
    # Running it again starts from a fresh sandbox: same result, not a second-run no-op.
    again = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert "Bijgewerkt: 111 item(s)" in again.output


def test_sandbox_serve_prints_the_site_url_first_and_serves_the_demo_db(tmp_path):
    db = tmp_path / "s.db"
    load_csv_dir(db, DEMO_DATA)
    proc = subprocess.Popen([sys.executable, "-m", "spsync.cli", "sandbox", "serve", "--db",
                             str(db)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        first = proc.stdout.readline().strip()
        assert first.startswith("http://127.0.0.1:") and first.endswith("/sites/spsync")
        gateway = SharePointGateway(first, sandbox_token)
        info = gateway.describe_lists(["Projecten"])["Projecten"]
        assert len(gateway.read_items(info, ["ProjectCode"])) == 17
        gateway.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_sandbox_serve_refuses_a_missing_db(tmp_path):
    result = CliRunner().invoke(main, ["sandbox", "serve", "--db", str(tmp_path / "nope.db")])
    assert result.exit_code == 2 and "bestaat niet" in result.output
