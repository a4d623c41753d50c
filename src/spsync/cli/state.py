"""``spsync runs`` and ``spsync history``: the state store's record of runs and changes."""

from __future__ import annotations

__all__: list[str] = []
