"""Fixtures for the state store: a real SQLite file, and a real throwaway PostgreSQL cluster.

The ``backend`` fixture runs every API test on both. PostgreSQL needs the server binaries
(Debian: ``apt-get install postgresql``); without them those tests skip and say why. As root the
cluster runs as the ``postgres`` user (initdb refuses root) in a folder that user owns.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

import pytest

from spsync.config import StateConfig

PG_PASSWORD = "pg-t3st-w4chtwoord"
PG_USER = "spsync"
PASSWORD_ENV = "SPSYNC_TEST_STATE_PASSWORD"


def at(day: int, hour: int = 7, minute: int = 0) -> datetime:
    """An aware UTC moment in May 2026."""
    return datetime(2026, 5, day, hour, minute, tzinfo=UTC)


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgCluster:
    port: int
    names: count

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        import psycopg

        name = f"state_{next(self.names)}"
        with psycopg.connect(host="127.0.0.1", port=self.port, user=PG_USER,
                             password=PG_PASSWORD, dbname="postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return name


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL-serverprogramma's (initdb, pg_ctl) niet gevonden; "
                    "installeer het Debian-pakket postgresql")
    as_user: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="spsync-pg-"))
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            shutil.rmtree(base)
            pytest.skip("als root is runuser nodig om PostgreSQL als gebruiker postgres te starten")
        try:
            shutil.chown(base, "postgres")
        except (LookupError, PermissionError):
            shutil.rmtree(base)
            pytest.skip("als root is de gebruiker postgres nodig om PostgreSQL te starten")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, pwfile, logfile = base / "data", base / "pw", base / "log"
    pwfile.write_text(PG_PASSWORD)
    if as_user:
        shutil.chown(pwfile, "postgres")
    subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", PG_USER,
                    f"--pwfile={pwfile}", "--auth-local=trust", "--auth-host=scram-sha-256",
                    "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    port = _free_port()
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {base} -c fsync=off"
    subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(logfile),
                    "-o", options, "-w", "start"], check=True, capture_output=True)
    try:
        yield PgCluster(port, count(1))
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "-w", "stop"], check=False, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
            ) -> StateConfig:
    """A StateConfig for an empty store: a SQLite file in tmp_path, or a fresh PostgreSQL
    database (password through ``password_env``, as in production)."""
    if request.param == "sqlite":
        return StateConfig(path=tmp_path / "state" / "spsync-state.db")
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    monkeypatch.setenv(PASSWORD_ENV, PG_PASSWORD)
    return StateConfig(url=cluster.url(cluster.create_database()), password_env=PASSWORD_ENV)


@pytest.fixture
def sqlite_cfg(tmp_path: Path) -> StateConfig:
    return StateConfig(path=tmp_path / "state" / "spsync-state.db")


@pytest.fixture
def store_of() -> Iterator[Callable[[StateConfig], object]]:
    """``store_of(cfg)`` opens a store that is closed after the test."""
    from spsync.state import open_state

    opened = []

    def _open(cfg: StateConfig):
        store = open_state(cfg)
        opened.append(store)
        return store

    yield _open
    for store in opened:
        store.close()
