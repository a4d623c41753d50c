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

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype
from pandas.core.dtypes.cast import maybe_box_native  # what DataFrame.to_dict applies per cell

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
    """Updates for the items whose owned fields changed, keyed by the site's column names.

    Column by column: on 100,000 bookings nearly every cell is unchanged, so only the differing
    cells become a FieldChange; items and their fields come out in row and column order.
    """
    columns = [c for c in owned_on_site if c in computed.columns and c not in NOT_PLANNED]
    stamp = STATUS_TIMESTAMPS.get(list_key)
    for frame in ((read, computed) if len(read) else (computed,)):
        if not frame.index.is_unique:  # as DataFrame.to_dict(orient="index") says it
            raise ValueError("DataFrame index must be unique for orient='index'.")
    item_ids = list(computed.index)
    old_of = _aligned_cells(read, computed, columns)
    new_of = {col: _cells(computed, col) for col in columns}
    differing: dict[int, list[str]] = {}  # row position -> its changed columns, in order
    for col in columns:
        for pos, (old, new) in enumerate(zip(old_of[col], new_of[col])):
            kind = type(old)
            if kind is type(new) and kind in _SAME_WHEN_EQUAL and old == new:
                continue
            if not same_value(old, new):
                differing.setdefault(pos, []).append(col)
    updates: list[ItemUpdate] = []
    changes: list[FieldChange] = []
    for pos in sorted(differing):
        item_id = int(item_ids[pos])
        wire: dict[str, Any] = {}
        for col in differing[pos]:
            old, new = old_of[col][pos], new_of[col][pos]
            wire[owned_on_site[col]] = to_wire(new)
            changes.append(FieldChange(list_key, item_id, col, to_wire(old), to_wire(new)))
        if stamp and stamp[1] in owned_on_site and any(c in columns and owned_on_site[c] in wire
                                                      for c in stamp[0]):
            wire[owned_on_site[stamp[1]]] = to_wire(now)
        updates.append(ItemUpdate(id=item_id, etag=etags.get(item_id), changes=wire))
    return updates, changes


#: Cell types for which the same type and ``==`` already mean :func:`same_value` (ints go
#: through it: a huge int must fail there as it always did).
_SAME_WHEN_EQUAL = frozenset({str, float, bool, type(None)})
#: Cell types ``DataFrame.to_dict`` passes on unchanged (its ``maybe_box_native`` is the
#: identity for them).
_NATIVE = frozenset({str, int, float, bool, type(None)})


def _cells(frame: pd.DataFrame, column: str) -> list[Any]:
    """``frame[column]`` cell by cell, exactly as ``DataFrame.to_dict`` hands the cells over:
    numpy and pandas scalars of object and extension columns boxed as Python ones (pd.NA as
    None); of duplicate column names, the last."""
    data = frame[column]
    if isinstance(data, pd.DataFrame):
        data = data.iloc[:, -1]
    dtype = data.dtype
    values = (data.tolist() if isinstance(dtype, np.dtype) and dtype.kind not in "mM"
              else list(data))
    if dtype == np.dtype(object) or isinstance(dtype, ExtensionDtype):
        values = [v if type(v) in _NATIVE else maybe_box_native(v) for v in values]
    return values


def _aligned_cells(read: pd.DataFrame, computed: pd.DataFrame,
                   columns: list[str]) -> dict[str, list[Any]]:
    """Per column the read cell of every computed row (matched by item ID; None when the read
    frame lacks the item or the column)."""
    blank = [None] * len(computed)
    if not len(read):
        return {col: blank for col in columns}
    if read.index.equals(computed.index):  # the cycle's case: the same rows in the same order
        return {col: _cells(read, col) if col in read.columns else blank for col in columns}
    position = {item_id: pos for pos, item_id in enumerate(read.index)}
    rows = [position.get(item_id) for item_id in computed.index]
    out = {}
    for col in columns:
        if col not in read.columns:
            out[col] = blank
            continue
        cells = _cells(read, col)
        out[col] = [None if pos is None else cells[pos] for pos in rows]
    return out


def local_midnight_utc(day: date, timezone: str) -> str:
    """A date-only value as SharePoint stores it: the UTC instant of local midnight (§1)."""
    instant = datetime.combine(day, time(), ZoneInfo(timezone)).astimezone(UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")
