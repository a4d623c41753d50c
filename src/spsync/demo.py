"""``spsync demo``: one command that shows a newcomer the whole cycle on the local sandbox.

Starts the sandbox on loopback, loads the packaged demo data (schooljaar 2025-2026), runs one
cycle as of 15 May 2026 through the real client library and leaves the report and the sandbox's
SQLite file behind, so the result can be opened in Word and browsed over REST.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

from spsync.config import config_from_dict
from spsync.cycle import CycleOutcome, run_cycle
from spsync.sandbox import SandboxServer, load_csv_dir
from spsync.sharepoint import SharePointGateway
from spsync.auth import sandbox_token

__all__ = ["DEMO_CONTROLEDATUM", "demo_data_dir", "run_demo"]

DEMO_CONTROLEDATUM = date(2026, 5, 15)


def demo_data_dir() -> Path:
    """The packaged copy of ../shared/demo (a test checks it is identical)."""
    return Path(str(resources.files("spsync") / "demo_data"))


def run_demo(out_dir: Path) -> tuple[CycleOutcome, Path]:
    """Fresh sandbox db in ``out_dir``, demo data loaded, one cycle; returns outcome and db."""
    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / "sandbox.db"
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)
    load_csv_dir(db, demo_data_dir())
    with SandboxServer(db) as server:
        config = config_from_dict({
            "site": {"url": server.site_url, "organisation": "Passend Onderwijs Almere (demo)"},
            "auth": {"mode": "sandbox"},
            "report": {"output_dir": str(out_dir)},
        }, "demo")
        gateway = SharePointGateway(server.site_url, sandbox_token,
                                    user_agent_org=config.site.user_agent_org)
        try:
            outcome = run_cycle(gateway, config, DEMO_CONTROLEDATUM, out_dir=out_dir)
        finally:
            gateway.close()
    return outcome, db
