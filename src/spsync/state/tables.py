"""The state store's tables (SQLAlchemy Core) and its ordered schema migrations.

Why no Alembic: spsync ships as one pip package that an administrator installs on a server; a
migrations folder, an ``alembic.ini`` and a separate upgrade command are more to deploy and to
forget. The schema is small, so a fresh store is made with ``create_all`` and stamped with
``SCHEMA_VERSION``; an older store gets the steps in ``MIGRATIONS`` after its version, in order,
in one transaction, when it is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

__all__ = [
    "UTCDateTime",
    "metadata",
    "schema_version",
    "runs",
    "audit",
    "ledger",
    "key_figures",
    "reports",
    "list_tokens",
    "list_cache",
    "target_version",
    "MIGRATIONS",
]


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime in and out. SQLite keeps no zone, so it stores naive UTC and this
    type puts the zone back; PostgreSQL stores ``timestamptz``. A naive value is refused: it
    would be read back as UTC whatever zone the caller meant."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: the state store needs an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", UTCDateTime, nullable=False),
)

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
    Column("controledatum", Date, nullable=False),
    Column("dry_run", Boolean, nullable=False),
    #: "ok", "problemen", "gestopt", "fout"; NULL while running (or after a crash).
    Column("outcome", String(20)),
    Column("read_counts", JSON, nullable=False, default=dict),
    Column("requests", Integer, nullable=False, default=0),
    Column("items_written", Integer, nullable=False, default=0),
    Column("alerts_sent", Integer, nullable=False, default=0),
    Column("details", JSON, nullable=False, default=dict),
)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("list_key", String(60), nullable=False),
    Column("item_id", Integer, nullable=False),
    Column("column_name", String(120), nullable=False),
    #: JSON keeps the value's type (34 vs "34", null vs "").
    Column("old", JSON),
    Column("new", JSON),
    Index("ix_audit_item", "list_key", "item_id"),
)

#: One row per alert (line x recipient x channel) per *episode*. A key is "open" while its
#: latest row has no ``closed_at``; ``close_keys`` sets it when the condition recovered, and the
#: next time the same key is recorded it gets ``episode + 1``. So the unique constraint still
#: makes "at most one row per key, recipient, channel and episode" a database guarantee.
ledger = Table(
    "ledger", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("dedupe_key", String(300), nullable=False),
    Column("episode", Integer, nullable=False, default=0),
    Column("kind", String(40), nullable=False),
    Column("list_key", String(60), nullable=False),
    Column("item_id", Integer, nullable=False),
    Column("recipient_address", String(320), nullable=False),
    Column("recipient_name", String(300), nullable=False),
    Column("channel", String(60), nullable=False),
    #: "pending" -> "sent" | "failed".
    Column("state", String(20), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_attempt_at", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("closed_at", UTCDateTime),
    Column("message_id", String(300)),
    Column("last_error", Text),
    Column("line", JSON, nullable=False),
    UniqueConstraint("dedupe_key", "recipient_address", "channel", "episode",
                     name="uq_ledger_alert"),
    Index("ix_ledger_state", "state"),
    Index("ix_ledger_created", "created_at"),
)

key_figures = Table(
    "key_figures", metadata,
    Column("run_id", Integer, ForeignKey("runs.id"), primary_key=True, autoincrement=False),
    Column("figures", JSON, nullable=False),
    Column("project_hours", JSON, nullable=False),
)

reports = Table(
    "reports", metadata,
    Column("kind", String(40), primary_key=True),
    Column("period", String(40), primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("path", Text),
    Column("url", Text),
    Column("at", UTCDateTime, nullable=False),
)

#: Per list: the change token an incremental read continues from, the hash of the list's
#: schema (fields, $select) that token belongs to, and when the list was last read in full.
list_tokens = Table(
    "list_tokens", metadata,
    Column("list_key", String(60), primary_key=True),
    Column("token", Text, nullable=False),
    Column("schema_hash", String(64), nullable=False),
    Column("item_count", Integer, nullable=False),
    Column("full_read_at", UTCDateTime, nullable=False),
    Column("saved_at", UTCDateTime, nullable=False),
)

#: Per list: the rows of the last read (full or incremental), so an incremental read can
#: rebuild the frames: one zlib-compressed JSON blob per list, column by column
#: (``spsync.state.store.encode_table``; before schema version 3 ``[[id, etag, values], …]``).
list_cache = Table(
    "list_cache", metadata,
    Column("list_key", String(60), primary_key=True),
    Column("schema_hash", String(64), nullable=False),
    Column("item_count", Integer, nullable=False),
    Column("rows", LargeBinary, nullable=False),
    Column("saved_at", UTCDateTime, nullable=False),
)

Migration = Callable[[Connection], Any]


def _v1_list_tokens(conn: Connection) -> None:
    """v1 -> v2: change tokens and the row cache of incremental reads (S6)."""
    list_tokens.create(conn, checkfirst=True)
    list_cache.create(conn, checkfirst=True)


def _v2_columnar_cache(conn: Connection) -> None:
    """v2 -> v3: the row cache is kept column by column. The rows cached row by row are
    dropped with their tokens, so each list's next read is a full one that saves both anew
    (and an older spsync refuses this store instead of misreading the new blobs)."""
    conn.execute(list_cache.delete())
    conn.execute(list_tokens.delete())


#: ``MIGRATIONS[n]`` turns a version-``n`` store into version ``n + 1``. Append, never edit:
#: a step runs on stores made by the spsync release that had version ``n``.
MIGRATIONS: list[Migration] = [_v1_list_tokens, _v2_columnar_cache]



def target_version() -> int:
    """The version this spsync writes: 1 is the first schema, every migration adds one."""
    return 1 + len(MIGRATIONS)
