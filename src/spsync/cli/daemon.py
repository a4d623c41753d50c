"""``spsync daemon`` and ``spsync status``: the scheduled service and its health."""

from __future__ import annotations

__all__: list[str] = []
