"""One full cycle: read the lists, run the checks, write back what changed, report, upload.

The shell around the pure core. Writes carry each item's ETag; when someone edited an item in
between (412), the cycle re-reads everything and recomputes, so a status is never written from
stale data and no staff field is ever sent. Bad data never stops the cycle: it becomes findings.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from spsync import schema
from spsync.alerts import Channel
from spsync.alerts.digest import render_digest
from spsync.alerts.dispatch import DeliveryReport, deliver, plan_from_store, record_plan
from spsync.alerts.fields import merge_field_updates
from spsync.alerts.rules import AlertPlan
from spsync.checks import run_checks
from spsync.checks.findings import finding
from spsync.checks.result import CheckResult, Finding
from spsync.config import Config
from spsync.exceptions import ReportError
from spsync.gateway import Gateway, ListInfo, UploadedFile
from spsync.incremental import (
    describe_all,
    full_read_due,
    input_fingerprint,
    read_snapshot_incremental,
)
from spsync.reader import Snapshot, read_snapshot
from spsync.report import ReportMeta, build_context, render_report, report_filename
from spsync.report.history import PreviousFigures, PreviousIndicator, SentAlert
from spsync.reporting import ReportOutcome, publish
from spsync.state import StateStore
from spsync.valve import Verdict, judge
from spsync.workdays import settings_with_calendar
from spsync.writeback import FieldChange, local_midnight_utc, plan_updates, to_wire

__all__ = ["MAX_ROUNDS", "CycleOutcome", "local_midnight_utc", "report_dir", "run_cycle"]

log = logging.getLogger(__name__)

#: Read-compute-write rounds before giving up on items that keep changing under us.
MAX_ROUNDS = 3
#: Finding codes that mean the site itself is incomplete (not one bad value).
SITE_PROBLEMS = frozenset({"LIJST_ONTBREEKT", "KOLOM_ONTBREEKT"})


@dataclass
class CycleOutcome:
    """What one cycle did, for the CLI summary, the logs and the tests."""

    controledatum: date
    dry_run: bool
    #: None only when the cycle was skipped (``skipped_since``): nothing was computed.
    result: CheckResult | None
    findings: list[Finding]
    read_counts: dict[str, int | None]
    changes: list[FieldChange] = field(default_factory=list)
    #: The changes that were actually written (for the audit in the state store).
    applied: list[FieldChange] = field(default_factory=list)
    written: Counter[str] = field(default_factory=Counter)
    conflicts: list[tuple[str, int]] = field(default_factory=list)
    unresolved: list[tuple[str, int]] = field(default_factory=list)
    failed: dict[tuple[str, int], str] = field(default_factory=dict)
    rounds: int = 0
    report_path: Path | None = None
    pdf_path: Path | None = None
    uploaded: UploadedFile | None = None
    problems: list[str] = field(default_factory=list)
    verdict: Verdict = field(default_factory=Verdict)
    run_id: int | None = None
    alert_plan: AlertPlan | None = None
    delivery: DeliveryReport | None = None
    requests: int = 0
    #: Per list how it was read last (in full and why, or incrementally), Dutch.
    read_modes: dict[str, str] = field(default_factory=dict)
    #: Dutch lines for the summary that are not problems (no exit code).
    notes: list[str] = field(default_factory=list)
    #: The run whose outcome still holds when nothing changed since (the cycle skipped the
    #: checks and the write-back, see :func:`_skip_unchanged`); None for a computed cycle.
    skipped_since: int | None = None
    #: :func:`spsync.incremental.input_fingerprint` of what this cycle read (None: unknown).
    fingerprint: str | None = None
    #: Run-record details a skipped cycle carries forward (planjaar, number of findings).
    carried: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 all done; 1 the cycle finished but something could not be written or uploaded,
        or the safety valve held writes back."""
        return 1 if (self.failed or self.unresolved or self.problems or self.verdict.stopped) \
            else 0


def _owned_missing_findings(snapshot: Snapshot) -> list[Finding]:
    return [
        Finding(s.key, None, s.title, "KOLOM_ONTBREEKT",
                f"Kolom '{col}' ontbreekt in de lijst '{s.title}'; spsync kan deze kolom "
                "niet bijwerken.")
        for s in snapshot.lists.values() for col in s.owned_missing
    ]


