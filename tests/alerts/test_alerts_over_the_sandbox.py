"""The hand-over to the cycle over real HTTP: read the demo site, check, plan, record intents,
one ETag-guarded write-back with the dedupe columns merged in, deliver to the outbox; then read
the site again: the columns are there, and a second pass plans, writes and sends nothing.

This is the order the cycle uses (see docs/ALERTS.md); the test spells it out step by step.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from email import message_from_bytes
from email.policy import default

from spsync.alerts.channels.outbox import OutboxChannel
from spsync.alerts.digest import render_digest
from spsync.alerts.dispatch import deliver, load_facts, plan_from_store, record_plan
from spsync.alerts.fields import merge_field_updates
from spsync.alerts.rules import AlertSettings, plan_alerts
from spsync.auth import sandbox_token
from spsync.checks import run_checks
from spsync.config import config_from_dict
from spsync.reader import read_snapshot
from spsync.sharepoint import SharePointGateway
from spsync.state import open_state
from spsync.workdays import settings_with_calendar
from spsync.writeback import plan_updates

from .test_rules_demo import FIRST_RUN

C = date(2026, 5, 15)
NOW = datetime(2026, 5, 15, 5, 0, tzinfo=UTC)


def one_pass(gateway, config, store, outbox: OutboxChannel, now: datetime):
    """read -> checks -> plan -> record intents -> write-back (merged) -> deliver."""
    snapshot = read_snapshot(gateway, config)
    calendar = config.alerts.work_calendar(C)
    settings = settings_with_calendar(config.rules.to_settings(), calendar)
    result = run_checks(snapshot.tables, settings, C)
    plan = plan_from_store(result, store, config, now=now)
    # The same as the pure call with the pieces spelled out:
    assert plan == plan_alerts(result, load_facts(store), AlertSettings.from_config(config),
                               calendar, site_url=config.site.url, list_titles=config.lists,
                               now=now)
    run_id = store.begin_run(controledatum=C, started_at=now, dry_run=False)
    record_plan(store, plan, run_id=run_id, at=now)
    written: dict[str, int] = {}
    alert_changes = []
    for key, snap in snapshot.lists.items():
        if snap.frame is None or snap.info is None:
            continue
        updates, changes = plan_updates(key, snap.frame, getattr(result, key),
                                        snap.owned_on_site, snap.etags, now)
        updates, changes = merge_field_updates(key, updates, changes, plan, snap.frame,
                                               snap.owned_on_site, snap.etags)
        alert_changes += [c for c in changes if c.column in (
            "GemistGesignaleerdOp", "HerinneringVerzondenOp", "UrenSignaalStatus")]
        if updates:
            outcome = gateway.update_items(snap.info, updates)
            assert not outcome.conflicts and not outcome.failed
            written[key] = len(outcome.written)
    report = deliver(store, config_channels(outbox), render_digest, run_id=run_id,
                     max_attempts=config.alerts.max_attempts, now_fn=lambda: now,
                     organisation=config.site.organisation)
    return plan, alert_changes, report


def config_channels(outbox: OutboxChannel):
    return {name: outbox for name in ("smtp", "graph", "teams", "signalen", "outbox")}


def test_first_and_second_pass_over_the_sandbox(sandbox, tmp_path):
    config = config_from_dict({
        "site": {"url": sandbox.site_url, "organisation": "Passend Onderwijs Almere"},
        "auth": {"mode": "sandbox"}, "state": {"path": str(tmp_path / "state.db")},
        "alerts": {"mt_mailbox": "mt@swv-demo.example"}})
    gateway = SharePointGateway(sandbox.site_url, sandbox_token)
    outbox = OutboxChannel(tmp_path / "outbox", sender="spsync <spsync@swv-demo.example>")
    try:
        with open_state(config.state) as store:
            plan, changes, report = one_pass(gateway, config, store, outbox, NOW)
            # The person columns resolved through the site's users (gebruikers.csv).
            assert len(report.sent) == 10 and report.findings == []
            files = sorted((tmp_path / "outbox").glob("*.eml"))
            assert len(files) == 10
            to = {message_from_bytes(f.read_bytes(), policy=default)["To"].addresses[0]
                  .addr_spec for f in files}
            assert to == set(FIRST_RUN)
            assert {(c.list_key, c.item_id, c.column) for c in changes} == {
                ("jaarkalender", i, "HerinneringVerzondenOp") for i in (9, 12, 17)} | {
                ("jaarkalender", i, "GemistGesignaleerdOp") for i in (14, 19)} | {
                ("projecten", i, "UrenSignaalStatus") for i in (1, 4, 8, 9, 13, 16)}
            # The site now holds the columns, as read by a fresh pass ...
            snap = read_snapshot(gateway, config)
            kal = snap.lists["jaarkalender"].frame
            assert kal.at[14, "GemistGesignaleerdOp"] == "2026-05-15T05:00:00Z"
            assert snap.lists["projecten"].frame.at[4, "UrenSignaalStatus"] == "Overschreden"
            # ... and a second pass the same day plans, writes and sends nothing.
            later = datetime(2026, 5, 15, 9, 0, tzinfo=UTC)
            plan2, changes2, report2 = one_pass(gateway, config, store, outbox, later)
            assert plan2.alerts == [] and plan2.field_updates == {} and changes2 == []
            assert report2.sent == [] and len(list((tmp_path / "outbox").glob("*.eml"))) == 10
    finally:
        gateway.close()
