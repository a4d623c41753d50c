"""The reader's frames, built column by column from pages (spsync.itemtable), against the
record-by-record construction they replace, and the streamed read against the real client
over real HTTP (the sandbox)."""

from __future__ import annotations

import random
import time

import pandas as pd
import pytest

from spsync import schema
from spsync.auth import sandbox_token
from spsync.config import config_from_dict
from spsync.gateway import Item
from spsync.itemtable import ItemTable, table_from_items, table_from_pages
from spsync.reader import _Plan, _plans, _select, read_snapshot, read_table, table_to_frame
from spsync.sandbox import SandboxServer, add_items, create_list
from spsync.sandbox.store import Store
from spsync.sharepoint import SharePointGateway

PLANS = [_Plan("A", "A", "plain"), _Plan("L", "L", "lookup", "Code"), _Plan("U", "U", "user")]
SELECT = _select(PLANS)[0]


def _records_frame(rows: list[dict], plans: list[_Plan]) -> pd.DataFrame:
    """The frame convention as spsync first built it: a record per item, ``from_records``,
    ``astype(object)``, missing values None. The yardstick for the column-wise build."""
    def expanded(value, name):
        return value.get(name) if isinstance(value, dict) else None

    records, columns = [], ["ID"]
    for p in plans:
        columns += [p.name] + ([f"{p.name}Id"] if p.kind == "lookup" else
                               [f"{p.name}EMail", f"{p.name}Id"] if p.kind == "user" else [])
    for values in rows:
        rec = {"ID": int(values["Id"])}
        for p in plans:
            if p.kind == "plain":
                rec[p.name] = values.get(p.site)
            elif p.kind == "lookup":
                rec[p.name] = expanded(values.get(p.site), p.show)
                rec[f"{p.name}Id"] = values.get(f"{p.site}Id")
            else:
                rec[p.name] = expanded(values.get(p.site), "Title")
                rec[f"{p.name}EMail"] = expanded(values.get(p.site), "EMail")
                rec[f"{p.name}Id"] = values.get(f"{p.site}Id")
        records.append(rec)
    frame = pd.DataFrame.from_records(records, columns=columns).astype(object)
    frame = frame.where(frame.notna(), None)
    frame.index = pd.Index([r["ID"] for r in records], dtype="int64", name=None)
    return frame


def _assert_identical(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want)
    for column in want:  # the same Python types too: 1 stays int, 1.0 float, True bool
        for mine, theirs in zip(got[column], want[column], strict=True):
            assert type(mine) is type(theirs), (column, mine, theirs)


VALUES = [None, 0, 1, -3, 2**62, 2**64, 1.5, 0.0, float("nan"), True, False, "", "a", "2026-01-01T00:00:00Z",
          {"results": [1]}, [1, 2], [], {}]


def test_column_wise_frames_equal_the_record_wise_ones_for_any_mix_of_values():
    rnd = random.Random(7)
    for _ in range(1500):
        pools = [rnd.sample(VALUES, rnd.randint(1, 4)) for _ in range(6)]
        rows = []
        for i in range(rnd.choice([0, 1, 2, 3, 6])):
            values = {"Id": i + 1, "A": rnd.choice(pools[0]), "LId": rnd.choice(pools[2]),
                      "UId": rnd.choice(pools[5])}
            if rnd.random() < 0.8:  # sometimes the expanded field is absent altogether
                values["L"] = rnd.choice([None, {"Code": rnd.choice(pools[1])},
                                          rnd.choice(pools[1])])
            if rnd.random() < 0.8:
                values["U"] = rnd.choice([None, {"Title": rnd.choice(pools[3]),
                                                 "EMail": rnd.choice(pools[4])}])
            rows.append(values)
        table = table_from_items([Item(v["Id"], None, v) for v in rows], SELECT)
        _assert_identical(table_to_frame(table, PLANS), _records_frame(rows, PLANS))


def test_ints_with_a_gap_become_floats_as_before():
    rows = [{"Id": 1, "A": 1, "LId": 5, "UId": None}, {"Id": 2, "A": None, "LId": 6, "UId": 3}]
    frame = table_to_frame(table_from_items([Item(v["Id"], None, v) for v in rows], SELECT),
                           PLANS)
    assert frame["A"].tolist() == [1.0, None] and type(frame["A"][1]) is float
    assert frame["LId"].tolist() == [5, 6] and type(frame["LId"][1]) is int
    assert frame["UId"].tolist() == [None, 3.0]
    assert frame.index.tolist() == [1, 2] and frame["ID"].tolist() == [1, 2]


