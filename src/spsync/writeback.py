"""Plans the write-back: which spsync-owned fields changed, per item (DATA-MODEL §5.10).

Pure: compares what was read with what the checks computed and returns updates; the cycle sends
them. Only Daemon columns that exist on the site are ever written, only when their value
differs, and ``StatusGewijzigdOp`` moves only together with a status.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from spsync.gateway import ItemUpdate

__all__ = ["FieldChange", "local_midnight_utc", "plan_updates", "same_value", "to_wire"]

#: Per list: the status columns whose change moves the timestamp column.
STATUS_TIMESTAMPS: dict[str, tuple[tuple[str, ...], str]] = {
    "projecten": (("UrenStatus", "BudgetStatus"), "StatusGewijzigdOp"),
}
#: Owned columns the checks do not compute (alert dedupe): never planned here.
NOT_PLANNED = {"StatusGewijzigdOp", "UrenSignaalStatus", "GemistGesignaleerdOp",
               "HerinneringVerzondenOp"}


@dataclass(frozen=True)
class FieldChange:
    """One changed field, for the dry-run diff and the log."""

    list_key: str
    item_id: int
    column: str
    old: Any
    new: Any


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def to_wire(value: Any) -> Any:
    """A JSON-safe value for SharePoint (numpy scalars, NaN, dates)."""
    if _blank(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar -> Python
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def same_value(old: Any, new: Any) -> bool:
    """Equal as SharePoint would store them: blank == blank, 34 == 34.0, text exact."""
    if _blank(old) or _blank(new):
        return _blank(old) and _blank(new)
    old, new = to_wire(old), to_wire(new)
    if isinstance(old, bool) or isinstance(new, bool):
        return bool(old) == bool(new) and type(old) is type(new)
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return math.isclose(float(old), float(new), rel_tol=0, abs_tol=1e-9)
    if isinstance(old, str) and isinstance(new, str):
        return old.replace("\r\n", "\n") == new.replace("\r\n", "\n")
    return bool(old == new)


def plan_updates(list_key: str, read: pd.DataFrame, computed: pd.DataFrame,
                 owned_on_site: dict[str, str], etags: dict[int, str], now: datetime
                 ) -> tuple[list[ItemUpdate], list[FieldChange]]:
    """Updates for the items whose owned fields changed, keyed by the site's column names."""
    columns = [c for c in owned_on_site if c in computed.columns and c not in NOT_PLANNED]
    stamp = STATUS_TIMESTAMPS.get(list_key)
    updates: list[ItemUpdate] = []
    changes: list[FieldChange] = []
    read_rows = read.to_dict(orient="index") if len(read) else {}
    for item_id, new_row in computed[columns].to_dict(orient="index").items():
        old_row = read_rows.get(item_id, {})
        wire: dict[str, Any] = {}
        for col in columns:
            old, new = old_row.get(col), new_row.get(col)
            if not same_value(old, new):
                wire[owned_on_site[col]] = to_wire(new)
                changes.append(FieldChange(list_key, int(item_id), col, to_wire(old),
                                           to_wire(new)))
        if stamp and stamp[1] in owned_on_site and any(c in columns and owned_on_site[c] in wire
                                                      for c in stamp[0]):
            wire[owned_on_site[stamp[1]]] = to_wire(now)
        if wire:
            updates.append(ItemUpdate(id=int(item_id), etag=etags.get(int(item_id)),
                                      changes=wire))
    return updates, changes


def local_midnight_utc(day: date, timezone: str) -> str:
    """A date-only value as SharePoint stores it: the UTC instant of local midnight (§1)."""
    instant = datetime.combine(day, time(), ZoneInfo(timezone)).astimezone(UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")