def _merge_findings(*groups: list[Finding]) -> list[Finding]:
    seen, merged = set(), []
    for item in (f for g in groups for f in g):
        key = (item.list_key, item.item_id, item.code, item.message)
        if key not in seen:
            seen.add(key)
            merged.append(item)
    return merged


def _present_columns(snapshot: Snapshot, config: Config) -> dict[str, frozenset[str] | None]:
    """Per list: the data model's columns the site has (None for a missing list)."""
    present: dict[str, frozenset[str] | None] = {}
    for key, snap in snapshot.lists.items():
        if snap.info is None:
            present[key] = None
            continue
        present[key] = frozenset(c.name for c in schema.list_def(key).columns
                                 if config.site_column(key, c.name) in snap.info.fields)
    return present


def judge_snapshot(snapshot: Snapshot, config: Config,
                   previous_counts: dict[str, int | None] | None, force: bool) -> Verdict:
    """The safety valve's verdict on what was read (see :mod:`spsync.valve`)."""
    return judge(present=_present_columns(snapshot, config),
                 counts={k: (None if s.frame is None else len(s.frame))
                         for k, s in snapshot.lists.items()},
                 previous_counts=previous_counts,
                 titles={k: s.title for k, s in snapshot.lists.items()},
                 max_shrink_pct=config.safety.max_shrink_pct, force=force)


def run_cycle(gateway: Gateway, config: Config, controledatum: date, *, dry_run: bool = False,
              out_dir: Path | None = None, now: datetime | None = None, force: bool = False,
              previous_counts: dict[str, int | None] | None = None,
              store: StateStore | None = None,
              channels: Mapping[str, Channel] | None = None,
              make_report: bool = True) -> CycleOutcome:
    """Run one cycle as of ``controledatum``; with ``dry_run`` nothing is written, recorded,
    sent or uploaded.

    With a ``store`` the cycle is recorded (run, audit, key figures), the safety valve compares
    with the last successful run's item counts (else ``previous_counts``), and alerts are
    planned, recorded as intents *before* the write-back and delivered over ``channels`` after
    it (docs/ALERTS.md). ``force`` overrides the valve. ``make_report=False`` (the daemon's
    half-hourly sync) leaves the weekly report to its own job.
    """
    now = now or run_clock_start(controledatum, config.rules.timezone)
    clock = _clock_from(now)
    begin = getattr(gateway, "begin_cycle", None)
    if callable(begin):  # [http] cycle_deadline counts from here
        begin()
    # The working-day calendar (holidays of [alerts] holiday_region) for the workdays forecast.
    settings = settings_with_calendar(config.rules.to_settings(),
                                      config.alerts.work_calendar(controledatum))
    if store is not None:
        last = store.last_successful_run()
        if last is not None:
            previous_counts = dict(last.read_counts)
    run_id = (store.begin_run(controledatum=controledatum, started_at=now, dry_run=False)
              if store is not None and not dry_run else None)
    requests_before = getattr(gateway, "requests_made", 0)
    outcome: CycleOutcome | None = None
    try:
        infos = (describe_all(gateway, config)
                 if _reads_incrementally(config, store, dry_run) else None)
        fingerprint = (input_fingerprint(infos, config, controledatum)
                       if infos is not None else None)
        if infos is not None and run_id is not None and not (make_report or force):
            assert store is not None  # reading incrementally needs one
            outcome = _skip_unchanged(store, config, controledatum, fingerprint, infos, now,
                                      run_id)
            if outcome is not None:
                _deliver(store, config, outcome, channels, clock)
                outcome.requests = getattr(gateway, "requests_made", 0) - requests_before
                _record_run(store, outcome, clock())
                return outcome
        pending: set[tuple[str, int]] = set()
        for round_no in range(1, MAX_ROUNDS + 1):
            snapshot, modes = _read(gateway, config, store, now, dry_run, infos)
            infos = None  # a later round (after a conflict) describes the lists afresh
            result = run_checks(snapshot.tables, settings, controledatum)
            findings = _merge_findings(_owned_missing_findings(snapshot), result.findings)
            if outcome is None:
                outcome = CycleOutcome(
                    controledatum, dry_run, result, findings,
                    read_counts={k: (None if s.frame is None else len(s.frame))
                                 for k, s in snapshot.lists.items()}, run_id=run_id,
                    fingerprint=fingerprint)
            else:
                outcome.result, outcome.findings = result, findings
            outcome.rounds = round_no
            outcome.read_modes = modes
            outcome.verdict = judge_snapshot(snapshot, config, previous_counts, force)
            plan = _plan_alerts(result, store, config, outcome, now)
            if plan is not None and run_id is not None:
                # Intent first (committed): a crash after this loses no alert (docs/ALERTS.md).
                record_plan(store, plan, run_id=run_id, at=now)
            conflicts = _write_round(gateway, snapshot, result, outcome, now, dry_run, plan)
            pending = set(conflicts)
            if dry_run or not conflicts or round_no == MAX_ROUNDS:
                break
            log.warning("%d item(s) zijn tijdens de run door iemand anders gewijzigd; "
                        "opnieuw lezen en herberekenen (ronde %d).", len(conflicts),
                        round_no + 1)
        assert outcome is not None
        outcome.unresolved = sorted(pending) if not dry_run else []
        if outcome.alert_plan is not None:
            outcome.findings += outcome.alert_plan.findings
        # A missing list or column is a site problem for the administrator: say it, exit 1.
        outcome.problems += [f.message for f in outcome.findings if f.code in SITE_PROBLEMS]
        _apply_verdict(outcome)
        if store is not None and run_id is not None:
            store.record_changes(run_id, outcome.applied, now)
            _deliver(store, config, outcome, channels, clock)
        for f in outcome.findings:
            log.warning("Bevinding %s %s %s: %s", f.list_key, f.ref, f.code, f.message)
        if make_report:
            _report(gateway, config, snapshot, outcome, report_dir(config, out_dir, dry_run),
                    now, store)
    except BaseException:
        if store is not None and run_id is not None:
            store.finish_run(run_id, outcome="fout", ended_at=clock(),
                             read_counts=outcome.read_counts if outcome else {},
                             requests=getattr(gateway, "requests_made", 0) - requests_before,
                             items_written=sum(outcome.written.values()) if outcome else 0)
        raise
    outcome.requests = getattr(gateway, "requests_made", 0) - requests_before
    if store is not None and run_id is not None:
        _record_run(store, outcome, clock())
    return outcome


