"""merge_field_updates: the plan's dedupe columns join the write-back's per-item updates."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from spsync.alerts.fields import merge_field_updates
from spsync.alerts.rules import AlertPlan
from spsync.gateway import ItemUpdate
from spsync.writeback import FieldChange

NOW = datetime(2026, 5, 15, 5, tzinfo=UTC)


def read_frame() -> pd.DataFrame:
    frame = pd.DataFrame({"ID": [1, 2, 3],
                          "GemistGesignaleerdOp": [None, None, "2026-05-15T05:00:00Z"]},
                         dtype=object)
    frame.index = pd.Index([1, 2, 3])
    return frame


def test_merges_under_the_same_etag_and_skips_what_is_unchanged_or_absent():
    plan = AlertPlan(field_updates={"jaarkalender": {
        1: {"GemistGesignaleerdOp": NOW},                                 # joins item 1's update
        2: {"GemistGesignaleerdOp": NOW, "HerinneringVerzondenOp": NOW},  # new update
        3: {"GemistGesignaleerdOp": NOW},                                 # already that value
    }})
    existing = [ItemUpdate(id=1, etag='"1,4"', changes={"KalenderStatus": "Gemist"})]
    changes = [FieldChange("jaarkalender", 1, "KalenderStatus", None, "Gemist")]
    owned = {"KalenderStatus": "KalenderStatus", "GemistGesignaleerdOp": "Gemist_x0020_op"}
    updates, all_changes = merge_field_updates("jaarkalender", existing, changes, plan,
                                               read_frame(), owned, {1: '"1,4"', 2: '"2,9"'})
    assert updates == [
        ItemUpdate(1, '"1,4"', {"KalenderStatus": "Gemist",
                                "Gemist_x0020_op": "2026-05-15T05:00:00Z"}),
        ItemUpdate(2, '"2,9"', {"Gemist_x0020_op": "2026-05-15T05:00:00Z"}),
    ]  # HerinneringVerzondenOp is not on this site: never sent
    assert [(c.item_id, c.column) for c in all_changes] == [
        (1, "KalenderStatus"), (1, "GemistGesignaleerdOp"), (2, "GemistGesignaleerdOp")]


def test_other_lists_and_an_empty_plan_pass_through():
    existing = [ItemUpdate(id=1, etag="e", changes={"UrenStatus": "Overschreden"})]
    plan = AlertPlan(field_updates={"projecten": {1: {"UrenSignaalStatus": None}}})
    assert merge_field_updates("jaarkalender", existing, [], plan, read_frame(), {}, {}) == (
        existing, [])
    assert merge_field_updates("projecten", existing, [], AlertPlan(), read_frame(), {}, {}) == (
        existing, [])
