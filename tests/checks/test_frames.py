"""The shared, memoised readers of the input frames: sharing an outcome never changes one."""

from __future__ import annotations

import pandas as pd
import pytest

from spsync.checks.frames import FindingLog, ListInput, LookupIndex
from spsync.checks.normalise import parse_date, parse_number
from spsync.checks.planjaar import parse_planjaar
from spsync.checks.result import Finding

#: Values that are equal (or hash alike) but read differently: 1 / 1.0 / True, 0.0 / -0.0.
TRICKY = [1, 1.0, True, "1", " 1 ", 0.0, -0.0, 0, False, "0", 2.5, "2,5", 2.5, None, "",
          float("nan"), 10**30, "2026-03-09T23:00:00Z", "2026-03-09T23:00:00Z", "2025-2026",
          2025, 2025.0, {"a": 1}, [1], 1]


def _input(values: list, column: str = "X", key: str = "urenregistratie") -> ListInput:
    frame = pd.DataFrame({"ID": list(range(1, len(values) + 1)),
                          column: pd.Series(values, dtype=object)})
    return ListInput.of(key, frame)


@pytest.mark.parametrize(("parser", "args"), [(parse_number, ()), (parse_date, ("UTC",)),
                                              (parse_planjaar, ("schooljaar",))])
def test_parsed_equals_parsing_every_cell(parser, args):
    inp = _input(TRICKY)
    got = inp.parsed("X", parser, *args)
    expected = [parser(v, *args) for v in inp.col("X")]
    assert [repr(g) for g in got] == [repr(e) for e in expected]


def test_col_reads_every_kind_of_empty_as_none():
    import numpy as np

    values = [None, "", "  ", "\u00a0", float("nan"), np.float64("nan"), pd.NA, pd.NaT, 0,
              False, "x", {}, [], 0.0]
    assert _input(values).col("X") == [None] * 8 + [0, False, "x", {}, [], 0.0]


def test_resolve_shares_outcomes_only_between_identical_cells():
    projects = ListInput.of("projecten", pd.DataFrame({
        "ID": [1, 2, 3], "ProjectCode": ["P-1", "1", "True"]}))
    index = LookupIndex(projects, "ProjectCode")
    cells = [("P-1", None), ("P-1", None), (" p-1 ", None), (1, None), (1.0, None),
             (True, None), ("1", None), (None, 2), (None, 2.0), (None, True), ("x", 9),
             ("x", 9), (None, None), (-0.0, None), (0.0, None), ("P-1", 3)]
    for has_id in (True, False):
        fresh = LookupIndex(projects, "ProjectCode")
        expected = [fresh._resolve(show, i, has_id) for show, i in cells]
        got = index.resolve_all([s for s, _ in cells], [i for _, i in cells], has_id)
        assert [(r.state, r.target_id, r.wat) for r in got] == \
            [(r.state, r.target_id, r.wat) for r in expected]
        assert [(index.resolve(s, i, has_id).wat) for s, i in cells] == [r.wat for r in expected]


def test_finding_log_of_rows_is_of_row_per_item():
    log = FindingLog()
    found = [Finding("projecten", 1, "P", "A", "a"), Finding("doelen", 1, "D", "B", "b"),
             Finding("projecten", None, "P", "C", "c"), Finding("projecten", 1, "P", "D", "d")]
    log.extend(found)
    ids = [1, 2, None]
    assert log.of_rows("projecten", ids) == [log.of_row("projecten", i) for i in ids]
    assert [f.code for f in log.of_rows("projecten", [1])[0]] == ["A", "D"]
    assert log.of_rows("activiteiten", [1]) == [[]]
