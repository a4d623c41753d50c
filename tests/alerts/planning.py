"""Helpers for the rule tests: plan over real check results, apply a plan like a run would."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from spsync.alerts.rules import AlertPlan, AlertSettings, LedgerFacts, plan_alerts
from spsync.checks import CheckResult, CheckSettings, Tables, run_checks
from spsync.workdays import WorkCalendar
from spsync.writeback import to_wire

SITE = "http://127.0.0.1:8765/sites/swv"
TITLES = {"jaarkalender": "Jaarkalender", "projecten": "Projecten"}
MT = "mt@swv-demo.example"
SETTINGS = AlertSettings(mt_mailbox=MT, mt_name="MT (groepsmailbox)")
CALENDAR = WorkCalendar.for_years(range(2024, 2029), "Noord")
AMS = ZoneInfo("Europe/Amsterdam")


def morning(day: date) -> datetime:
    """07:00 Amsterdam time on ``day``, as an aware UTC instant (when a daily run happens)."""
    return datetime.combine(day, time(7), AMS).astimezone(UTC)


NO_FACTS = LedgerFacts()


def plan_for(result: CheckResult, facts: LedgerFacts = NO_FACTS,
             settings: AlertSettings = SETTINGS, calendar=CALENDAR) -> AlertPlan:
    return plan_alerts(result, facts, settings, calendar, site_url=SITE, list_titles=TITLES,
                       now=morning(result.controledatum))


def check(tables: Tables, c: date) -> CheckResult:
    return run_checks(tables, CheckSettings(), c)


def apply(tables: Tables, facts: LedgerFacts, plan: AlertPlan, sent_at: datetime
          ) -> LedgerFacts:
    """What a successful run leaves behind: the dedupe columns written on the site (in place,
    as the site returns them) and the ledger with the plan's keys, sent at ``sent_at``."""
    for list_key, items in plan.field_updates.items():
        frame = getattr(tables, list_key)
        for item_id, columns in items.items():
            for column, value in columns.items():
                if column not in frame.columns:
                    frame[column] = None
                    frame[column] = frame[column].astype(object)
                frame.at[item_id, column] = to_wire(value)
    keys = {k for k in facts.keys if not any(k.startswith(p) for p in plan.close_prefixes)}
    first = {k: v for k, v in facts.first_sent_at.items() if k in keys}
    for key in plan.keys:
        keys.add(key)
        if key.startswith("gemist|"):
            first.setdefault(key, sent_at)
    return LedgerFacts(frozenset(keys), first)


def digests(plan: AlertPlan) -> dict[str, set[tuple[str, str]]]:
    """recipient address -> {(kind, ref)}: what each digest holds (one channel here)."""
    out: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for a in plan.alerts:
        out[a.recipient.address].add((a.line.kind, a.line.ref))
    return dict(out)
