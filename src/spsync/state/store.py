"""The state store: runs, write-back audit, alert ledger, key figures and reports.

Every public method is one transaction that is committed when it returns, so the order of calls
is the order of what is durable: ``mark_attempt`` before a send and ``mark_sent`` right after it
make "at most the one message in flight can repeat" hold across a crash. Everything handed out
is a frozen dataclass from :mod:`spsync.state.records`; datetimes are aware UTC.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine, Row, and_, delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError

from spsync.alerts.model import Alert, Recipient
from spsync.config import StateConfig
from spsync.exceptions import StateError
from spsync.itemtable import ItemTable
from spsync.state.connect import describe, make_engine, migrate
from spsync.state.records import (
    AuditEntry,
    LedgerEntry,
    ListState,
    PreviousFigures,
    ReportRecord,
    RunRecord,
    jsonable,
    line_from_json,
    line_to_json,
)
from spsync.state.tables import audit, key_figures, ledger, list_cache, list_tokens, reports, runs
from spsync.writeback import FieldChange

__all__ = ["OUTCOMES", "SUCCESS", "StateStore", "open_state", "encode_table", "decode_table",
           "CACHE_FORMAT"]

#: How a run ended: "gestopt" is the safety valve (a list or column a rule needs is missing).
OUTCOMES = ("ok", "problemen", "gestopt", "fout")
#: Outcomes whose figures a later run may compare with.
SUCCESS = ("ok", "problemen")
#: A channel's error text is kept for the administrator, cut to this length.
_MAX_ERROR = 2000
_ALERT_KEY = ("dedupe_key", "recipient_address", "channel", "episode")


def open_state(cfg: StateConfig, *, create: bool = True) -> StateStore:
    """Open (and create or migrate) the store of ``cfg``. With ``create=False`` a store that
    does not exist yet is a :class:`StateError` instead of a new empty file (for commands that
    only read). Raises :class:`StateError` with a Dutch message and the fix."""
    engine = make_engine(cfg, create=create)
    try:
        migrate(engine, cfg, create=create)
    except BaseException:
        engine.dispose()
        raise
    return StateStore(engine, cfg)


class StateStore:
    """The open store; use as a context manager or call :meth:`close`."""

    def __init__(self, engine: Engine, cfg: StateConfig) -> None:
        self._engine = engine
        self._where = describe(cfg)

    @property
    def where(self) -> str:
        """The file or the URL (without password), for log lines."""
        return self._where

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """One committed transaction; a database failure becomes a Dutch :class:`StateError`."""
        try:
            with self._engine.begin() as conn:
                yield conn
        except IntegrityError:
            raise
        except DBAPIError as exc:
            reason = (str(exc.orig).strip().splitlines() or ["fout"])[0]
            secret = self._engine.url.password
            if isinstance(secret, str) and secret:
                reason = reason.replace(secret, "***")
            raise StateError(f"De statusopslag {self._where} is niet beschikbaar: {reason}. "
                             "Probeer het opnieuw; blijft dit, controleer dan of de database "
                             "bereikbaar is en niet vol.", where=self._where) from None

    # --- runs -------------------------------------------------------------------------------

    def begin_run(self, *, controledatum: date, started_at: datetime, dry_run: bool,
                  kind: str = "cycle") -> int:
        with self._tx() as conn:
            result = conn.execute(runs.insert().values(
                kind=kind, started_at=started_at, controledatum=controledatum,
                dry_run=dry_run, read_counts={}, details={}))
            return int(result.inserted_primary_key[0])

    def finish_run(self, run_id: int, *, outcome: str, ended_at: datetime,
                   read_counts: Mapping[str, int | None], requests: int, items_written: int,
                   alerts_sent: int = 0, details: Mapping[str, Any] | None = None) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
        with self._tx() as conn:
            done = conn.execute(update(runs).where(runs.c.id == run_id).values(
                outcome=outcome, ended_at=ended_at, read_counts=jsonable(dict(read_counts)),
                requests=requests, items_written=items_written, alerts_sent=alerts_sent,
                details=jsonable(dict(details or {}))))
            if done.rowcount != 1:
                raise KeyError(f"no run {run_id}")

    def last_successful_run(self, kind: str = "cycle") -> RunRecord | None:
        """The newest finished real run that ended ``ok`` or ``problemen``."""
        with self._tx() as conn:
            row = conn.execute(select(runs).where(
                runs.c.kind == kind, runs.c.dry_run.is_(False), runs.c.ended_at.is_not(None),
                runs.c.outcome.in_(SUCCESS)).order_by(runs.c.id.desc()).limit(1)).first()
        return None if row is None else _run(row)

    def latest_run(self, kind: str = "cycle", *, before: int | None = None
                   ) -> RunRecord | None:
        """The newest real (not dry) run of ``kind`` with an id below ``before``, however it
        ended (also one still running or crashed: outcome None)."""
        stmt = select(runs).where(runs.c.kind == kind, runs.c.dry_run.is_(False))
        if before is not None:
            stmt = stmt.where(runs.c.id < before)
        with self._tx() as conn:
            row = conn.execute(stmt.order_by(runs.c.id.desc()).limit(1)).first()
        return None if row is None else _run(row)

    def runs(self, limit: int = 20) -> list[RunRecord]:
        """The last ``limit`` runs of any kind, newest first."""
        with self._tx() as conn:
            rows = conn.execute(select(runs).order_by(runs.c.id.desc()).limit(limit)).all()
        return [_run(r) for r in rows]

    def run(self, run_id: int) -> RunRecord | None:
        with self._tx() as conn:
            row = conn.execute(select(runs).where(runs.c.id == run_id)).first()
        return None if row is None else _run(row)

    # --- write-back audit -------------------------------------------------------------------

    def record_changes(self, run_id: int, changes: Iterable[FieldChange], at: datetime) -> int:
        """Record the fields written in run ``run_id``; the number recorded."""
        rows = [{"run_id": run_id, "at": at, "list_key": c.list_key, "item_id": int(c.item_id),
                 "column_name": c.column, "old": jsonable(c.old), "new": jsonable(c.new)}
                for c in changes]
        if rows:
            with self._tx() as conn:
                conn.execute(audit.insert(), rows)
        return len(rows)

    def history(self, list_key: str, item_id: int) -> list[AuditEntry]:
        """Every recorded change of one item, oldest first."""
        with self._tx() as conn:
            rows = conn.execute(select(audit).where(
                audit.c.list_key == list_key, audit.c.item_id == item_id
            ).order_by(audit.c.at, audit.c.id)).all()
        return [AuditEntry(r.run_id, r.at, r.list_key, r.item_id, r.column_name, r.old, r.new)
                for r in rows]

    # --- alert ledger -----------------------------------------------------------------------

    def record_intents(self, run_id: int, alerts: Iterable[Alert], at: datetime
                       ) -> list[LedgerEntry]:
        """Record the alerts not recorded before (no open row for their key, recipient and
        channel, whatever its state); the new rows, in one transaction. A closed key starts a
        new episode. Two processes recording the same alert get one row (unique constraint)."""
        alerts = list(alerts)
        if not alerts:
            return []
        with self._tx() as conn:
            latest = self._latest_episodes(conn, {a.line.dedupe_key for a in alerts})
            rows: list[dict[str, Any]] = []
            for alert in alerts:
                triple = (alert.line.dedupe_key, alert.recipient.address, alert.channel)
                episode, is_open = latest.get(triple, (-1, False))
                if not is_open:
                    rows.append(_alert_row(run_id, alert, episode + 1, at))
                    latest[triple] = (episode + 1, True)
            new_ids = self._insert_alerts(conn, rows) if rows else []
            found = conn.execute(select(ledger).where(ledger.c.id.in_(new_ids))
                                 .order_by(ledger.c.id)).all() if new_ids else []
        return [_entry(r) for r in found]

    @staticmethod
    def _latest_episodes(conn: Connection, keys: set[str]
                         ) -> dict[tuple[str, str, str], tuple[int, bool]]:
        """Per (key, recipient, channel): the highest episode and whether one row is open."""
        latest: dict[tuple[str, str, str], tuple[int, bool]] = {}
        ordered = sorted(keys)
        for start in range(0, len(ordered), 500):
            rows = conn.execute(select(
                ledger.c.dedupe_key, ledger.c.recipient_address, ledger.c.channel,
                ledger.c.episode, ledger.c.closed_at,
            ).where(ledger.c.dedupe_key.in_(ordered[start:start + 500])))
            for r in rows:
                triple = (r.dedupe_key, r.recipient_address, r.channel)
                episode, is_open = latest.get(triple, (-1, False))
                latest[triple] = (max(episode, r.episode), is_open or r.closed_at is None)
        return latest

    @staticmethod
    def _insert_alerts(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
        """Insert ``rows``, skipping any another process inserted meanwhile; the new ids."""
        dialect = {"sqlite": sqlite, "postgresql": postgresql}.get(conn.dialect.name)
        if dialect is not None:
            stmt = (dialect.insert(ledger).on_conflict_do_nothing(index_elements=list(_ALERT_KEY))
                    .returning(ledger.c.id))
            return [int(new_id) for (new_id,) in conn.execute(stmt, rows)]
        new_ids = []
        for row in rows:  # other databases: a savepoint per row keeps the rest on a collision
            try:
                with conn.begin_nested():
                    new_ids.append(int(conn.execute(ledger.insert().values(**row))
                                       .inserted_primary_key[0]))
            except IntegrityError:
                pass
        return new_ids

    def has_key(self, dedupe_key: str) -> bool:
        """Whether the key is open: recorded for anyone, over any channel, in any state, and
        not closed since."""
        with self._tx() as conn:
            return bool(conn.execute(select(exists().where(
                ledger.c.dedupe_key == dedupe_key, ledger.c.closed_at.is_(None)))).scalar())

    def keys_with_prefix(self, prefix: str) -> set[str]:
        """The open keys that start with ``prefix`` (``%`` and ``_`` match only themselves)."""
        with self._tx() as conn:
            rows = conn.execute(select(ledger.c.dedupe_key).distinct().where(
                ledger.c.dedupe_key.startswith(prefix, autoescape=True),
                ledger.c.closed_at.is_(None)))
            return {r.dedupe_key for r in rows}

    def first_sent_at(self, dedupe_key: str) -> datetime | None:
        """When the open key was first delivered to anyone (None: not delivered yet)."""
        with self._tx() as conn:
            return conn.execute(select(func.min(ledger.c.sent_at)).where(
                ledger.c.dedupe_key == dedupe_key, ledger.c.closed_at.is_(None))).scalar()

    def pending(self, max_attempts: int) -> list[LedgerEntry]:
        """Alerts still to send, from this run or earlier ones, oldest first. A row already
        tried ``max_attempts`` times without an outcome (the process died each time) is left
        out: see :meth:`exhausted`."""
        with self._tx() as conn:
            rows = conn.execute(select(ledger).where(
                ledger.c.state == "pending", ledger.c.attempts < max_attempts
            ).order_by(ledger.c.id)).all()
        return [_entry(r) for r in rows]

    def exhausted(self, max_attempts: int) -> list[LedgerEntry]:
        """Pending rows tried ``max_attempts`` times without being marked sent or failed;
        resending them could repeat a message, so the caller reports them instead."""
        with self._tx() as conn:
            rows = conn.execute(select(ledger).where(
                ledger.c.state == "pending", ledger.c.attempts >= max_attempts
            ).order_by(ledger.c.id)).all()
        return [_entry(r) for r in rows]

    def mark_attempt(self, entry_ids: Sequence[int], message_id: str, at: datetime) -> None:
        """Before a send: one more attempt, under ``message_id`` (committed on return)."""
        with self._tx() as conn:
            conn.execute(update(ledger).where(
                ledger.c.id.in_(list(entry_ids)), ledger.c.state == "pending"
            ).values(attempts=ledger.c.attempts + 1, message_id=message_id,
                     last_attempt_at=at))

    def mark_sent(self, entry_ids: Sequence[int], message_id: str, at: datetime) -> None:
        """Right after a send: delivered (a row already sent keeps its first ``sent_at``)."""
        with self._tx() as conn:
            conn.execute(update(ledger).where(
                ledger.c.id.in_(list(entry_ids)), ledger.c.state != "sent"
            ).values(state="sent", sent_at=at, message_id=message_id, last_error=None))

    def mark_failed(self, entry_ids: Sequence[int], error: str, at: datetime,
                    max_attempts: int) -> list[LedgerEntry]:
        """A send failed: keep the error; the rows stay pending (retried next run) until their
        attempts reach ``max_attempts``, then become "failed". The rows that just did."""
        ids = list(entry_ids)
        with self._tx() as conn:
            conn.execute(update(ledger).where(
                ledger.c.id.in_(ids), ledger.c.state == "pending"
            ).values(last_error=error[:_MAX_ERROR], last_attempt_at=at))
            give_up = [r.id for r in conn.execute(select(ledger.c.id).where(
                ledger.c.id.in_(ids), ledger.c.state == "pending",
                ledger.c.attempts >= max_attempts))]
            if not give_up:
                return []
            conn.execute(update(ledger).where(ledger.c.id.in_(give_up)).values(state="failed"))
            rows = conn.execute(select(ledger).where(ledger.c.id.in_(give_up))
                                .order_by(ledger.c.id)).all()
        return [_entry(r) for r in rows]

    def close_keys(self, prefix: str, at: datetime) -> int:
        """Close the open keys starting with ``prefix`` (e.g. ``"uren|projecten|4|"`` when the
        project is back within its hours), so the same key can be recorded again later as a new
        episode. Delivery is not affected: a closed row still pending is still sent. The number
        of rows closed."""
        with self._tx() as conn:
            return conn.execute(update(ledger).where(
                ledger.c.dedupe_key.startswith(prefix, autoescape=True),
                ledger.c.closed_at.is_(None)).values(closed_at=at)).rowcount

    def alerts_between(self, start: datetime, end: datetime) -> list[LedgerEntry]:
        """Alerts recorded in ``[start, end)``, oldest first (the report's "signalen")."""
        with self._tx() as conn:
            rows = conn.execute(select(ledger).where(
                ledger.c.created_at >= start, ledger.c.created_at < end
            ).order_by(ledger.c.created_at, ledger.c.id)).all()
        return [_entry(r) for r in rows]

    def alert_counts(self) -> dict[str, int]:
        """Ledger rows per state (pending, sent, failed), for the daemon's metrics."""
        with self._tx() as conn:
            rows = conn.execute(select(ledger.c.state, func.count())
                                .group_by(ledger.c.state)).all()
        return {str(state): int(n) for state, n in rows}

    def alerts_for_item(self, list_key: str, item_id: int) -> list[LedgerEntry]:
        """Every alert recorded about one item, oldest first (for ``spsync history``)."""
        with self._tx() as conn:
            rows = conn.execute(select(ledger).where(
                ledger.c.list_key == list_key, ledger.c.item_id == item_id
            ).order_by(ledger.c.created_at, ledger.c.id)).all()
        return [_entry(r) for r in rows]

    # --- key figures ------------------------------------------------------------------------

    def save_key_figures(self, run_id: int, figures: Mapping[str, Mapping[str, Any]],
                         project_hours: Mapping[str, float | None]) -> None:
        """The run's kerncijfers (indicator code -> waarde, teller, noemer, status, titel) and
        hours per project; saving again for the same run replaces them."""
        _upsert_one(self, key_figures, {"run_id": run_id},
                    {"figures": jsonable(dict(figures)),
                     "project_hours": jsonable(dict(project_hours))})

    def previous_key_figures(self, controledatum: date) -> PreviousFigures | None:
        """The figures of the latest finished real run (ok or problemen) with an earlier
        controledatum: what "change since last run" compares with."""
        with self._tx() as conn:
            row = conn.execute(
                select(runs, key_figures.c.figures, key_figures.c.project_hours)
                .join(key_figures, key_figures.c.run_id == runs.c.id)
                .where(runs.c.dry_run.is_(False), runs.c.ended_at.is_not(None),
                       runs.c.outcome.in_(SUCCESS), runs.c.controledatum < controledatum)
                .order_by(runs.c.controledatum.desc(), runs.c.id.desc()).limit(1)).first()
        if row is None:
            return None
        return PreviousFigures(_run(row), dict(row.figures), dict(row.project_hours))

    # --- reports ----------------------------------------------------------------------------

    def report_record(self, kind: str, period: str) -> ReportRecord | None:
        with self._tx() as conn:
            row = conn.execute(select(reports).where(
                reports.c.kind == kind, reports.c.period == period)).first()
        return None if row is None else ReportRecord(row.kind, row.period, row.run_id,
                                                     row.path, row.url, row.at)

    def record_report(self, run_id: int | None, kind: str, period: str, *, path: str | None,
                      url: str | None, at: datetime) -> None:
        """Record (or replace) the report of ``kind`` for ``period``."""
        _upsert_one(self, reports, {"kind": kind, "period": period},
                    {"run_id": run_id, "path": path, "url": url, "at": at})


    # --- incremental reads (change tokens and the row cache) -------------------------------

    def save_list_state(self, list_key: str, token: str, schema_hash: str, item_count: int,
                        full_read_at: datetime, rows: ItemTable | None = None,
                        at: datetime | None = None) -> None:
        """Record where the next incremental read of ``list_key`` continues; with ``rows``
        the cached rows are replaced in the same transaction, so token and rows always
        belong together."""
        at = at or datetime.now(UTC)
        values = {"token": token, "schema_hash": schema_hash, "item_count": int(item_count),
                  "full_read_at": full_read_at, "saved_at": at}
        blob = encode_table(rows) if rows is not None else None
        with self._tx() as conn:
            _upsert(conn, list_tokens, {"list_key": list_key}, values)
            if blob is not None:
                _upsert(conn, list_cache, {"list_key": list_key},
                        {"schema_hash": schema_hash, "item_count": len(rows),
                         "rows": blob, "saved_at": at})

    def list_state(self, list_key: str) -> ListState | None:
        with self._tx() as conn:
            row = conn.execute(select(list_tokens).where(
                list_tokens.c.list_key == list_key)).first()
        if row is None:
            return None
        return ListState(row.list_key, row.token, row.schema_hash, row.item_count,
                         row.full_read_at)

    def cached_rows(self, list_key: str, schema_hash: str | None = None
                    ) -> ItemTable | None:
        """The rows saved with the list's state; None when there are none, they were saved
        for another ``schema_hash``, or in a layout this spsync does not read."""
        with self._tx() as conn:
            row = conn.execute(select(list_cache).where(
                list_cache.c.list_key == list_key)).first()
        if row is None or (schema_hash is not None and row.schema_hash != schema_hash):
            return None
        return decode_table(row.rows)

    def forget_list_state(self, list_key: str | None = None) -> None:
        """Drop the token and rows of one list (or all): its next read is a full one."""
        with self._tx() as conn:
            for table in (list_tokens, list_cache):
                stmt = delete(table)
                if list_key is not None:
                    stmt = stmt.where(table.c.list_key == list_key)
                conn.execute(stmt)


#: The layout of a cached table (``list_cache.rows``); a blob of another layout is no cache.
CACHE_FORMAT = 2


def encode_table(table: ItemTable) -> bytes:
    """zlib (level 1) of one JSON document, column by column: ``{"format": 2, "paths": [...],
    "ids": [...], "etags": C, "columns": [C, ...]}``, where a column ``C`` is its list of
    values or, when it holds few distinct strings, ``{"values": [...], "codes": [...]}``.
    Written a column at a time, so no second copy of the whole list is ever made; JSON, so
    loading a cache can never run code."""
    out = zlib.compressobj(1)
    parts = [out.compress(b'{"format":%d,"paths":' % CACHE_FORMAT),
             out.compress(_json(list(table.paths))),
             out.compress(b',"ids":'), out.compress(_json(table.ids)),
             out.compress(b',"etags":'), out.compress(_column_json(table.etags)),
             out.compress(b',"columns":[')]
    for n, path in enumerate(table.paths):
        if n:
            parts.append(out.compress(b","))
        parts.append(out.compress(_column_json(table.columns[path])))
    parts.append(out.compress(b"]}"))
    parts.append(out.flush())
    return b"".join(parts)


def decode_table(blob: bytes) -> ItemTable | None:
    """The table of :func:`encode_table`; None for a blob of another layout (the rows an
    older spsync cached) or one that does not read back, so the list is read in full."""
    try:
        data = json.loads(zlib.decompress(blob))
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            return None
        paths = tuple(data["paths"])
        return ItemTable(paths, data["ids"], _column_values(data["etags"]),
                         dict(zip(paths, map(_column_values, data["columns"]), strict=True)))
    except (zlib.error, ValueError, KeyError, TypeError, IndexError):
        return None


def _json(value: Any) -> bytes:
    # surrogatepass: a lone surrogate from the site is kept, not an error (json.loads of
    # bytes reads it back the same way).
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8", "surrogatepass")


def _column_json(values: list[Any]) -> bytes:
    """A column's JSON; dictionary-encoded when it is strings (or None) that repeat."""
    if len(values) > 1 and all(v is None or type(v) is str for v in values):
        index: dict[str | None, int] = {}
        codes = [index.setdefault(v, len(index)) for v in values]
        if 2 * len(index) <= len(values):
            return _json({"values": list(index), "codes": codes})
    return _json(values)


def _column_values(column: Any) -> list[Any]:
    if isinstance(column, list):
        return column
    values = column["values"]
    return [values[c] for c in column["codes"]]


def _upsert(conn: Connection, table: Any, key: dict[str, Any], values: dict[str, Any]) -> None:
    dialect = {"sqlite": sqlite, "postgresql": postgresql}.get(conn.dialect.name)
    if dialect is not None:
        stmt = dialect.insert(table).values(**key, **values)
        conn.execute(stmt.on_conflict_do_update(index_elements=list(key), set_=values))
        return
    conn.execute(delete(table).where(and_(*(table.c[k] == v for k, v in key.items()))))
    conn.execute(table.insert().values(**key, **values))


def _upsert_one(store: StateStore, table: Any, key: dict[str, Any], values: dict[str, Any]
                ) -> None:
    with store._tx() as conn:
        dialect = {"sqlite": sqlite, "postgresql": postgresql}.get(conn.dialect.name)
        if dialect is not None:
            stmt = dialect.insert(table).values(**key, **values)
            conn.execute(stmt.on_conflict_do_update(index_elements=list(key), set_=values))
            return
        conn.execute(delete(table).where(and_(*(table.c[k] == v for k, v in key.items()))))
        conn.execute(table.insert().values(**key, **values))


def _alert_row(run_id: int, alert: Alert, episode: int, at: datetime) -> dict[str, Any]:
    line = alert.line
    return {
        "run_id": run_id, "dedupe_key": line.dedupe_key, "episode": episode,
        "kind": line.kind, "list_key": line.list_key, "item_id": int(line.item_id),
        "recipient_address": alert.recipient.address, "recipient_name": alert.recipient.name,
        "channel": alert.channel, "state": "pending", "attempts": 0, "created_at": at,
        "line": line_to_json(line),
    }


def _run(row: Row[Any]) -> RunRecord:
    return RunRecord(
        id=row.id, kind=row.kind, started_at=row.started_at, ended_at=row.ended_at,
        controledatum=row.controledatum, dry_run=bool(row.dry_run), outcome=row.outcome,
        read_counts=dict(row.read_counts or {}), requests=row.requests,
        items_written=row.items_written, alerts_sent=row.alerts_sent,
        details=dict(row.details or {}))


def _entry(row: Row[Any]) -> LedgerEntry:
    return LedgerEntry(
        id=row.id, run_id=row.run_id, dedupe_key=row.dedupe_key, kind=row.kind,
        list_key=row.list_key, item_id=row.item_id,
        recipient=Recipient(row.recipient_address, row.recipient_name), channel=row.channel,
        state=row.state, attempts=row.attempts, created_at=row.created_at, sent_at=row.sent_at,
        message_id=row.message_id, last_error=row.last_error, line=line_from_json(row.line),
        closed_at=row.closed_at, episode=row.episode)
