"""Opening the store: creation, SQLite tuning, migrations, and Dutch errors without secrets."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from conftest import PASSWORD_ENV, PG_PASSWORD, at
from sqlalchemy import Column, Integer, MetaData, Table, inspect
from sqlalchemy.exc import IntegrityError
from state_factory import alert

from spsync.config import StateConfig, config_from_dict
from spsync.exceptions import ConfigError, StateError
from spsync.state import connect, open_state, tables
from spsync.writeback import FieldChange


def _version(path) -> list[int]:
    with sqlite3.connect(path) as conn:
        return [v for (v,) in conn.execute("SELECT version FROM schema_version ORDER BY 1")]


def test_open_creates_folder_file_and_current_schema(sqlite_cfg):
    assert not sqlite_cfg.path.parent.exists()
    with open_state(sqlite_cfg):
        pass
    assert sqlite_cfg.path.is_file()
    assert _version(sqlite_cfg.path) == [tables.target_version()]
    with sqlite3.connect(sqlite_cfg.path) as conn:
        names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"runs", "audit", "ledger", "key_figures", "reports", "schema_version"} <= names


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(sqlite_cfg):
    with open_state(sqlite_cfg) as store:
        with store._engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        # Foreign keys are enforced: an audit row for a run that does not exist is refused.
        with pytest.raises(IntegrityError):
            store.record_changes(12345, [FieldChange("projecten", 1, "UrenStatus", None, "x")],
                                 at(15))


def test_reopen_after_close_keeps_everything_and_does_not_migrate_again(sqlite_cfg):
    with open_state(sqlite_cfg) as store:
        run_id = store.begin_run(controledatum=date(2026, 5, 15), started_at=at(15),
                                 dry_run=False)
        store.record_intents(run_id, [alert()], at(15))
    with open_state(sqlite_cfg) as store:
        assert [r.id for r in store.runs()] == [run_id]
        assert store.has_key(alert().line.dedupe_key)
        assert store.where == str(sqlite_cfg.path)
    assert _version(sqlite_cfg.path) == [tables.target_version()]


def test_an_older_store_is_migrated_in_order_and_keeps_its_data(sqlite_cfg, monkeypatch):
    monkeypatch.setattr(tables, "MIGRATIONS", [])
    with open_state(sqlite_cfg) as store:  # made by "the previous release" (version 1)
        run_id = store.begin_run(controledatum=date(2026, 5, 8), started_at=at(8),
                                 dry_run=False)
    applied = []

    def v1_to_v2(conn):
        applied.append(2)
        conn.exec_driver_sql("ALTER TABLE runs ADD COLUMN host VARCHAR(100)")

    def v2_to_v3(conn):
        applied.append(3)
        conn.exec_driver_sql("UPDATE runs SET host = 'server-1'")

    monkeypatch.setattr(tables, "MIGRATIONS", [v1_to_v2, v2_to_v3])
    with open_state(sqlite_cfg) as store:
        assert [r.id for r in store.runs()] == [run_id]
    assert applied == [2, 3] and _version(sqlite_cfg.path) == [1, 2, 3]
    with sqlite3.connect(sqlite_cfg.path) as conn:
        assert conn.execute("SELECT host FROM runs").fetchall() == [("server-1",)]
    with open_state(sqlite_cfg):  # already current: nothing runs twice
        pass
    assert applied == [2, 3]


def test_a_failing_migration_leaves_the_store_at_its_old_version(sqlite_cfg, monkeypatch):
    monkeypatch.setattr(tables, "MIGRATIONS", [])
    with open_state(sqlite_cfg):
        pass

    def broken(conn):
        conn.exec_driver_sql("ALTER TABLE runs ADD COLUMN extra INTEGER")
        conn.exec_driver_sql("SELECT * FROM no_such_table")

    monkeypatch.setattr(tables, "MIGRATIONS", [broken])
    with pytest.raises(StateError, match="no_such_table"):
        open_state(sqlite_cfg)
    assert _version(sqlite_cfg.path) == [1]
    with sqlite3.connect(sqlite_cfg.path) as conn:  # the DDL was rolled back too
        assert "extra" not in [c[1] for c in conn.execute("PRAGMA table_info(runs)")]


def test_a_fresh_store_with_a_later_schema_is_created_current_and_stamped(sqlite_cfg,
                                                                           monkeypatch):
    later = MetaData()  # the schema of a release with one migration, which added a table
    for table in tables.metadata.sorted_tables:
        table.to_metadata(later)
    Table("probe", later, Column("id", Integer, primary_key=True))
    monkeypatch.setattr(connect, "metadata", later)
    monkeypatch.setattr(tables, "MIGRATIONS", [lambda conn: pytest.fail("not for a new store")])
    with open_state(sqlite_cfg) as store, store._engine.connect() as conn:
        assert inspect(conn).has_table("probe")
    assert _version(sqlite_cfg.path) == [2]


def test_a_store_from_a_newer_spsync_is_refused(sqlite_cfg):
    with open_state(sqlite_cfg):
        pass
    with sqlite3.connect(sqlite_cfg.path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (7, '2026-05-15 07:00:00')")
    with pytest.raises(StateError) as caught:
        open_state(sqlite_cfg)
    assert "versie 7" in caught.value.message and "Werk spsync bij" in caught.value.message
    assert caught.value.exit_code == 5  # a problem on this machine (docs/ERRORS.md)


def test_missing_store_is_not_created_when_only_reading(sqlite_cfg):
    with pytest.raises(StateError) as caught:
        open_state(sqlite_cfg, create=False)
    message = caught.value.message
    assert str(sqlite_cfg.path) in message and "bestaat niet" in message
    assert "spsync run --once" in message
    assert not sqlite_cfg.path.exists()


def test_an_empty_database_is_not_a_store_when_only_reading(sqlite_cfg):
    sqlite_cfg.path.parent.mkdir(parents=True)
    sqlite3.connect(sqlite_cfg.path).close()
    with pytest.raises(StateError, match="geen spsync-status"):
        open_state(sqlite_cfg, create=False)


def test_a_file_that_is_not_a_database_is_one_dutch_message(sqlite_cfg):
    sqlite_cfg.path.parent.mkdir(parents=True)
    sqlite_cfg.path.write_bytes(b"dit is geen database\n" * 200)
    with pytest.raises(StateError) as caught:
        open_state(sqlite_cfg)
    assert str(sqlite_cfg.path) in caught.value.message
    assert "geen (geldige) SQLite-database" in caught.value.message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_an_unwritable_folder_is_one_dutch_message(tmp_path):
    blocker = tmp_path / "bestand"
    blocker.write_text("x")
    cfg = StateConfig(path=blocker / "sub" / "state.db")
    with pytest.raises(StateError, match="kan niet worden aangemaakt"):
        open_state(cfg)


def test_password_env_missing_is_named_without_a_password(monkeypatch):
    monkeypatch.delenv("SPSYNC_NOT_SET", raising=False)
    cfg = StateConfig(url="postgresql+psycopg://spsync@127.0.0.1:9/spsync",
                      password_env="SPSYNC_NOT_SET")
    with pytest.raises(StateError, match="SPSYNC_NOT_SET is niet gezet"):
        open_state(cfg)


def test_unreachable_postgres_names_the_url_but_never_the_password(monkeypatch):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("SPSYNC_PW", "zeer-geheim-123")
    cfg = StateConfig(url=f"postgresql+psycopg://spsync@127.0.0.1:{port}/spsync",
                      password_env="SPSYNC_PW")
    with pytest.raises(StateError) as caught:
        open_state(cfg)
    message = caught.value.message
    assert f"127.0.0.1:{port}/spsync" in message and "zeer-geheim-123" not in message
    assert "bereikbaar" in message


def test_wrong_postgres_password_is_refused_without_echoing_it(pg_cluster, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "fout-wachtwoord-42")
    cfg = StateConfig(url=pg_cluster.url("postgres"), password_env=PASSWORD_ENV)
    with pytest.raises(StateError) as caught:
        open_state(cfg)
    assert "fout-wachtwoord-42" not in caught.value.message
    assert "password_env" in caught.value.message
    assert PG_PASSWORD not in caught.value.message


def test_config_refuses_a_password_inside_the_url_without_repeating_it():
    with pytest.raises(ConfigError) as caught:
        config_from_dict({"site": {"url": "http://127.0.0.1"},
                          "state": {"url": "postgresql+psycopg://spsync:Geheim99@db/spsync"}})
    (problem,) = caught.value.problems
    assert problem.startswith("state.url:") and "password_env" in problem
    assert "Geheim99" not in problem
    config = config_from_dict({"site": {"url": "http://127.0.0.1"},
                               "state": {"url": "postgresql+psycopg://spsync@db/spsync",
                                         "password_env": "SPSYNC_STATE_PASSWORD"}})
    assert config.state.password_env == "SPSYNC_STATE_PASSWORD"
