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
    if outcome.report_path:
        lines.append(f"Rapport: {outcome.report_path}")
    if outcome.uploaded:
        lines.append(f"Geüpload naar: {outcome.uploaded.server_relative_url}")
    lines += outcome.problems
    return lines


def diff_lines(changes: list[FieldChange]) -> list[str]:
    """``Projecten item 4: UrenStatus: (leeg) -> 'Overschreden'`` per changed field."""
    def show(v: object) -> str:
        return "(leeg)" if v is None else repr(v)
    return [f"{_TITLES.get(c.list_key, c.list_key)} item {c.item_id}: {c.column}: "
            f"{show(c.old)} -> {show(c.new)}" for c in changes]
