"""A sync cycle whose input is the last cycle's skips the checks and the write-back.

Real HTTP against the sandbox, a real SQLite state store: each case changes one thing the
outcome depends on (a staff edit, the controledatum, the configuration, the last run's
outcome, the switch) and shows that the cycle then computes again.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from spsync.auth import sandbox_token
from spsync.config import config_from_dict
from spsync.demo import DEMO_CONTROLEDATUM
from spsync.jobs import run_once
from spsync.sharepoint import SharePointGateway
from spsync.state import open_state
from spsync.summary import summary_lines

NOW = datetime(2026, 5, 15, 5, 0, tzinfo=UTC)


def _config(sandbox, tmp_path, **incremental):
    return config_from_dict({"site": {"url": sandbox.site_url}, "auth": {"mode": "sandbox"},
                             "state": {"path": str(tmp_path / "state.db")},
                             "incremental": incremental,
                             "report": {"output_dir": str(tmp_path / "out")}})


@pytest.fixture
def primed(sandbox, tmp_path):
    """(server, config, store, gateway) after two cycles: the first writes the statuses, the
    second sees those writes in the change log and computes nothing new."""
    config = _config(sandbox, tmp_path)
    gateway = SharePointGateway(sandbox.site_url, sandbox_token)
    store = open_state(config.state)
    first = run_once(gateway, config, DEMO_CONTROLEDATUM, store=store, now=NOW,
                     make_report=False)
    second = run_once(gateway, config, DEMO_CONTROLEDATUM, store=store, now=NOW,
                      make_report=False)
    assert sum(first.written.values()) == 111 and second.skipped_since is None
    yield sandbox, config, store, gateway
    store.close()
    gateway.close()


def _cycle(gateway, config, store, day=DEMO_CONTROLEDATUM, **kw):
    return run_once(gateway, config, day, store=store, now=NOW, make_report=False, **kw)


def test_an_unchanged_cycle_skips_and_says_so(primed):
    sandbox, config, store, gateway = primed
    sandbox.clear_log()
    third = _cycle(gateway, config, store)
    fourth = _cycle(gateway, config, store)
    assert third.result is None and third.exit_code == 0
    previous = store.runs(limit=3)[2]
    assert third.skipped_since == previous.id == fourth.skipped_since
    # only the lists' metadata was asked: one describe $batch (plus a form digest at most)
    paths = [r.path.lower() for r in sandbox.requests if not r.in_batch]
    assert paths.count("$batch") == 2 and not any("/items" in p for p in paths), paths
    record = store.runs(limit=1)[0]
    assert record.outcome == "ok" and record.items_written == 0
    assert record.read_counts == previous.read_counts
    lines = summary_lines(third)
    assert any(f"Niets gewijzigd sinds run {previous.id}" in line for line in lines), lines
    assert "Bijgewerkt: 0 item(s)" in lines


def test_a_staff_edit_makes_the_cycle_compute(primed):
    sandbox, config, store, gateway = primed
    sandbox.edit_item("Urenregistratie", 1, {"Uren": 23})
    after = _cycle(gateway, config, store)
    assert after.skipped_since is None and after.result is not None
    assert "1 nieuw/gewijzigd" in after.read_modes["urenregistratie"]
    assert sum(after.written.values()) > 0  # the project's booked hours moved
    # the next cycle sees those writes of spsync's own and computes (writing nothing); the
    # one after that has nothing to do again
    own = _cycle(gateway, config, store)
    assert own.skipped_since is None and sum(own.written.values()) == 0
    assert _cycle(gateway, config, store).skipped_since == own.run_id


def test_another_controledatum_computes(primed):
    _, config, store, gateway = primed
    nxt = _cycle(gateway, config, store, day=date(2026, 5, 18))
    assert nxt.skipped_since is None and nxt.result is not None


def test_changed_settings_compute(primed, tmp_path):
    sandbox, config, store, gateway = primed
    changed = config.model_copy(update={"rules": config.rules.model_copy(
        update={"risk_threshold_pct": config.rules.risk_threshold_pct - 5})})
    assert _cycle(gateway, changed, store).skipped_since is None


def test_after_a_run_with_problems_the_cycle_computes(primed):
    _, config, store, gateway = primed
    last = store.runs(limit=1)[0]
    store.finish_run(last.id, outcome="problemen", ended_at=datetime.now(UTC),
                     read_counts=last.read_counts, requests=0, items_written=0,
                     details=last.details)
    assert _cycle(gateway, config, store).skipped_since is None


def test_a_due_full_read_computes(primed):
    _, config, store, gateway = primed
    state = store.list_state("projecten")
    store.save_list_state("projecten", state.token, state.schema_hash, state.item_count,
                          datetime(2026, 5, 1, tzinfo=UTC))
    nxt = _cycle(gateway, config, store)
    assert nxt.skipped_since is None
    assert "volledig" in nxt.read_modes["projecten"]


def test_force_and_the_switch_compute(primed, tmp_path):
    sandbox, config, store, gateway = primed
    assert _cycle(gateway, config, store, force=True).skipped_since is None
    off = config.model_copy(update={"incremental": config.incremental.model_copy(
        update={"skip_unchanged": False})})
    # the switch is part of the configuration, so the first cycle with it computes anyway;
    # the point is that the next one does too
    _cycle(gateway, off, store)
    assert _cycle(gateway, off, store).skipped_since is None
