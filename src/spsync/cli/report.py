"""``spsync report``: the weekly, tertiaal and annual reports on demand."""

from __future__ import annotations

__all__: list[str] = []
