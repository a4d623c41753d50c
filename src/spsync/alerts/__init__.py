"""Alerts and reminders (DATA-MODEL §5.9): rules decide, the ledger remembers, channels deliver.

``model`` holds the plain types every part shares; the rules are pure functions over the checks'
result, the state store's ledger guarantees "never twice, never lost", and each channel module
delivers one digest per recipient.
"""

from spsync.alerts.model import (
    KIND_ORDER,
    Alert,
    AlertKind,
    AlertLine,
    Channel,
    Digest,
    Recipient,
    RenderedMessage,
)

__all__ = [
    "KIND_ORDER",
    "Alert",
    "AlertKind",
    "AlertLine",
    "Channel",
    "Digest",
    "Recipient",
    "RenderedMessage",
]
