"""§5.8: goal status (``DoelStatus``) from the signals of the goal's indicators."""

from __future__ import annotations

from dataclasses import dataclass, field

from .normalise import parse_choice
from .vocab import BEHAALD, DOEL_STATUSES, NIET_BEHAALD, NIET_OP_KOERS, NOG_NIET_MEETBAAR, OP_KOERS

__all__ = ["DOELSTATUS_RULES", "SIGNALS", "Goal", "compute_goals", "doel_status"]

POSITIVE, NEGATIVE, NEUTRAL = "positief", "negatief", "neutraal"

#: §5.8 step 1: IndicatorStatus -> signal.
SIGNALS: dict[str, str] = {BEHAALD: POSITIVE, NIET_BEHAALD: NEGATIVE, NOG_NIET_MEETBAAR: NEUTRAL}

#: §5.8 step 2: the first row that holds decides.
DOELSTATUS_RULES = (
    (lambda signals: NEGATIVE in signals, NIET_OP_KOERS),  # any negative
    (lambda signals: POSITIVE in signals, OP_KOERS),  # else, any positive
    (lambda signals: True, NOG_NIET_MEETBAAR),  # else, incl. goals without indicators
)


def doel_status(indicator_statuses: list[str]) -> str:
    """DoelStatus from the IndicatorStatus values of the goal's indicators."""
    signals = {SIGNALS.get(s, NEUTRAL) for s in indicator_statuses}
    for condition, status in DOELSTATUS_RULES:
        if condition(signals):
            return status
    raise AssertionError("the last row always applies")  # pragma: no cover


@dataclass
class Goal:
    """One Doelen row after §5.8."""

    item_id: int | None
    status: str
    rapport: str  # §5.8 step 3: DoelStatusHandmatig wins in the report
    indicator_count: int
    planjaar: str | None  # the planjaar whose indicators were used
    indicator_ids: list[int | None] = field(default_factory=list)


def compute_goals(goal_ids: list[int | None], manual: list[object],
                  indicators: list[tuple[int | None, int | None, str | None, str]],
                  current_planjaar: str) -> list[Goal]:
    """DoelStatus per goal.

    ``indicators`` holds (indicator item ID, goal item ID, planjaar, IndicatorStatus). A goal
    looks at its indicators of the latest planjaar up to the current one (normally the current
    planjaar; an earlier year only when no row exists yet for this one). Future years and rows
    without a valid planjaar are ignored.
    """
    # The indicators that can count, per goal (in indicator order), so each goal looks only at
    # its own instead of scanning all of them.
    per_goal: dict[int, list[tuple[int | None, int | None, str | None, str]]] = {}
    for i in indicators:
        if i[1] is not None and i[2] is not None and i[2] <= current_planjaar:
            per_goal.setdefault(i[1], []).append(i)
    out = []
    for goal_id, manual_raw in zip(goal_ids, manual):
        own = per_goal.get(goal_id, []) if goal_id is not None else []
        latest = max((i[2] for i in own), default=None)
        used = [i for i in own if i[2] == latest]
        status = doel_status([i[3] for i in used])
        handmatig = parse_choice(manual_raw, DOEL_STATUSES).value
        out.append(Goal(goal_id, status, handmatig or status, len(used), latest,
                        [i[0] for i in used]))
    return out
