"""§5.4: money (``BudgetStatus``) from BudgetPM, BegrootBedrag and WerkelijkeUitgave."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .frames import ListInput
from .normalise import Parsed, parse_bool, parse_number
from .vocab import BINNEN_BUDGET, GEEN_BUDGET_PM, NIET_VAN_TOEPASSING, OVERSCHREDEN

__all__ = ["BUDGETSTATUS_RULES", "Money", "budget_status", "compute_budget"]


@dataclass(frozen=True)
class Money:
    """The §5.4 inputs of one project, already parsed (invalid amounts read as empty)."""

    pm: bool
    begroot: float | None
    werkelijk: float | None


#: §5.4 BudgetStatus: the first row whose condition holds decides.
BUDGETSTATUS_RULES: tuple[tuple[int, Callable[[Money], bool], str], ...] = (
    # 1. BudgetPM = Yes -> Geen budget (p.m.)
    (1, lambda m: m.pm, GEEN_BUDGET_PM),
    # 2. BegrootBedrag empty -> Niet van toepassing
    (2, lambda m: m.begroot is None, NIET_VAN_TOEPASSING),
    # 3. WerkelijkeUitgave > BegrootBedrag -> Overschreden (an empty uitgave is nothing spent)
    (3, lambda m: (m.werkelijk or 0.0) > m.begroot, OVERSCHREDEN),
    # 4. otherwise -> Binnen budget
    (4, lambda m: True, BINNEN_BUDGET),
)


def budget_status(m: Money) -> str:
    """The BudgetStatus of the first §5.4 row that applies."""
    for _number, condition, status in BUDGETSTATUS_RULES:
        if condition(m):
            return status
    raise AssertionError("row 4 always applies")  # pragma: no cover


def _amount(parsed: Parsed) -> float | None:
    """An amount that reads as a number >= 0, else None (the quality check reports why)."""
    return parsed.value if parsed.ok and parsed.value >= 0 else None


def compute_budget(projects: ListInput) -> list[str]:
    """BudgetStatus per Projecten row, in row order (cells parsed once, shared with quality)."""
    out = []
    for pm, begroot, werkelijk in zip(projects.parsed("BudgetPM", parse_bool),
                                      projects.parsed("BegrootBedrag", parse_number),
                                      projects.parsed("WerkelijkeUitgave", parse_number)):
        m = Money(pm.value is True, _amount(begroot), _amount(werkelijk))
        out.append(budget_status(m))
    return out
