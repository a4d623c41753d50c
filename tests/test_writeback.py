"""The write planner: only owned, changed fields; timestamps only with a status change."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from spsync.writeback import plan_updates, same_value, to_wire

NOW = datetime(2026, 5, 15, 6, 0, tzinfo=UTC)
OWNED = {"UrenStatus": "UrenStatus", "GeboekteUren": "GeboekteUren",
         "StatusGewijzigdOp": "StatusGewijzigdOp", "Controlemelding": "Controlemelding"}


def frame(rows: dict[int, dict]) -> pd.DataFrame:
    f = pd.DataFrame.from_dict(rows, orient="index").astype(object)
    return f.where(f.notna(), None)


@pytest.mark.parametrize("old,new,same", [
    (None, None, True), (None, "", True), (float("nan"), None, True),
    (34, 34.0, True), (34.05, 34.0, False), ("Binnen uren", "Binnen uren", True),
    ("Binnen uren", "Overschreden", False), (None, 0.0, False), (0, None, False),
    ("a\r\nb", "a\nb", True), (True, True, True), (False, None, False),
])
def test_same_value(old, new, same):
    assert same_value(old, new) is same


def test_unchanged_rows_plan_nothing():
    read = frame({1: {"ID": 1, "UrenStatus": "Binnen uren", "GeboekteUren": 12.0,
                      "Title": "x", "Controlemelding": None}})
    computed = read.copy()
    updates, changes = plan_updates("projecten", read, computed, OWNED, {1: '"3"'}, NOW)
    assert updates == [] and changes == []


def test_changed_status_writes_only_owned_fields_with_etag_and_stamp():
    read = frame({1: {"ID": 1, "Title": "Oud", "UrenStatus": "Binnen uren", "GeboekteUren": 12.0},
                  2: {"ID": 2, "Title": "B", "UrenStatus": "Binnen uren", "GeboekteUren": 5.0}})
    computed = frame({1: {"ID": 1, "Title": "Nieuw (staff)", "UrenStatus": "Overschreden",
                          "GeboekteUren": 130.5},
                      2: {"ID": 2, "Title": "B", "UrenStatus": "Binnen uren", "GeboekteUren": 6.0}})
    updates, changes = plan_updates("projecten", read, computed, OWNED, {1: '"3"', 2: '"1"'}, NOW)
    by_id = {u.id: u for u in updates}
    assert set(by_id) == {1, 2}
    assert by_id[1].etag == '"3"'
    assert by_id[1].changes == {"UrenStatus": "Overschreden", "GeboekteUren": 130.5,
                                "StatusGewijzigdOp": "2026-05-15T06:00:00Z"}
    # Hours moved but the status did not: no timestamp.
    assert by_id[2].changes == {"GeboekteUren": 6.0}
    assert "Title" not in by_id[1].changes
    assert {(c.item_id, c.column) for c in changes} == {(1, "UrenStatus"), (1, "GeboekteUren"),
                                                       (2, "GeboekteUren")}


def test_columns_missing_on_site_are_not_written():
    read = frame({1: {"ID": 1, "UrenStatus": None}})
    computed = frame({1: {"ID": 1, "UrenStatus": "Overschreden", "GeboekteUren": 3.0}})
    updates, _ = plan_updates("projecten", read, computed, {"GeboekteUren": "Geboekt_x0020_uren"},
                              {}, NOW)
    assert updates[0].changes == {"Geboekt_x0020_uren": 3.0}


def test_to_wire_converts_numpy_and_nan():
    import numpy as np
    assert to_wire(np.int64(4)) == 4 and type(to_wire(np.int64(4))) is int
    assert to_wire(np.float64("nan")) is None
    assert to_wire(datetime(2026, 1, 2, tzinfo=UTC)) == "2026-01-02T00:00:00Z"
