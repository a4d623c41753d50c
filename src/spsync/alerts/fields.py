"""How the alert plan's dedupe columns join the cycle's single, ETag-guarded write-back.

``writeback.plan_updates`` leaves ``GemistGesignaleerdOp``, ``HerinneringVerzondenOp`` and
``UrenSignaalStatus`` alone (``NOT_PLANNED``): their values come from
:func:`spsync.alerts.rules.plan_alerts`. This pure step merges them into the same per-item
updates, under the same ETag the item was read with, so one item gets one MERGE per run and a
412 re-read replans both together. Only columns the site has are sent, and only changed values
(compared as ``writeback.same_value`` compares them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from spsync.alerts.rules import AlertPlan
from spsync.gateway import ItemUpdate
from spsync.writeback import FieldChange, same_value, to_wire

__all__ = ["merge_field_updates"]


def merge_field_updates(list_key: str, updates: list[ItemUpdate], changes: list[FieldChange],
                        plan: AlertPlan, read: pd.DataFrame, owned_on_site: Mapping[str, str],
                        etags: Mapping[int, str]) -> tuple[list[ItemUpdate], list[FieldChange]]:
    """``plan_updates``' result for ``list_key`` with the plan's dedupe columns merged in."""
    planned = plan.field_updates.get(list_key, {})
    if not planned:
        return updates, changes
    by_id = {u.id: u for u in updates}
    order = [u.id for u in updates]
    out_changes = list(changes)
    for item_id, columns in sorted(planned.items()):
        old_row = read.loc[item_id].to_dict() if item_id in read.index else {}
        wire: dict[str, Any] = {}
        for column, new in columns.items():
            site = owned_on_site.get(column)
            if site is None or same_value(old_row.get(column), new):
                continue
            wire[site] = to_wire(new)
            out_changes.append(FieldChange(list_key, int(item_id), column,
                                           to_wire(old_row.get(column)), to_wire(new)))
        if not wire:
            continue
        existing = by_id.get(item_id)
        if existing is None:
            by_id[item_id] = ItemUpdate(id=int(item_id), etag=etags.get(int(item_id)),
                                        changes=wire)
            order.append(item_id)
        else:
            by_id[item_id] = ItemUpdate(id=existing.id, etag=existing.etag,
                                        changes={**existing.changes, **wire})
    return [by_id[i] for i in order], out_changes
