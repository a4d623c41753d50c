"""The state store: what spsync remembers between runs (S3 item 1).

Runs, every field spsync wrote (audit), the alert ledger that makes an alert go out once, the
key figures a later report compares with, and which reports were made. One SQLite file by
default; any SQLAlchemy URL (e.g. PostgreSQL) through ``[state] url``.
"""

from __future__ import annotations

from spsync.state.records import AuditEntry, LedgerEntry, PreviousFigures, ReportRecord, RunRecord
from spsync.state.store import OUTCOMES, StateStore, open_state

__all__ = [
    "open_state",
    "StateStore",
    "OUTCOMES",
    "RunRecord",
    "AuditEntry",
    "LedgerEntry",
    "ReportRecord",
    "PreviousFigures",
]