def _reads_incrementally(config: Config, store: StateStore | None, dry_run: bool) -> bool:
    return store is not None and not dry_run and config.incremental.enabled


def _read(gateway: Gateway, config: Config, store: StateStore | None, now: datetime,
          dry_run: bool, infos: Mapping[str, ListInfo | None] | None = None
          ) -> tuple[Snapshot, dict[str, str]]:
    """Read the lists: incrementally by change tokens when there is a state store (the rows of
    the last read and each list's token live there), else in full. A dry run reads in full,
    because an incremental read records the new tokens and rows."""
    if not _reads_incrementally(config, store, dry_run):
        return read_snapshot(gateway, config), {}
    assert store is not None
    modes: dict[str, str] = {}
    snapshot = read_snapshot_incremental(gateway, config, store, now=now, modes=modes,
                                         infos=infos)
    for key, mode in modes.items():
        log.info("Gelezen %s: %s", key, mode)
    return snapshot, modes


def _skip_unchanged(store: StateStore, config: Config, controledatum: date,
                    fingerprint: str | None, infos: Mapping[str, ListInfo | None],
                    now: datetime, run_id: int) -> CycleOutcome | None:
    """The outcome of a cycle that has nothing to do, or None when it must compute.

    Nothing to do: the newest earlier cycle ended ``ok`` on the same input fingerprint (same
    change tokens, item counts, columns, controledatum, configuration and version), and no
    list is due for its periodic full read. The checks are pure, so computing again would
    give the same statuses (already written), findings and alerts (already in the ledger).
    A cycle after ``problemen``, a stop or a crash always computes: it has something to
    repair."""
    if fingerprint is None or not config.incremental.skip_unchanged:
        return None
    last = store.latest_run(before=run_id)
    if last is None or last.outcome != "ok" or last.controledatum != controledatum \
            or last.details.get("invoer") != fingerprint:
        return None
    if full_read_due(store, config, infos, now):
        return None
    since = int(last.details.get("ongewijzigd_sinds") or last.id)
    outcome = CycleOutcome(controledatum, False, None, [], read_counts=dict(last.read_counts),
                           run_id=run_id, skipped_since=since, fingerprint=fingerprint)
    outcome.notes.append(
        f"Niets gewijzigd sinds run {since} (dezelfde lijsten, controledatum en instellingen): "
        f"controles en terugschrijven overgeslagen; de uitkomst van run {since} geldt nog "
        f"({last.details.get('bevindingen', 0)} bevinding(en)).")
    outcome.read_modes = {d.key: "ongewijzigd (wijzigingstoken gelijk)" for d in schema.LISTS
                          if infos.get(config.title(d.key)) is not None}
    log.info("%s", outcome.notes[-1])
    outcome.carried = {k: last.details[k] for k in ("bevindingen", "planjaar")
                       if k in last.details}
    return outcome


