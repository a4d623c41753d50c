"""What the state store hands out: plain frozen dataclasses, never database rows.

Also the JSON form of an :class:`AlertLine`, so a pending alert of a crashed run is re-sent
exactly as it was recorded, even when the item changed since.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import typing
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from spsync.alerts.model import AlertLine, Recipient

__all__ = [
    "RunRecord",
    "AuditEntry",
    "LedgerEntry",
    "ReportRecord",
    "PreviousFigures",
    "ListState",
    "line_to_json",
    "line_from_json",
    "jsonable",
]


@dataclass(frozen=True)
class ListState:
    """Where an incremental read of one list continues: its change token, the schema hash the
    token (and the cached rows) belong to, the item count then and the last full read."""

    list_key: str
    token: str
    schema_hash: str
    item_count: int
    full_read_at: datetime


@dataclass(frozen=True)
class RunRecord:
    """One run: a cycle (or another ``kind`` of job) as the store saw it begin and end."""

    id: int
    kind: str
    started_at: datetime
    ended_at: datetime | None
    controledatum: date
    dry_run: bool
    #: "ok", "problemen", "gestopt", "fout"; None while running or after a crash.
    outcome: str | None
    read_counts: dict[str, int | None]
    requests: int
    items_written: int
    alerts_sent: int
    details: dict[str, Any]


@dataclass(frozen=True)
class AuditEntry:
    """One field spsync changed on the site."""

    run_id: int
    at: datetime
    list_key: str
    item_id: int
    column: str
    old: Any
    new: Any


@dataclass(frozen=True)
class LedgerEntry:
    """One alert (line x recipient x channel) and where its delivery stands."""

    id: int
    run_id: int
    dedupe_key: str
    kind: str
    list_key: str
    item_id: int
    recipient: Recipient
    channel: str
    #: "pending", "sent" or "failed".
    state: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    message_id: str | None
    last_error: str | None
    line: AlertLine
    #: Set when the key was closed (the condition recovered); the key may then recur.
    closed_at: datetime | None = None
    episode: int = 0


@dataclass(frozen=True)
class ReportRecord:
    """A report made for a period (e.g. the weekly report of ISO week ``2026-W20``)."""

    kind: str
    period: str
    run_id: int | None
    path: str | None
    url: str | None
    at: datetime


@dataclass(frozen=True)
class PreviousFigures:
    """The key figures of an earlier run, for "change since last run"."""

    run: RunRecord
    figures: dict[str, dict[str, Any]]
    project_hours: dict[str, float | None]


def jsonable(value: Any) -> Any:
    """``value`` as JSON both SQLite and PostgreSQL accept: dates as ISO text, numpy scalars as
    Python numbers, NaN and infinities as null (PostgreSQL's json rejects them)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if hasattr(value, "item") and not isinstance(value, (bytes, bytearray)):
        return jsonable(value.item())  # numpy / pandas scalar
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


@functools.cache
def _date_fields() -> frozenset[str]:
    """AlertLine's date fields; cached: ``get_type_hints`` evaluates every annotation anew,
    and the ledger loads thousands of lines per cycle."""
    hints = typing.get_type_hints(AlertLine)
    return frozenset(name for name, hint in hints.items()
                     if hint is date or date in typing.get_args(hint))


def line_to_json(line: AlertLine) -> dict[str, Any]:
    return jsonable(dataclasses.asdict(line))


def line_from_json(data: dict[str, Any]) -> AlertLine:
    """The recorded line; fields a newer ``AlertLine`` added take their defaults, fields it
    dropped are ignored, so an old pending alert still loads."""
    known = {f.name for f in dataclasses.fields(AlertLine)}
    dates = _date_fields()
    values = {k: (date.fromisoformat(v) if k in dates and isinstance(v, str) else v)
              for k, v in data.items() if k in known}
    return AlertLine(**values)
