"""The short Dutch summary a run prints, and the dry-run diff. Pure text from a CycleOutcome."""

from __future__ import annotations

from collections import Counter

from spsync.checks.vocab import LIST_TITLES as _TITLES
from spsync.cycle import CycleOutcome
from spsync.writeback import FieldChange

__all__ = ["summary_lines", "diff_lines"]


def _counts(values: object) -> str:
    counted = Counter(v for v in values if v)  # type: ignore[union-attr]
    return ", ".join(f"{n} {status.lower()}" for status, n in counted.most_common()) or "geen"


def summary_lines(outcome: CycleOutcome) -> list[str]:
    """A few lines a staff member can read at a glance."""
    result = outcome.result
    d = outcome.controledatum
    if result is None:  # skipped: nothing changed since an earlier run (see the notes)
        return _skipped_lines(outcome)
    lines = [f"spsync: controledatum {d:%d-%m-%Y} (planjaar {result.planjaar})"]
    read = ", ".join(f"{_TITLES.get(k, k)} {'ontbreekt' if n is None else n}"
                     for k, n in outcome.read_counts.items())
    lines.append(f"Gelezen: {read}")
    if "UrenStatus" in result.projecten:
        lines.append(f"Projecten: {_counts(result.projecten['UrenStatus'])}")
    if "KalenderStatus" in result.jaarkalender:
        lines.append(f"Jaarkalender: {_counts(result.jaarkalender['KalenderStatus'])}")
    if "BoekingStatus" in result.urenregistratie:
        invalid = int((result.urenregistratie["BoekingStatus"] == "Ongeldig").sum())
        lines.append(f"Urenregistratie: {len(result.urenregistratie) - invalid} geldig, "
                     f"{invalid} ongeldig")
    lines.append(f"Datakwaliteit: {len(outcome.findings)} bevinding(en), zie het rapport")
    if outcome.dry_run:
        items = len({(c.list_key, c.item_id) for c in outcome.changes})
        local = (f"alleen het rapport is lokaal opgeslagen ({outcome.report_path})"
                 if outcome.report_path else
                 "er is ook geen lokaal rapport opgeslagen (gebruik --out om het te bewaren)")
        lines.append(f"Proefdraaien: {len(outcome.changes)} veld(en) in {items} item(s) zouden "
                     f"worden bijgewerkt; er is niets naar SharePoint geschreven of geüpload, "
                     f"{local}.")
    else:
        total = sum(outcome.written.values())
        per_list = ", ".join(f"{_TITLES.get(k, k)} {n}" for k, n in outcome.written.items() if n)
        lines.append(f"Bijgewerkt: {total} item(s)" + (f" ({per_list})" if per_list else ""))
        if outcome.conflicts:
            lines.append(f"Tussentijds gewijzigd door anderen: {len(outcome.conflicts)} item(s), "
                         f"opnieuw gelezen en herberekend ({outcome.rounds} rondes)")
        for (key, item_id), message in outcome.failed.items():
            lines.append(f"Niet bijgewerkt: {_TITLES.get(key, key)} item {item_id}: {message}")
        for key, item_id in outcome.unresolved:
            lines.append(f"Niet bijgewerkt (blijft wijzigen): {_TITLES.get(key, key)} "
                         f"item {item_id}")
    lines += _alert_lines(outcome)
    if outcome.report_path:
        lines.append(f"Rapport: {outcome.report_path}")
    if outcome.pdf_path:
        lines.append(f"PDF: {outcome.pdf_path}")
    if outcome.uploaded:
        lines.append(f"Geüpload naar: {outcome.uploaded.server_relative_url}")
    lines += outcome.notes
    lines += outcome.problems
    return lines


def _skipped_lines(outcome: CycleOutcome) -> list[str]:
    """A cycle that found its input unchanged: what it read, what it sent, why it stopped."""
    planjaar = outcome.carried.get("planjaar")
    lines = [f"spsync: controledatum {outcome.controledatum:%d-%m-%Y}"
             + (f" (planjaar {planjaar})" if planjaar else "")]
    read = ", ".join(f"{_TITLES.get(k, k)} {'ontbreekt' if n is None else n}"
                     for k, n in outcome.read_counts.items())
    lines.append(f"Gelezen (alleen wijzigingstokens): {read}")
    lines.append("Bijgewerkt: 0 item(s)")
    return lines + _alert_lines(outcome) + outcome.notes + outcome.problems


def _alert_lines(outcome: CycleOutcome) -> list[str]:
    """What the alert step did: planned (dry run) or sent, per recipient count."""
    plan = outcome.alert_plan
    if outcome.dry_run:
        if plan is None or not plan.alerts:
            return ["Signalen: geen nieuwe signalen."] if plan is not None else []
        people = {a.recipient.address for a in plan.alerts}
        return [f"Signalen (proefdraaien): {len(plan.lines)} signaal/signalen voor "
                f"{len(people)} ontvanger(s) zouden worden verstuurd; zie 'spsync alerts "
                "--dry-run'."]
    report = outcome.delivery
    if report is None:
        return []
    if not report.sent and not report.failed:
        return ["Signalen: niets te versturen."]
    out = [f"Signalen: {len(report.sent)} bericht(en) verstuurd met {report.lines_sent} "
           "signaal/signalen"]
    if report.failed:
        out[0] += f"; {len(report.failed)} bericht(en) niet verstuurd (volgende run opnieuw)"
    return out


def diff_lines(changes: list[FieldChange]) -> list[str]:
    """``Projecten item 4: UrenStatus: (leeg) -> 'Overschreden'`` per changed field."""
    def show(v: object) -> str:
        return "(leeg)" if v is None else repr(v)
    return [f"{_TITLES.get(c.list_key, c.list_key)} item {c.item_id}: {c.column}: "
            f"{show(c.old)} -> {show(c.new)}" for c in changes]