def run_clock_start(controledatum: date, timezone: str) -> datetime:
    """The cycle's "now": the real time, or, for a run as of another day (``--controledatum``),
    that day at the current time of day, so every timestamp the run writes (status changes,
    alert ledger, site dedupe columns) belongs to the day it computes for."""
    real = datetime.now(UTC)
    zone = ZoneInfo(timezone)
    local = real.astimezone(zone)
    if local.date() == controledatum:
        return real
    return datetime.combine(controledatum, local.time(), zone).astimezone(UTC)


def _clock_from(start: datetime) -> Callable[[], datetime]:
    """A clock that runs from ``start`` at the real pace (for the send loop's timestamps)."""
    offset = start - datetime.now(UTC)
    return lambda: datetime.now(UTC) + offset


def _plan_alerts(result: CheckResult, store: StateStore | None, config: Config,
                 outcome: CycleOutcome, now: datetime) -> AlertPlan | None:
    """The alerts due, from the ledger's facts; none without a store (nothing to dedupe on)
    or when alerts are off. Rules the safety valve holds back do not run at all."""
    if store is None or not config.alerts.enabled:
        return None
    plan = plan_from_store(result, store, config, now=now,
                           blocked=outcome.verdict.blocked_alerts)
    outcome.alert_plan = plan
    return plan


def _deliver(store: StateStore, config: Config, outcome: CycleOutcome,
             channels: Mapping[str, Channel] | None, clock: Callable[[], datetime]) -> None:
    """Send every pending alert (this run's and earlier runs'); a failing channel is a
    finding and a problem, never a stop.

    The send times run on the cycle's ``clock``: a cycle run as of another day records its
    first-sent times on the same timeline as its intents and site columns, so escalations
    count from that day."""
    if not config.alerts.enabled or channels is None:
        return
    if not channels:  # no [alerts.<channel>] section at all: keep everything for later
        waiting = len(store.pending(config.alerts.max_attempts))
        if waiting:
            outcome.notes.append(
                f"Signalen: {waiting} klaargezet maar niet verstuurd, want er is geen kanaal "
                "ingesteld ([alerts.smtp], [alerts.graph], [alerts.teams], [alerts.signalen] "
                "of [alerts.outbox]); ze gaan uit zodra er een is.")
            log.warning("%s", outcome.notes[-1])
        return
    report = deliver(store, channels, partial(render_digest,
                                              templates_dir=config.alerts.templates_dir),
                     run_id=outcome.run_id, max_attempts=config.alerts.max_attempts,
                     now_fn=clock,
                     organisation=config.site.organisation)
    outcome.delivery = report
    outcome.findings += report.findings
    for digest, error in report.failed:
        outcome.problems.append(f"Melding aan {digest.recipient.name} via {digest.channel} "
                                f"niet verstuurd ({error}); wordt de volgende run opnieuw "
                                "geprobeerd.")


