"""Reading frame cells and writing them the Dutch way, on top of :mod:`spsync.checks.normalise`.

The checks own parsing (decimal comma, UTC instant -> Amsterdam date, Ja/Nee) and rounding; this
module only adds what a printed report needs beyond that: fixed decimals with a thousands
separator, a dash for "no value" (so an empty cell never reads as zero) and frame-to-rows access
that prefers the helper columns the checks add over re-reading the raw staff value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pandas as pd

from spsync.checks.normalise import (
    collapse,
    is_empty,
    parse_bool,
    parse_date,
    parse_number,
    round_half_up,
)
from spsync.checks.planjaar import format_date_nl

__all__ = [
    "LEEG",
    "cell",
    "compact",
    "dagen",
    "datum",
    "day",
    "flag",
    "getal",
    "key",
    "natural_key",
    "number",
    "pct",
    "rows",
    "status_counts",
    "text",
]

LEEG = "–"  # a missing number or date; an empty cell must never look like a zero


def rows(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    """Frame rows as dicts; a list missing on the site (None) is simply empty."""
    if frame is None or len(frame) == 0:
        return []
    return frame.to_dict(orient="records")


def cell(row: Mapping[str, Any], helper: str, raw: str) -> Any:
    """The checks' helper column when the frame has it, else the raw staff column.

    The helper holds the already-parsed value (a float, a local date); the raw column is the
    fallback for results not made by ``run_checks`` (hand-built, older pipelines).
    """
    return row[helper] if helper in row else row.get(raw)


def text(value: Any) -> str:
    """Display text of a cell: trimmed, whitespace collapsed, ``3.0`` as ``3``; empty is ``""``."""
    if is_empty(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return collapse(str(value))


def key(value: Any) -> str:
    """Comparison key of a text cell (case and spacing ignored)."""
    return text(value).casefold()


def number(value: Any) -> float | None:
    """The number of a cell (``"1,5"`` too), or None when empty or unreadable."""
    parsed = parse_number(value)
    return parsed.value if parsed.ok else None


def day(value: Any) -> date | None:
    """The local calendar date of a cell (a UTC instant becomes its Amsterdam date)."""
    parsed = parse_date(value)
    return parsed.value if parsed.ok else None


def flag(value: Any) -> bool:
    """A Ja/Nee cell; empty or unreadable counts as Nee."""
    return parse_bool(value).value is True


def getal(value: Any, decimals: int = 1) -> str:
    """Dutch number with fixed decimals and a thousands point: ``1.696,0``; missing is a dash."""
    n = number(value)
    if n is None:
        return LEEG
    n = round_half_up(n, decimals) or 0.0  # half up like people round; no "-0,0"
    return f"{n:,.{decimals}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def pct(value: Any, decimals: int = 1) -> str:
    """Dutch percentage: ``77,8%``."""
    shown = getal(value, decimals)
    return shown if shown == LEEG else f"{shown}%"


def compact(value: Any) -> str:
    """A count or target without needless decimals: ``75`` but ``3,5``."""
    n = number(value)
    if n is None:
        return LEEG
    return getal(n, 0 if n.is_integer() else 1)


def datum(value: Any) -> str:
    """Dutch date ``dd-mm-jjjj``; missing or invalid is a dash."""
    return format_date_nl(day(value)) or LEEG


def dagen(value: Any) -> str:
    """A whole number of days; missing is a dash."""
    n = number(value)
    return LEEG if n is None else str(int(round_half_up(n, 0) or 0))


def natural_key(value: str) -> tuple[Any, ...]:
    """Sort ``P-2526-2`` before ``P-2526-10``."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.casefold())
                 for p in re.split(r"(\d+)", value))


def status_counts(values: Iterable[str], order: Iterable[str], *,
                  leeg: str = "(leeg)", zeros: bool = True) -> list[dict[str, Any]]:
    """Counts in vocabulary order; values outside it (or empty) are kept, never dropped.

    ``zeros=False`` leaves out vocabulary values nobody has, for short summary tables.
    """
    counts: dict[str, int] = {}
    for v in values:
        counts[v or leeg] = counts.get(v or leeg, 0) + 1
    known = list(order)
    extra = sorted(k for k in counts if k not in known)
    return [{"status": k, "aantal": counts.get(k, 0)} for k in known + extra
            if zeros or counts.get(k)]
