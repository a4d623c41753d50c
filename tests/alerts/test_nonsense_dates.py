"""Bad data never stops a cycle: a jaarkalender row starting on 0001-01-01 (a typo nobody
caught) once made the reminder rule overflow computing "n days before the start"."""

from __future__ import annotations

from datetime import UTC, datetime

from spsync.auth import sandbox_token
from spsync.config import config_from_dict
from spsync.demo import DEMO_CONTROLEDATUM
from spsync.jobs import run_once
from spsync.sharepoint import SharePointGateway
from spsync.state import open_state


def test_a_period_start_of_year_one_is_not_a_crash(sandbox, tmp_path):
    rows = sandbox.store.all_items(sandbox.store.get_list("Jaarkalender").id)
    target = next(r for r in rows if (r.data.get("PeriodeEind") or "") > "2026-05-15")
    sandbox.edit_item("Jaarkalender", target.id, {"PeriodeStart": "0001-01-01T00:00:00Z"})
    config = config_from_dict({"site": {"url": sandbox.site_url}, "auth": {"mode": "sandbox"},
                               "state": {"path": str(tmp_path / "state.db")},
                               "report": {"output_dir": str(tmp_path / "out")}})
    gateway = SharePointGateway(sandbox.site_url, sandbox_token)
    try:
        with open_state(config.state) as store:
            outcome = run_once(gateway, config, DEMO_CONTROLEDATUM, store=store,
                               now=datetime(2026, 5, 15, 5, 0, tzinfo=UTC), make_report=False)
    finally:
        gateway.close()
    assert outcome.result is not None and outcome.alert_plan is not None
    assert sum(outcome.written.values()) > 0
