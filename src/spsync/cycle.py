"""One full cycle: read the lists, run the checks, write back what changed, report, upload.

The shell around the pure core. Writes carry each item's ETag; when someone edited an item in
between (412), the cycle re-reads everything and recomputes, so a status is never written from
stale data and no staff field is ever sent. Bad data never stops the cycle: it becomes findings.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from spsync import schema
from spsync.checks import run_checks
from spsync.checks.result import CheckResult, Finding
from spsync.config import Config
from spsync.exceptions import ReportError
from spsync.gateway import Gateway, UploadedFile
from spsync.reader import Snapshot, read_snapshot
from spsync.report import ReportMeta, build_context, render_report, report_filename
from spsync.writeback import FieldChange, plan_updates, to_wire

__all__ = ["MAX_ROUNDS", "CycleOutcome", "local_midnight_utc", "run_cycle"]

log = logging.getLogger(__name__)

#: Read-compute-write rounds before giving up on items that keep changing under us.
MAX_ROUNDS = 3
#: Finding codes that mean the site itself is incomplete (not one bad value).
SITE_PROBLEMS = frozenset({"LIJST_ONTBREEKT", "KOLOM_ONTBREEKT"})


def local_midnight_utc(day: date, timezone: str) -> str:
    """A date-only value as SharePoint stores it: the UTC instant of local midnight (§1)."""
    instant = datetime.combine(day, time(), ZoneInfo(timezone)).astimezone(UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class CycleOutcome:
    """What one cycle did, for the CLI summary, the logs and the tests."""

    controledatum: date
    dry_run: bool
    result: CheckResult
    findings: list[Finding]
    read_counts: dict[str, int | None]
    changes: list[FieldChange] = field(default_factory=list)
    written: Counter[str] = field(default_factory=Counter)
    conflicts: list[tuple[str, int]] = field(default_factory=list)
    unresolved: list[tuple[str, int]] = field(default_factory=list)
    failed: dict[tuple[str, int], str] = field(default_factory=dict)
    rounds: int = 0
    report_path: Path | None = None
    uploaded: UploadedFile | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 all done; 1 the cycle finished but something could not be written or uploaded."""
        return 1 if (self.failed or self.unresolved or self.problems) else 0


def _owned_missing_findings(snapshot: Snapshot) -> list[Finding]:
    return [
        Finding(s.key, None, s.title, "KOLOM_ONTBREEKT",
                f"Kolom '{col}' ontbreekt in de lijst '{s.title}'; spsync kan deze kolom "
                "niet bijwerken.")
        for s in snapshot.lists.values() for col in s.owned_missing
    ]


def _merge_findings(*groups: list[Finding]) -> list[Finding]:
    seen, merged = set(), []
    for finding in (f for g in groups for f in g):
        key = (finding.list_key, finding.item_id, finding.code, finding.message)
        if key not in seen:
            seen.add(key)
            merged.append(finding)
    return merged


def run_cycle(gateway: Gateway, config: Config, controledatum: date, *, dry_run: bool = False,
              out_dir: Path | None = None, now: datetime | None = None) -> CycleOutcome:
    """Run one cycle as of ``controledatum``; with ``dry_run`` nothing is written or uploaded."""
    now = now or datetime.now(UTC)
    settings = config.rules.to_settings()
    outcome: CycleOutcome | None = None
    pending: set[tuple[str, int]] = set()
    for round_no in range(1, MAX_ROUNDS + 1):
        snapshot = read_snapshot(gateway, config)
        result = run_checks(snapshot.tables, settings, controledatum)
        findings = _merge_findings(_owned_missing_findings(snapshot), result.findings)
        if outcome is None:
            outcome = CycleOutcome(
                controledatum, dry_run, result, findings,
                read_counts={k: (None if s.frame is None else len(s.frame))
                             for k, s in snapshot.lists.items()})
        else:
            outcome.result, outcome.findings = result, findings
        outcome.rounds = round_no
        conflicts = _write_round(gateway, snapshot, result, outcome, now, dry_run)
        pending = set(conflicts)
        if dry_run or not conflicts:
            break
        log.warning("%d item(s) zijn tijdens de run door iemand anders gewijzigd; "
                    "opnieuw lezen en herberekenen (ronde %d).", len(conflicts), round_no + 1)
    assert outcome is not None
    outcome.unresolved = sorted(pending) if not dry_run else []
    # A missing list or column is a site problem for the administrator: say it, exit 1.
    outcome.problems += [f.message for f in outcome.findings if f.code in SITE_PROBLEMS]
    for finding in outcome.findings:
        log.warning("Bevinding %s %s %s: %s", finding.list_key, finding.ref, finding.code,
                    finding.message)
    _report(gateway, config, snapshot, outcome, out_dir or config.report.output_dir, now)
    return outcome


def _write_round(gateway: Gateway, snapshot: Snapshot, result: CheckResult,
                 outcome: CycleOutcome, now: datetime, dry_run: bool) -> list[tuple[str, int]]:
    conflicts: list[tuple[str, int]] = []
    for key, snap in snapshot.lists.items():
        if snap.frame is None or snap.info is None:
            continue
        updates, changes = plan_updates(key, snap.frame, getattr(result, key),
                                        snap.owned_on_site, snap.etags, now)
        outcome.changes.extend(changes)
        if dry_run or not updates:
            continue
        written = gateway.update_items(snap.info, updates)
        outcome.written[key] += len(written.written)
        conflicts += [(key, i) for i in written.conflicts]
        outcome.conflicts += [(key, i) for i in written.conflicts]
        for item_id, message in written.failed.items():
            outcome.failed[(key, item_id)] = message
            log.error("Schrijven naar %s item %d mislukt: %s", snap.title, item_id, message)
        log.info("Teruggeschreven: %s, %d item(s), %d conflict(en)", snap.title,
                 len(written.written), len(written.conflicts))
    return conflicts


def _report(gateway: Gateway, config: Config, snapshot: Snapshot, outcome: CycleOutcome,
            out_dir: Path, now: datetime) -> None:
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
    outcome.report_path = out_dir / name
    try:
        # previous/alerts_sent: the lead wires the state store and the alert ledger here.
        content = render_report(build_context(outcome.result, meta, outcome.findings,
                                              previous=None, alerts_sent=()),
                                template=config.report.template, out_path=outcome.report_path)
    except ReportError as exc:  # statuses are already written; say what is wrong, carry on
        log.error("Rapport niet gemaakt: %s", exc.message)
        outcome.problems.append(exc.message)
        outcome.report_path = None
        return
    log.info("Rapport opgeslagen: %s (%d bytes)", outcome.report_path, len(content))
    if outcome.dry_run or not config.report.upload:
        return
    if snapshot.library is None:
        outcome.problems.append(f"Bibliotheek '{config.title(schema.LIBRARY.key)}' ontbreekt; "
                                "het rapport is alleen lokaal opgeslagen.")
        return
    outcome.uploaded = gateway.upload_file(snapshot.library, name, content, metadata={
        "Title": name.removesuffix(".docx"),
        "Rapportageweek": meta.week_label,
        "Controledatum": local_midnight_utc(outcome.controledatum, config.rules.timezone),
        "Planjaar": outcome.result.planjaar,
        "GegenereerdOp": to_wire(now),
    })
    log.info("Rapport geüpload: %s", outcome.uploaded.server_relative_url)
