"""Opening the state store: the engine for SQLite or a URL, and the schema made current.

SQLite is tuned for two processes on one file (the daemon and a manual ``spsync run``): WAL so
readers never wait for the writer, a busy timeout so a writer waits for the other instead of
failing, and every transaction ``BEGIN IMMEDIATE`` so a read-then-write transaction takes the
write lock up front (a deferred one can fail with "database is locked" no timeout helps with).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, inspect, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from spsync.config import StateConfig
from spsync.exceptions import StateError
from spsync.state import tables
from spsync.state.tables import metadata, schema_version

__all__ = ["BUSY_TIMEOUT_S", "describe", "make_engine", "migrate"]

#: How long a writer waits for the other process's transaction before giving up.
BUSY_TIMEOUT_S = 30
#: PostgreSQL advisory lock id that serialises schema creation/migration between processes.
_MIGRATION_LOCK = 0x5350_5359


def describe(cfg: StateConfig) -> str:
    """Where the store lives, for messages: the file, or the URL without its password."""
    if cfg.url is None:
        return str(cfg.path)
    try:
        return make_url(cfg.url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(ongeldige url)"


def _fail(cfg: StateConfig, reason: str, fix: str, secret: str | None = None) -> StateError:
    if secret:
        reason = reason.replace(secret, "***")
    return StateError(f"De statusopslag {describe(cfg)} kan niet worden geopend: {reason}. {fix}",
                      where=describe(cfg))


def _sqlite_engine(path: Path) -> Engine:
    engine = create_engine(URL.create("sqlite", database=str(path)),
                           connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN (the driver's own would be deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")  # durable with WAL except on power loss
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_engine(cfg: StateConfig, *, create: bool) -> Engine:
    """An engine for ``cfg``; for SQLite the folder is made (``create``) or the file must exist."""
    if cfg.url is None:
        path = Path(cfg.path)
        if not create and not path.exists():
            raise _fail(cfg, "het bestand bestaat niet",
                        "Controleer [state] path in de configuratie, of voer eerst een run uit "
                        "(spsync run --once), die het bestand aanmaakt.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _fail(cfg, f"de map {path.parent} kan niet worden aangemaakt ({exc.strerror})",
                        "Kies in [state] path een map waarin spsync mag schrijven.") from None
        return _sqlite_engine(path)
    password = None
    try:
        url = make_url(cfg.url)
    except ArgumentError:
        raise _fail(cfg, "de url is geen geldige SQLAlchemy-url",
                    "Gebruik bijvoorbeeld postgresql+psycopg://spsync@dbserver/spsync.") from None
    if cfg.password_env:
        password = os.environ.get(cfg.password_env)
        if not password:
            raise _fail(cfg, f"de omgevingsvariabele {cfg.password_env} is niet gezet",
                        f"Zet het databasewachtwoord in {cfg.password_env} voor spsync start.")
        url = url.set(password=password)
    try:
        if url.get_backend_name() == "sqlite":
            if url.database and not create and not Path(url.database).exists():
                raise _fail(cfg, "het bestand bestaat niet",
                            "Controleer [state] url, of voer eerst een run uit.")
            return _sqlite_engine(Path(url.database or ":memory:"))
        return create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise _fail(cfg, f"het databasestuurprogramma ontbreekt ({exc})",
                    "Installeer spsync met de extra voor deze database, bijvoorbeeld "
                    "pip install 'spsync[postgres]'.", password) from None


def migrate(engine: Engine, cfg: StateConfig, *, create: bool) -> int:
    """Create the schema in an empty store or bring an older one up to date; the version."""
    secret = engine.url.password if isinstance(engine.url.password, str) else None
    target = tables.target_version()
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
            if not inspect(conn).has_table(schema_version.name):
                if not create:
                    raise _fail(cfg, "er staat geen spsync-status in",
                                "Controleer [state] in de configuratie, of voer eerst een run "
                                "uit (spsync run --once).")
                metadata.create_all(conn)
                conn.execute(schema_version.insert().values(version=target,
                                                            applied_at=datetime.now(UTC)))
                return target
            version = conn.execute(select(func.max(schema_version.c.version))).scalar() or 0
            if version > target:
                raise _fail(cfg, f"het schema heeft versie {version}, deze spsync kent tot "
                                 f"versie {target}",
                            "Werk spsync bij naar de versie die deze opslag gemaakt heeft.")
            for number in range(max(version, 1), target):
                tables.MIGRATIONS[number - 1](conn)
                conn.execute(schema_version.insert().values(version=number + 1,
                                                            applied_at=datetime.now(UTC)))
            return target
    except StateError:
        raise
    except DBAPIError as exc:
        first_line = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else "fout"
        raise _fail(cfg, first_line, _fix_for(first_line), secret) from None
    except SQLAlchemyError as exc:
        raise _fail(cfg, type(exc).__name__, "Controleer [state] in de configuratie.",
                    secret) from None


def _fix_for(reason: str) -> str:
    lower = reason.lower()
    if "not a database" in lower or "malformed" in lower:
        return ("Het bestand is geen (geldige) SQLite-database. Zet een kopie opzij en laat "
                "spsync een nieuw bestand aanmaken, of wijs in [state] path het juiste bestand aan.")
    if "unable to open" in lower or "readonly" in lower or "permission" in lower:
        return "Geef spsync lees- en schrijfrechten op het bestand en de map."
    if "locked" in lower or "busy" in lower:
        return "Een ander spsync-proces houdt de opslag bezet; probeer het zo nog eens."
    if "password" in lower or "authentication" in lower:
        return "Controleer de gebruiker in [state] url en het wachtwoord in password_env."
    return "Controleer [state] in de configuratie en of de database bereikbaar is."