def test_pages_make_the_same_table_as_one_list_and_share_repeated_strings():
    items = [Item(i, '"1"', {"Id": i, "A": f"code-{i % 3}", "L": {"Code": "P"}})
             for i in range(1, 11)]
    whole = table_from_items(items, SELECT)
    paged = table_from_pages([items[:4], [], items[4:]], SELECT)
    assert paged == whole and len(paged) == 10
    assert paged.columns["A"][0] is paged.columns["A"][3]
    assert paged.columns["L/Code"][0] is paged.columns["L/Code"][9]
    with pytest.raises(ValueError):
        ItemTable(("A",), [1, 2], [None, None], {"A": [1]})


def test_frames_of_100000_bookings_are_quick():
    items = [Item(i, '"1"', {"Id": i, "A": float(i % 9), "LId": 1 + i % 2000,
                             "L": {"__metadata": {"id": "x"}, "Code": f"P-{i % 2000}"},
                             "UId": 1 + i % 40, "U": {"Title": f"M {i % 40}",
                                                       "EMail": f"m{i % 40}@x"}})
             for i in range(1, 100_001)]
    table = table_from_items(items, SELECT)
    started = time.perf_counter()
    frame = table_to_frame(table, PLANS)
    took = time.perf_counter() - started
    assert len(frame) == 100_000 and frame.loc[7, "L"] == "P-7" and frame.loc[7, "U"] == "M 7"
    assert took < 2.0, took  # about 0.1 s on the benchmark machine


@pytest.fixture
def bookings_site(tmp_path):
    db = tmp_path / "site.db"
    with Store(db) as store:
        store.replace_users((f"Medewerker {i}", f"m{i}@swv.example") for i in range(1, 6))
        for d in (*schema.LISTS, schema.LIBRARY):
            create_list(store, d)
        add_items(store, "Projecten", ({"ID": i, "Title": f"Project {i}",
                                        "ProjectCode": f"P-{i}", "Eigenaar": 1 + i % 5}
                                       for i in range(1, 21)))
        add_items(store, "Urenregistratie", ({
            "ID": i, "Title": f"Boeking {i}", "Project": 1 + i % 20, "Medewerker": 1 + i % 5,
            "Uren": [0.5, 1, 2][i % 3], "Datum": "2026-03-01T23:00:00Z"}
            for i in range(1, 2501)))
    with SandboxServer(db) as server:
        yield server


def test_the_streamed_read_asks_the_same_pages_and_gives_the_same_frames(bookings_site):
    server = bookings_site
    config = config_from_dict({"site": {"url": server.site_url}, "auth": {"mode": "sandbox"}})
    gateway = SharePointGateway(server.site_url, sandbox_token, page_size=1000)
    try:
        info = gateway.describe_lists(["Urenregistratie"])["Urenregistratie"]
        definition = schema.list_def("urenregistratie")
        plans = _plans(definition, info, config)
        select, expand = _select(plans)
        server.clear_log()
        items = gateway.read_items(info, select, expand)
        by_list = [(r.method, r.path, r.query) for r in server.requests]
        server.clear_log()
        pages = gateway.read_pages(info, select, expand)
        first = next(pages)
        assert len(first) == 1000 and len(server.requests) == 1  # the next page waits
        table = table_from_pages([first, *pages], select)
        assert [(r.method, r.path, r.query) for r in server.requests] == by_list
        assert len(by_list) == 3
        assert table.ids == [i.id for i in items] and table.etags == [i.etag for i in items]
        _assert_identical(table_to_frame(table, plans),
                          _records_frame([dict(i.values) for i in items], plans))
        assert table == read_table(gateway, info, select, expand)
        snapshot = read_snapshot(gateway, config).lists["urenregistratie"]
        _assert_identical(snapshot.frame, table_to_frame(table, plans))
        assert snapshot.etags == {i.id: i.etag for i in items}
        assert snapshot.frame.loc[4, "Project"] == "P-5" and snapshot.frame.loc[4, "Uren"] == 1
    finally:
        gateway.close()
