"""The write planner: only owned, changed fields; timestamps only with a status change."""

from __future__ import annotations

import warnings
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


def _row_wise(list_key, read, computed, owned_on_site, etags, now):
    """The planner as it was before it worked column-wise (per item, via ``to_dict``): the
    reference the column-wise one must match exactly, types and order included."""
    from spsync.gateway import ItemUpdate
    from spsync.writeback import NOT_PLANNED, STATUS_TIMESTAMPS, FieldChange

    columns = [c for c in owned_on_site if c in computed.columns and c not in NOT_PLANNED]
    stamp = STATUS_TIMESTAMPS.get(list_key)
    updates, changes = [], []
    with warnings.catch_warnings():  # duplicate column names: pandas warns, keeps the last
        warnings.simplefilter("ignore", UserWarning)
        read_rows = read.to_dict(orient="index") if len(read) else {}
        computed_rows = computed[columns].to_dict(orient="index")
    for item_id, new_row in computed_rows.items():
        old_row = read_rows.get(item_id, {})
        wire = {}
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


def _typed(value):
    """A value with its type, so 34 and 34.0 (or None and NaN) never compare equal."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_typed(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return (type(value).__name__, {k: _typed(getattr(value, k))
                                       for k in value.__dataclass_fields__})
    return (type(value).__name__, repr(value))


def _tricky_frames():
    """Read/computed pairs with what to_dict boxes and what same_value forgives."""
    import numpy as np

    owned = {"UrenStatus": "UrenStatus", "GeboekteUren": "Geboekt_x0020_uren",
             "BudgetStatus": "BudgetStatus", "Controlemelding": "Controlemelding",
             "OngeldigeBoekingen": "OngeldigeBoekingen", "StatusGewijzigdOp": "StatusGewijzigdOp"}
    old = [None, "", "  ", float("nan"), np.float32("nan"), np.float64(2.0), np.int64(3), pd.NA,
           34, 34.0, True, 1, "a\r\nb", "Binnen uren", 2.5, np.bool_(True), "x"]
    new = [None, None, "", None, None, 2.0, 3, None, 34.0, 34, 1, True, "a\nb", "Overschreden",
           2.5 + 1e-12, True, None]
    n = len(old)
    ids = list(range(1, n + 1))

    def frame(cols, index):
        f = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in cols.items()})
        f.index = pd.Index(index)
        return f

    read = frame({"ID": ids, "Title": ["t"] * n, "UrenStatus": old, "GeboekteUren": old[::-1],
                  "Controlemelding": new}, ids)
    computed = frame({"ID": ids, "UrenStatus": new, "GeboekteUren": new[::-1],
                      "BudgetStatus": old, "Controlemelding": old,
                      "OngeldigeBoekingen": list(range(n))}, ids)
    cases = [(read, computed)]
    cases.append((read.iloc[::-1], computed))  # other row order
    cases.append((read.iloc[3:], computed))  # items the read frame lacks
    cases.append((read.iloc[:0], computed))  # nothing read
    typed = computed.copy()
    typed["GeboekteUren"] = pd.array([1.5] * n, dtype="Float64")  # an extension column
    typed["OngeldigeBoekingen"] = np.arange(n, dtype="int64")  # a numpy column
    cases.append((read, typed))
    dup = computed.copy()
    dup.columns = ["ID", "UrenStatus", "GeboekteUren", "BudgetStatus", "UrenStatus",
                   "OngeldigeBoekingen"]  # duplicate names: to_dict keeps the last
    cases.append((read, dup))
    return owned, cases


@pytest.mark.parametrize("case", range(6))
@pytest.mark.parametrize("list_key", ["projecten", "urenregistratie"])
def test_column_wise_planning_matches_the_row_wise_planner(case, list_key):
    owned, cases = _tricky_frames()
    read, computed = cases[case]
    etags = {i: f'"{i}"' for i in range(1, 30)}
    expected = _row_wise(list_key, read, computed, owned, etags, NOW)
    got = plan_updates(list_key, read, computed, owned, etags, NOW)
    assert _typed(got) == _typed(expected)
    assert expected[0], "the case must plan something, or it proves nothing"


def test_a_non_unique_index_is_refused_as_before():
    read = frame({1: {"ID": 1, "UrenStatus": None}})
    twice = pd.concat([read, read])
    for r, c in ((twice, read), (read, twice)):
        with pytest.raises(ValueError, match="must be unique"):
            plan_updates("projecten", r, c, OWNED, {}, NOW)
