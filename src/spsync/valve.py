"""The safety valve: never write on a broken picture (vdirsyncer's ``StorageEmpty`` lesson).

A missing list or column, or a list that reads empty or shrank sharply since the last successful
run, is a site problem, not data: every booking would turn "Ongeldig" and every overrun project
"Binnen uren". So each group of spsync-owned fields names the inputs it is computed from; when an
input is broken, that group is neither written nor alerted on, and the run says why and exits
non-zero — unless the administrator passes ``--force``. What does not depend on it still runs.

Pure: takes what was read (lists present, their columns, item counts) and the counts of the last
successful run; returns the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["FieldGroup", "GROUPS", "Breakage", "Verdict", "judge"]


@dataclass(frozen=True)
class FieldGroup:
    """Owned columns of one list that are computed from the same inputs.

    ``lists`` must be present and plausibly complete; ``columns`` (list key, model column) must
    exist on the site. ``alerts`` names the alert kinds that come from this group.
    """

    name: str
    list_key: str
    owned: tuple[str, ...]
    lists: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]
    alerts: tuple[str, ...] = ()


_BOOKING_INPUTS = (("urenregistratie", "Project"), ("urenregistratie", "Datum"),
                   ("urenregistratie", "Uren"), ("projecten", "ProjectCode"),
                   ("projecten", "Planjaar"))
_HOURS_INPUTS = _BOOKING_INPUTS + (("projecten", "ToegekendeUren"), ("projecten", "Einddatum"),
                                   ("projecten", "Projectstatus"))
_BUDGET_INPUTS = (("projecten", "BudgetPM"), ("projecten", "BegrootBedrag"),
                  ("projecten", "WerkelijkeUitgave"))
_CALENDAR_INPUTS = tuple(("jaarkalender", c) for c in (
    "Overleg", "PeriodeStart", "PeriodeEind", "BesprokenOp", "BesprokenIn", "Vervallen"))
_ACTIVITY_INPUTS = (("activiteiten", "Voortgang"), ("activiteiten", "CategorieHandmatig"))
_INDICATOR_INPUTS = tuple(("indicatoren", c) for c in (
    "Berekening", "Streefwaarde", "GewensteRichting", "WaardeHandmatig", "VoortgangHandmatig",
    "Nulmeting", "Planjaar"))

#: Every owned column of DATA-MODEL §2 belongs to exactly one group.
GROUPS: tuple[FieldGroup, ...] = (
    FieldGroup("boekingen", "urenregistratie", ("BoekingStatus", "Controlemelding"),
               ("urenregistratie", "projecten"), _BOOKING_INPUTS),
    FieldGroup("uren", "projecten",
               ("GeboekteUren", "RestUren", "VerbruikPct", "UrenStatus", "OngeldigeBoekingen",
                "Controlemelding", "UrenSignaalStatus"),
               ("urenregistratie", "projecten"), _HOURS_INPUTS, alerts=("uren",)),
    FieldGroup("budget", "projecten", ("BudgetStatus",), ("projecten",), _BUDGET_INPUTS,
               alerts=("budget",)),
    FieldGroup("kalender", "jaarkalender",
               ("KalenderStatus", "DagenTeLaat", "Controlemelding", "GemistGesignaleerdOp",
                "HerinneringVerzondenOp"),
               ("jaarkalender",), _CALENDAR_INPUTS,
               alerts=("gemist", "escalatie", "herinnering")),
    FieldGroup("activiteiten", "activiteiten", ("VoortgangCategorie", "Controlemelding"),
               ("activiteiten",), _ACTIVITY_INPUTS),
    # The computed indicators count projects, slots and activities: they inherit every input.
    FieldGroup("indicatoren", "indicatoren",
               ("BerekendeWaarde", "Teller", "Noemer", "IndicatorStatus", "Definitief",
                "Controlemelding"),
               ("indicatoren", "urenregistratie", "projecten", "jaarkalender", "activiteiten"),
               _INDICATOR_INPUTS + _HOURS_INPUTS + _CALENDAR_INPUTS + _ACTIVITY_INPUTS),
    FieldGroup("doelen", "doelen", ("DoelStatus",),
               ("doelen", "indicatoren", "urenregistratie", "projecten", "jaarkalender",
                "activiteiten"),
               _INDICATOR_INPUTS + _HOURS_INPUTS + _CALENDAR_INPUTS + _ACTIVITY_INPUTS),
)


@dataclass(frozen=True)
class Breakage:
    """One broken input, with the Dutch reason (``list_title`` is what staff see)."""

    list_key: str
    list_title: str
    column: str | None
    reason: str

    @property
    def sentence(self) -> str:
        what = (f"kolom '{self.column}' in de lijst '{self.list_title}'" if self.column
                else f"de lijst '{self.list_title}'")
        return f"{what[0].upper()}{what[1:]} {self.reason}"


@dataclass
class Verdict:
    """What may be written: ``blocked`` maps list key -> owned columns not to write."""

    breakages: list[Breakage] = field(default_factory=list)
    blocked_groups: list[FieldGroup] = field(default_factory=list)
    forced: bool = False

    @property
    def stopped(self) -> bool:
        """True when something was held back (and not overridden by ``--force``)."""
        return bool(self.blocked_groups) and not self.forced

    @property
    def blocked(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        if self.forced:
            return out
        for group in self.blocked_groups:
            out.setdefault(group.list_key, set()).update(group.owned)
        return out

    @property
    def blocked_alerts(self) -> set[str]:
        if self.forced:
            return set()
        return {kind for g in self.blocked_groups for kind in g.alerts}

    def messages(self) -> list[str]:
        """Dutch lines for the log, the summary and the report."""
        if not self.blocked_groups:
            return []
        lines = [b.sentence + "." for b in self.breakages]
        lists = sorted({g.list_key for g in self.blocked_groups})
        held = ", ".join(f"{g.name}" for g in self.blocked_groups)
        if self.forced:
            lines.append("Met --force is toch alles teruggeschreven en zijn signalen verstuurd "
                         f"(anders tegengehouden: {held}).")
        else:
            lines.append(
                f"Veiligheidsstop: spsync schrijft niets terug en verstuurt geen signalen voor "
                f"{held} (lijsten: {', '.join(lists)}), omdat het beeld van de site onvolledig "
                "is. Herstel de lijst of kolom, of draai opnieuw met --force als dit klopt.")
        return lines


def judge(*, present: Mapping[str, frozenset[str] | None], counts: Mapping[str, int | None],
          previous_counts: Mapping[str, int | None] | None, titles: Mapping[str, str],
          max_shrink_pct: float = 50.0, force: bool = False) -> Verdict:
    """Decide which owned field groups may be written.

    ``present`` maps each list key to the model columns the site has (None: list missing);
    ``counts`` are this read's item counts, ``previous_counts`` the last successful run's.
    """
    broken_lists: dict[str, Breakage] = {}
    for key, columns in present.items():
        title = titles.get(key, key)
        if columns is None:
            broken_lists[key] = Breakage(key, title, None, "ontbreekt op de site")
            continue
        n = counts.get(key)
        before = (previous_counts or {}).get(key)
        if not n:
            reason = "is leeg" + (f" (bij de vorige geslaagde run: {before} items)"
                                  if before else "")
            broken_lists[key] = Breakage(key, title, None, reason)
        elif before and n < before * (1 - max_shrink_pct / 100):
            broken_lists[key] = Breakage(
                key, title, None,
                f"is gekrompen van {before} naar {n} items (meer dan {max_shrink_pct:g} %)")
    broken_columns: dict[tuple[str, str], Breakage] = {}
    for group in GROUPS:
        for key, column in group.columns:
            columns = present.get(key)
            if columns is not None and column not in columns:
                broken_columns[(key, column)] = Breakage(key, titles.get(key, key), column,
                                                         "ontbreekt op de site")
    verdict = Verdict(forced=force)
    used: dict[tuple[str, str | None], Breakage] = {}
    for group in GROUPS:
        reasons = [broken_lists[k] for k in group.lists if k in broken_lists]
        reasons += [broken_columns[c] for c in group.columns if c in broken_columns]
        # A group of a list that is itself missing has nothing to write: not a held-back write.
        if reasons and present.get(group.list_key) is not None:
            verdict.blocked_groups.append(group)
            for b in reasons:
                used.setdefault((b.list_key, b.column), b)
    verdict.breakages = list(used.values())
    return verdict
