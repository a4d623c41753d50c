"""Change tokens and cached rows in the state store (S6): saved together, upgraded into an
older store by the store's own migration step, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import time

from conftest import at
from sqlalchemy import inspect

from spsync.state import open_state, tables
from spsync.state.store import decode_rows, encode_rows


def test_token_and_rows_round_trip_and_replace(backend):
    with open_state(backend) as store:
        assert store.list_state("projecten") is None
        assert store.cached_rows("projecten") is None
        rows = [(1, '"1"', {"Id": 1, "Title": "Zorg 🌍", "Uren": 2.5, "ProjectId": None}),
                (3, None, {"Id": 3, "Title": "x", "Project": {"ProjectCode": "P-1"}})]
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
        store.save_list_state("projecten", "1;3;abc;1;10", "h2", 1, at(16), rows=rows[:1])
        assert store.cached_rows("projecten", "h2") == rows[:1]
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
        store.save_list_state("uren", "t", "h", 0, at(15), rows=[])
        assert store.cached_rows("uren") == []
    with sqlite3.connect(sqlite_cfg.path) as conn:
        versions = [v for (v,) in conn.execute("SELECT version FROM schema_version ORDER BY 1")]
    assert versions == [1, 2] == list(range(1, tables.target_version() + 1))


def test_cache_of_100000_bookings_is_small_and_quick(sqlite_cfg):
    """The size/time behind the choice of one compressed JSON blob per list."""
    rows = [(i, f'"{1 + i % 3}"', {
        "Id": i, "Title": f"Boeking {i}", "ProjectId": 1 + i % 2000,
        "Project": {"__metadata": {"id": f"x{i % 2000}", "type": "SP.Data.ProjectenListItem"},
                    "ProjectCode": f"P-2526-{i % 2000:04d}"},
        "MedewerkerId": 1 + i % 40,
        "Medewerker": {"__metadata": {"id": f"u{i % 40}", "type": "SP.Data.UserInfoItem"},
                       "Title": f"Medewerker {i % 40}", "EMail": f"m{i % 40}@swv.example"},
        "Datum": "2026-03-01T23:00:00Z", "Uren": 1.5 + i % 7, "BoekingStatus": "Geldig",
        "Controlemelding": None}) for i in range(1, 100_001)]
    started = time.perf_counter()
    blob = encode_rows(rows)
    encoded = time.perf_counter() - started
    assert decode_rows(blob) == rows
    with open_state(sqlite_cfg) as store:
        started = time.perf_counter()
        store.save_list_state("urenregistratie", "t", "h", len(rows), at(15), rows=rows)
        back = store.cached_rows("urenregistratie", "h")
        round_trip = time.perf_counter() - started
    assert back == rows
    print(f"\n100,000 bookings: {len(blob) / 1e6:.1f} MB compressed, encode {encoded:.2f} s, "
          f"save+load {round_trip:.2f} s")
    assert len(blob) < 15_000_000
    assert round_trip < 15