def _record_run(store: StateStore, outcome: CycleOutcome, ended: datetime) -> None:
    """The run's record and its key figures (for next week's "change since last run"). A
    skipped cycle computed no figures: its record carries the input fingerprint and the run
    whose outcome still holds, so the next cycle can skip too (``spsync status`` sees a run)."""
    assert outcome.run_id is not None
    result = outcome.result
    details = {"problemen": outcome.problems[:50], "invoer": outcome.fingerprint}
    if result is None:
        store.finish_run(outcome.run_id, outcome="problemen" if outcome.exit_code else "ok",
                         ended_at=ended, read_counts=outcome.read_counts,
                         requests=outcome.requests, items_written=0,
                         alerts_sent=len(outcome.delivery.sent) if outcome.delivery else 0,
                         details={**outcome.carried, **details,
                                  "ongewijzigd_sinds": outcome.skipped_since})
        return
    figures = {}
    frame = result.indicatoren
    if frame is not None and "IndicatorCode" in frame:
        for row in frame.to_dict(orient="records"):
            code = row.get("IndicatorCode")
            if code:
                figures[str(code)] = {k: row.get(c) for k, c in (
                    ("waarde", "BerekendeWaarde"), ("teller", "Teller"), ("noemer", "Noemer"),
                    ("status", "IndicatorStatus"), ("titel", "Title"))}
    hours = {}
    if result.projecten is not None and "ProjectCode" in result.projecten:
        hours = {str(r["ProjectCode"]): r.get("GeboekteUren")
                 for r in result.projecten.to_dict(orient="records") if r.get("ProjectCode")}
    store.save_key_figures(outcome.run_id, figures, hours)
    state = ("gestopt" if outcome.verdict.stopped
             else "problemen" if outcome.exit_code else "ok")
    store.finish_run(outcome.run_id, outcome=state, ended_at=ended,
                     read_counts=outcome.read_counts, requests=outcome.requests,
                     items_written=sum(outcome.written.values()),
                     alerts_sent=len(outcome.delivery.sent) if outcome.delivery else 0,
                     details={**details, "bevindingen": len(outcome.findings),
                              "planjaar": result.planjaar})


def _apply_verdict(outcome: CycleOutcome) -> None:
    """Say in the log, the findings (report) and the problems (summary, exit code) what the
    safety valve held back and why. Missing lists/columns already have their own finding."""
    verdict = outcome.verdict
    lines = verdict.messages()
    if not lines:
        return
    for line in lines:
        log.error("%s", line)
    first = verdict.breakages[0]
    outcome.findings += [finding(b.list_key, None, b.list_title, "VEILIGHEIDSSTOP",
                                 melding=b.sentence)
                         for b in verdict.breakages if b.column is None
                         and not b.reason.startswith("ontbreekt")]
    outcome.findings.append(finding(first.list_key, None, "site", "VEILIGHEIDSSTOP",
                                    melding=lines[-1].rstrip(".")))
    if verdict.stopped:
        outcome.problems += [b.sentence + "." for b in verdict.breakages
                             if b.column is None and not b.reason.startswith("ontbreekt")]
        outcome.problems.append(lines[-1])


def _write_round(gateway: Gateway, snapshot: Snapshot, result: CheckResult,
                 outcome: CycleOutcome, now: datetime, dry_run: bool,
                 plan: AlertPlan | None = None) -> list[tuple[str, int]]:
    """Plan every list's changed owned fields and send them in shared ``$batch`` requests."""
    blocked = outcome.verdict.blocked
    plans, planned = [], {}
    for key, snap in snapshot.lists.items():
        if snap.frame is None or snap.info is None:
            continue
        writable = {c: site for c, site in snap.owned_on_site.items()
                    if c not in blocked.get(key, ())}
        updates, changes = plan_updates(key, snap.frame, getattr(result, key), writable,
                                        snap.etags, now)
        if plan is not None:  # the alert dedupe columns join the same ETag-guarded MERGE
            updates, changes = merge_field_updates(key, updates, changes, plan, snap.frame,
                                                   writable, snap.etags)
        outcome.changes.extend(changes)
        planned[key] = changes
        if updates:
            plans.append((key, snap, updates))
    if dry_run or not plans:
        return []
    results = gateway.update_lists([(snap.info, updates) for _, snap, updates in plans])
    conflicts: list[tuple[str, int]] = []
    for key, snap, _updates in plans:
        written = results[snap.title]
        done = set(written.written)
        outcome.applied += [c for c in planned[key] if c.item_id in done]
        outcome.written[key] += len(written.written)
        conflicts += [(key, i) for i in written.conflicts]
        outcome.conflicts += [(key, i) for i in written.conflicts]
        for item_id, message in written.failed.items():
            outcome.failed[(key, item_id)] = message
            log.error("Schrijven naar %s item %d mislukt: %s", snap.title, item_id, message)
        log.info("Teruggeschreven: %s, %d item(s), %d conflict(en)", snap.title,
                 len(written.written), len(written.conflicts))
    return conflicts


