"""``spsync runs`` and ``spsync history`` through click, on a real state file."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from state_factory import MT, alert

from spsync.cli import main
from spsync.config import StateConfig
from spsync.state import open_state
from spsync.writeback import FieldChange


def _config(tmp_path: Path, state_path: Path) -> Path:
    path = tmp_path / "spsync.toml"
    path.write_text(f'[site]\nurl = "http://127.0.0.1:1/sites/swv"\n\n[lists]\n'
                    f'projecten = "Projecten SWV"\n\n[state]\npath = "{state_path}"\n',
                    encoding="utf-8")
    return path


@pytest.fixture
def filled(tmp_path):
    """A store with three runs, changes to Projecten item 4 and alerts about it."""
    state_path = tmp_path / "state" / "s.db"
    with open_state(StateConfig(path=state_path)) as store:
        first = store.begin_run(controledatum=date(2026, 5, 8),
                                started_at=datetime(2026, 5, 8, 5, 0, tzinfo=UTC), dry_run=False)
        store.finish_run(first, outcome="ok", ended_at=datetime(2026, 5, 8, 5, 2, tzinfo=UTC),
                         read_counts={"projecten": 17, "urenregistratie": 301, "doelen": None},
                         requests=23, items_written=11, alerts_sent=4)
        store.record_changes(first, [
            FieldChange("projecten", 4, "UrenStatus", None, "Risico op overschrijding"),
            FieldChange("projecten", 4, "UrenGeschreven", 230.5, 262.5)],
            datetime(2026, 5, 8, 5, 1, tzinfo=UTC))
        second = store.begin_run(controledatum=date(2026, 5, 15),
                                 started_at=datetime(2026, 5, 15, 5, 0, tzinfo=UTC), dry_run=True)
        store.finish_run(second, outcome="gestopt", ended_at=datetime(2026, 5, 15, 5, 1,
                                                                      tzinfo=UTC),
                         read_counts={"projecten": 17}, requests=9, items_written=0)
        third = store.begin_run(controledatum=date(2026, 5, 15),
                                started_at=datetime(2026, 12, 1, 23, 30, tzinfo=UTC),
                                dry_run=False)
        store.record_changes(third, [
            FieldChange("projecten", 4, "UrenStatus", "Risico op overschrijding", "Overschreden"),
            FieldChange("projecten", 4, "StatusGewijzigdOp", None, "2026-12-01T23:30:00Z")],
            datetime(2026, 12, 1, 23, 31, tzinfo=UTC))
        owner, _mt = store.record_intents(third, [alert(), alert(MT)],
                                         datetime(2026, 12, 1, 23, 31, tzinfo=UTC))
        store.mark_attempt([owner.id], "<m@x>", datetime(2026, 12, 1, 23, 32, tzinfo=UTC))
        store.mark_sent([owner.id], "<m@x>", datetime(2026, 12, 1, 23, 32, tzinfo=UTC))
    return _config(tmp_path, state_path), (first, second, third)


def test_runs_lists_the_last_runs_in_dutch_newest_first(filled):
    config, (first, _second, third) = filled
    result = CliRunner().invoke(main, ["runs", "--config", str(config)])
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header.split() == ["nummer", "start", "controledatum", "uitkomst", "gelezen",
                              "geschreven", "verzonden", "verzoeken"]
    assert len(rows) == 3
    # 23:30 UTC on 1 December is 00:30 on 2 December in Amsterdam (CET).
    assert rows[0].split() == [str(third), "02-12-2026", "00:30", "15-05-2026", "niet",
                               "afgerond", "-", "-", "-", "-"]
    assert "gestopt (veiligheidsklep) (proefrun)" in rows[1]
    # 07:00 CEST; 17 + 301 read (the missing list counts as none); 11 written, 4 sent, 23 requests
    assert rows[2].split() == [str(first), "08-05-2026", "07:00", "08-05-2026", "ok", "318",
                               "11", "4", "23"]
    limited = CliRunner().invoke(main, ["runs", "--config", str(config), "--limit", "1"])
    assert len(limited.output.splitlines()) == 2
    assert limited.output.splitlines()[1].split()[0] == str(third)


@pytest.mark.parametrize("name", ["projecten", "Projecten SWV", "PROJECTEN swv"])
def test_history_shows_changes_and_alerts_by_list_key_or_title(filled, name):
    config, (first, _second, third) = filled
    result = CliRunner().invoke(main, ["history", "--config", str(config), "--list", name,
                                       "--item", "4"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Wijzigingen door spsync in Projecten SWV, item 4:"
    assert lines[1:5] == [
        f"  08-05-2026 07:01  run {first}  UrenStatus: (leeg) → Risico op overschrijding",
        f"  08-05-2026 07:01  run {first}  UrenGeschreven: 230,5 → 262,5",
        f"  02-12-2026 00:31  run {third}  UrenStatus: Risico op overschrijding → Overschreden",
        f"  02-12-2026 00:31  run {third}  StatusGewijzigdOp: (leeg) → 02-12-2026 00:30",
    ]
    assert lines[5] == "Signalen over Projecten SWV, item 4:"
    assert lines[6] == (f"  02-12-2026 00:31  run {third}  uren aan p.jansen@swv-almere.nl "
                        "via email: verzonden 02-12-2026 00:32")
    assert lines[7].endswith("mt@swv-almere.nl via email: nog te verzenden")


def test_history_of_an_untouched_item_says_so(filled):
    config, _ = filled
    result = CliRunner().invoke(main, ["history", "--config", str(config), "--list",
                                       "Projecten SWV", "--item", "99"])
    assert result.exit_code == 0
    assert result.output == "Geen wijzigingen gevonden voor Projecten SWV item 99.\n"


def test_history_of_an_unknown_list_names_the_known_ones(filled):
    config, _ = filled
    result = CliRunner().invoke(main, ["history", "--config", str(config), "--list", "Taken",
                                       "--item", "1"])
    assert result.exit_code == 2
    assert "onbekende lijst 'Taken'" in result.output and "Projecten SWV (projecten)" in (
        result.output)


@pytest.mark.parametrize("command", [["runs"], ["history", "--list", "projecten", "--item", "4"]])
def test_a_missing_state_file_is_one_dutch_line_exit_2_and_not_created(tmp_path, command):
    state_path = tmp_path / "nergens" / "s.db"
    config = _config(tmp_path, state_path)
    result = CliRunner().invoke(main, [*command, "--config", str(config)])
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line.startswith("Fout: De statusopslag ") and str(state_path) in line
    assert "spsync run --once" in line and "Traceback" not in result.output
    assert not state_path.exists()


def test_an_unreadable_state_file_is_one_dutch_line_exit_2(tmp_path):
    state_path = tmp_path / "s.db"
    state_path.write_text("geen database " * 500)
    result = CliRunner().invoke(main, ["runs", "--config", str(_config(tmp_path, state_path))])
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert "geen (geldige) SQLite-database" in line and result.exception.__class__ is SystemExit


def test_runs_without_config_uses_the_default_path_and_an_empty_store_says_so(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    missing = CliRunner().invoke(main, ["runs"])
    assert missing.exit_code == 2 and "state/spsync-state.db" in missing.output
    open_state(StateConfig()).close()
    result = CliRunner().invoke(main, ["runs"])
    assert result.exit_code == 0 and result.output == "Nog geen runs vastgelegd.\n"


def test_a_bad_config_is_reported_like_everywhere_else(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[site]\nurl = "ftp://x"\n')
    result = CliRunner().invoke(main, ["runs", "--config", str(path)])
    assert result.exit_code == 2 and "site.url" in result.output
