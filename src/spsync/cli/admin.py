"""``spsync provision`` and ``spsync check``: set up a site and compare it with the config."""

from __future__ import annotations

__all__: list[str] = []
