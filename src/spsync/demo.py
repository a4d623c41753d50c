"""``spsync demo``: one command that shows a newcomer the whole cycle on the local sandbox.

Starts the sandbox on loopback, loads the packaged demo data (schooljaar 2025-2026), runs one
cycle as of 15 May 2026 through the real client library and leaves the report and the sandbox's
SQLite file behind, so the result can be opened in Word and browsed over REST.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from spsync.auth import sandbox_token
from spsync.config import config_from_dict
from spsync.cycle import CycleOutcome
from spsync.jobs import run_once
from spsync.sandbox import SandboxServer, load_csv_dir
from spsync.sharepoint import SharePointGateway

__all__ = ["DEMO_CONTROLEDATUM", "demo_data_dir", "run_demo"]

DEMO_CONTROLEDATUM = date(2026, 5, 15)


def demo_data_dir() -> Path:
    """The packaged copy of ../shared/demo (a test checks it is identical)."""
    return Path(str(resources.files("spsync") / "demo_data"))


def run_demo(out_dir: Path, controledatum: date = DEMO_CONTROLEDATUM, *,
             fresh: bool = True) -> tuple[CycleOutcome, Path]:
    """One cycle on the sandbox in ``out_dir``; returns the outcome and the sandbox db.

    ``fresh`` (the default) starts from the demo data with no history: a new sandbox, state
    store and outbox. ``fresh=False`` continues the previous demo (its site, state and outbox),
    e.g. a week later, so the report shows the change since that run and only new alerts go out.
    Alerts are written as ``.eml`` files into ``out_dir/outbox`` instead of being sent.

    The cycle runs as of 07:00 on ``controledatum`` (Amsterdam), not the wall clock: the site's
    "sent on" columns, the ledger's send times and the report's "signalen deze week" then lie
    on the demo's own timeline, so a continued demo a fortnight later sends the reminders and
    escalations due by then (with the wall clock, a reminder sent "today" would count as sent
    after every later stage).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / "sandbox.db"
    state = out_dir / "state.db"
    outbox = out_dir / "outbox"
    if fresh or not db.exists():
        for stale in (db, state):
            for path in (stale, stale.with_name(stale.name + "-wal"),
                         stale.with_name(stale.name + "-shm")):
                path.unlink(missing_ok=True)
        if outbox.is_dir():
            for eml in outbox.glob("*.eml"):
                eml.unlink()
        load_csv_dir(db, demo_data_dir())
    with SandboxServer(db) as server:
        config = config_from_dict({
            "site": {"url": server.site_url, "organisation": "Passend Onderwijs Almere (demo)"},
            "auth": {"mode": "sandbox"},
            "report": {"output_dir": str(out_dir), "pdf": "auto"},
            "state": {"path": str(state)},
            "alerts": {"mt_mailbox": "mt@swv-demo.example", "mt_name": "MT"},
        }, "demo")
        gateway = SharePointGateway(server.site_url, sandbox_token,
                                    user_agent_org=config.site.user_agent_org)
        try:
            as_of = datetime.combine(controledatum, time(7), ZoneInfo("Europe/Amsterdam"))
            outcome = run_once(gateway, config, controledatum, out_dir=out_dir, outbox=outbox,
                               now=as_of.astimezone(UTC))
        finally:
            gateway.close()
    return outcome, db