_KIND_LABELS = {"gemist": "Gemist", "escalatie": "Escalatie", "herinnering": "Herinnering",
                "uren": "Uren", "budget": "Budget"}


def report_history(store: StateStore | None, controledatum: date, now: datetime
                   ) -> tuple[PreviousFigures | None, list[SentAlert]]:
    """What the report compares with and lists from the state store: the key figures of the
    latest earlier run (▲/▼) and the alerts sent in the seven days up to ``now``."""
    if store is None:
        return None, []
    previous = None
    found = store.previous_key_figures(controledatum)
    if found is not None:
        previous = PreviousFigures(
            indicators={code: PreviousIndicator(
                waarde=fig.get("waarde"), teller=fig.get("teller"), noemer=fig.get("noemer"),
                status=fig.get("status") or "", titel=fig.get("titel") or "")
                for code, fig in found.figures.items()},
            project_hours={k: v for k, v in found.project_hours.items() if v is not None},
            controledatum=found.run.controledatum, run_id=str(found.run.id))
    sent: dict[tuple[str, str], SentAlert] = {}
    for entry in store.alerts_between(now - timedelta(days=7), now + timedelta(seconds=1)):
        if entry.state != "sent" or entry.sent_at is None:
            continue
        sent.setdefault((entry.dedupe_key, entry.recipient.address), SentAlert(
            sent_at=entry.sent_at, kind=_KIND_LABELS.get(entry.kind, entry.kind),
            recipient=entry.recipient.name, ref=entry.line.ref, title=entry.line.title))
    return previous, sorted(sent.values(), key=lambda a: (a.sent_at, a.ref, a.recipient))


def _report(gateway: Gateway, config: Config, snapshot: Snapshot, outcome: CycleOutcome,
            out_dir: Path | None, now: datetime, store: StateStore | None = None) -> None:
    meta = ReportMeta(
        organisation=config.site.organisation,
        controledatum=outcome.controledatum,
        generated_at=now,
        show_hours_per_person=config.report.show_hours_per_person,
        indicator_project_types=tuple(config.rules.indicator_project_types),
        forecast_method=config.rules.forecast_method,
        site_url=config.site.url,
        list_titles={d.key: config.title(d.key) for d in schema.LISTS},
    )
    # One file per ISO week (report_filename), so a rerun in the same week replaces it.
    name = report_filename(meta)
    outcome.report_path = out_dir / name if out_dir is not None else None
    previous, sent = report_history(store, outcome.controledatum, now)
    try:
        content = render_report(build_context(outcome.result, meta, outcome.findings,
                                              previous=previous, alerts_sent=sent),
                                template=config.report.template, out_path=outcome.report_path)
    except ReportError as exc:  # statuses are already written; say what is wrong, carry on
        log.error("Rapport niet gemaakt: %s", exc.message)
        outcome.problems.append(exc.message)
        outcome.report_path = None
        return
    log.info("Rapport %s (%d bytes)", f"opgeslagen: {outcome.report_path}"
             if outcome.report_path else "gemaakt, niet opgeslagen (proefdraaien)", len(content))
    if outcome.dry_run:
        return
    published = ReportOutcome(period=None, path=outcome.report_path)  # type: ignore[arg-type]
    metadata = {
        "Title": name.removesuffix(".docx"),
        "Rapportageweek": meta.week_label,
        "Controledatum": local_midnight_utc(outcome.controledatum, config.rules.timezone),
        "Planjaar": outcome.result.planjaar,
        "GegenereerdOp": to_wire(now),
    }
    if outcome.report_path is not None:
        # PDF beside the .docx (report.pdf), then both uploaded, replacing this week's files.
        publish(gateway, config, snapshot.library, outcome.report_path, content, metadata,
                published)
    elif config.report.upload and snapshot.library is not None:
        published.uploaded.append(gateway.upload_file(snapshot.library, name, content,
                                                      metadata=metadata))
    outcome.pdf_path = published.pdf_path
    outcome.problems += published.problems
    outcome.uploaded = published.uploaded[0] if published.uploaded else None


def report_dir(config: Config, out_dir: Path | None, dry_run: bool) -> Path | None:
    """Where the cycle saves the report: ``--out``, else ``report.output_dir``; a dry run writes
    nothing at all, so without ``--out`` it saves no local report either."""
    if out_dir is not None:
        return out_dir
    return None if dry_run else config.report.output_dir
