"""Change tokens and cached rows in the state store (S6): saved together, upgraded into an
older store by the store's own migration step, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
import time
import zlib

from conftest import at
from sqlalchemy import inspect

from spsync.gateway import Item
from spsync.itemtable import ItemTable, table_from_items
from spsync.state import open_state, tables
from spsync.state.store import decode_table, encode_table

SELECT = ["Id", "Title", "Uren", "ProjectId", "Project/ProjectCode"]


def _rows(table: ItemTable) -> list:
    return [table.row(n) for n in range(len(table))]


def test_token_and_rows_round_trip_and_replace(backend):
    with open_state(backend) as store:
        assert store.list_state("projecten") is None
        assert store.cached_rows("projecten") is None
        rows = table_from_items([
            Item(1, '"1"', {"Id": 1, "Title": "Zorg 🌍 \ud800", "Uren": 2.5, "ProjectId": None}),
            Item(3, None, {"Id": 3, "Title": "x", "Project": {"ProjectCode": "P-1"}})], SELECT)
        store.save_list_state("projecten", "1;3;abc;1;7", "h1", 2, at(15), rows=rows, at=at(15))
        state = store.list_state("projecten")
        assert (state.token, state.schema_hash, state.item_count, state.full_read_at) == (
            "1;3;abc;1;7", "h1", 2, at(15))
        assert store.cached_rows("projecten") == rows
        assert store.cached_rows("projecten", "h1") == rows
        assert store.cached_rows("projecten", "other") is None  # rows of another schema
        # A token alone moves on; the rows stay.
        store.save_list_state("projecten", "1;3;abc;1;9", "h1", 2, at(15))
        assert store.list_state("projecten").token == "1;3;abc;1;9"
        assert store.cached_rows("projecten") == rows
        store.save_list_state("projecten", "1;3;abc;1;10", "h2", 1, at(16), rows=rows.take([0]))
        assert store.cached_rows("projecten", "h2") == rows.take([0])
        store.forget_list_state("projecten")
        assert store.list_state("projecten") is None and store.cached_rows("projecten") is None


def test_an_older_store_gets_the_list_tables_by_its_migration(sqlite_cfg, monkeypatch):
    real = list(tables.MIGRATIONS)
    monkeypatch.setattr(tables, "MIGRATIONS", [])
    with open_state(sqlite_cfg):
        pass
    with sqlite3.connect(sqlite_cfg.path) as conn:  # as the release before S6 made it: v1
        conn.execute("DROP TABLE list_tokens")
        conn.execute("DROP TABLE list_cache")
        assert [v for (v,) in conn.execute("SELECT version FROM schema_version")] == [1]
    monkeypatch.setattr(tables, "MIGRATIONS", real)
    with open_state(sqlite_cfg) as store:
        with store._engine.connect() as conn:
            assert inspect(conn).has_table("list_tokens")
            assert inspect(conn).has_table("list_cache")
        store.save_list_state("uren", "t", "h", 0, at(15), rows=ItemTable(("Title",)))
        assert store.cached_rows("uren") == ItemTable(("Title",))
    with sqlite3.connect(sqlite_cfg.path) as conn:
        versions = [v for (v,) in conn.execute("SELECT version FROM schema_version ORDER BY 1")]
    assert versions == [1, 2, 3] == list(range(1, tables.target_version() + 1))


def _row_by_row(rows: list) -> bytes:
    """A blob as spsync cached rows before schema version 3: ``[[id, etag, values], …]``."""
    return zlib.compress(json.dumps(rows).encode(), 1)


def test_rows_cached_row_by_row_are_dropped_with_their_tokens_on_upgrade(sqlite_cfg,
                                                                         monkeypatch):
    real = list(tables.MIGRATIONS)
    monkeypatch.setattr(tables, "MIGRATIONS", real[:1])  # the release that cached row by row
    with open_state(sqlite_cfg) as store:
        store.save_list_state("projecten", "1;3;abc;1;7", "h1", 1, at(15))
    with sqlite3.connect(sqlite_cfg.path) as conn:
        conn.execute("INSERT INTO list_cache VALUES ('projecten', 'h1', 1, ?, '2026-05-15')",
                     (_row_by_row([[1, '"1"', {"Id": 1, "Title": "x"}]]),))
    monkeypatch.setattr(tables, "MIGRATIONS", real)
    with open_state(sqlite_cfg) as store:
        # No token without its rows: the next read of the list is a full one.
        assert store.list_state("projecten") is None
        assert store.cached_rows("projecten") is None


def test_a_blob_of_another_layout_is_no_cache(sqlite_cfg):
    table = table_from_items([Item(1, '"1"', {"Id": 1, "Title": "x"})], SELECT)
    assert decode_table(encode_table(table)) == table
    assert decode_table(_row_by_row([[1, '"1"', {"Id": 1, "Title": "x"}]])) is None
    assert decode_table(zlib.compress(b'{"format": 99}')) is None
    assert decode_table(b"not zlib") is None
    blob = encode_table(table)
    assert decode_table(blob[:-3]) is None  # cut short
    with open_state(sqlite_cfg) as store:
        store.save_list_state("projecten", "t", "h", 1, at(15), rows=table)
        with store._engine.begin() as conn:
            conn.exec_driver_sql("UPDATE list_cache SET rows = ?",
                                 (_row_by_row([[1, None, {"Id": 1}]]),))
        assert store.list_state("projecten") is not None
        assert store.cached_rows("projecten", "h") is None


def _bookings(n: int) -> list[Item]:
    return [Item(i, f'"{1 + i % 3}"', {
        "Id": i, "Title": f"Boeking {i}", "ProjectId": 1 + i % 2000,
        "Project": {"__metadata": {"id": f"x{i % 2000}", "type": "SP.Data.ProjectenListItem"},
                    "ProjectCode": f"P-2526-{i % 2000:04d}"},
        "MedewerkerId": 1 + i % 40,
        "Medewerker": {"__metadata": {"id": f"u{i % 40}", "type": "SP.Data.UserInfoItem"},
                       "Title": f"Medewerker {i % 40}", "EMail": f"m{i % 40}@swv.example"},
        "Datum": "2026-03-01T23:00:00Z", "Uren": 1.5 + i % 7, "BoekingStatus": "Geldig",
        "Controlemelding": None}) for i in range(1, n + 1)]


BOOKING_SELECT = ["Id", "Title", "ProjectId", "Project/ProjectCode", "MedewerkerId",
                  "Medewerker/Title", "Medewerker/EMail", "Datum", "Uren", "BoekingStatus",
                  "Controlemelding"]


def test_cache_of_100000_bookings_is_small_and_quick(sqlite_cfg):
    """The size/time behind the choice of one compressed, column-wise JSON blob per list."""
    table = table_from_items(_bookings(100_000), BOOKING_SELECT)
    started = time.perf_counter()
    blob = encode_table(table)
    encoded = time.perf_counter() - started
    started = time.perf_counter()
    back = decode_table(blob)
    decoded = time.perf_counter() - started
    assert back == table
    assert back.row(4) == (5, '"3"', {
        "Title": "Boeking 5", "ProjectId": 6, "Project/ProjectCode": "P-2526-0005",
        "MedewerkerId": 6, "Medewerker/Title": "Medewerker 5",
        "Medewerker/EMail": "m5@swv.example", "Datum": "2026-03-01T23:00:00Z", "Uren": 6.5,
        "BoekingStatus": "Geldig", "Controlemelding": None})
    with open_state(sqlite_cfg) as store:
        started = time.perf_counter()
        store.save_list_state("urenregistratie", "t", "h", len(table), at(15), rows=table)
        back = store.cached_rows("urenregistratie", "h")
        round_trip = time.perf_counter() - started
    assert back == table
    print(f"\n100,000 bookings: {len(blob) / 1e6:.1f} MB compressed, encode {encoded:.2f} s, "
          f"decode {decoded:.2f} s, save+load {round_trip:.2f} s")
    assert len(blob) < 3_000_000
    assert round_trip < 5


def test_repeated_strings_are_one_object_in_the_table_and_after_decoding():
    table = table_from_items(_bookings(1000), BOOKING_SELECT)
    for t in (table, decode_table(encode_table(table))):
        names = t.columns["Medewerker/Title"]
        assert names[0] == names[40] == "Medewerker 1" and names[0] is names[40]
        assert len({id(v) for v in t.columns["Medewerker/EMail"]}) == 40
        assert len({id(v) for v in t.etags}) == 3
        assert t.columns["Title"][0] == "Boeking 1"
