"""``spsync alerts``: what would be sent to whom, and the alert ledger."""

from __future__ import annotations

__all__: list[str] = []
