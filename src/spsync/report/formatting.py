"""Dutch display values for the reports: numbers, money and dates through babel (nl_NL), and
text made safe to show.

The checks own parsing and rounding (:mod:`spsync.checks.normalise`); this module only writes
values the Dutch way (``1.696,0``, ``€ 47.250``, ``15-05-2026``, ``15 mei 2026``), puts a dash
for "no value" (so an empty cell never reads as a zero) and cleans text that came from a list:
bidi controls removed (they can make a cell read backwards), control characters and line breaks
collapsed, very long texts shortened with "…" for tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

from spsync.checks.normalise import (
    collapse,
    is_empty,
    parse_bool,
    parse_date,
    parse_number,
    round_half_up,
)

__all__ = [
    "LEEG",
    "LOCALE",
    "cell",
    "compact",
    "dagen",
    "datum",
    "datum_lang",
    "day",
    "euro",
    "flag",
    "getal",
    "key",
    "kort",
    "moment",
    "natural_key",
    "number",
    "pct",
    "rows",
    "schoon",
    "status_counts",
    "text",
]

LOCALE = "nl_NL"
#: Bidi embedding/override/isolate controls and LRM/RLM: removed from every displayed text.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
_DROP = dict.fromkeys(map(ord, BIDI_CONTROLS))
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ufffe\uffff]")  # not allowed in (or useless for) Word
#: Longest text a table cell shows; the rest becomes "…".
TABLE_TEXT_MAX = 160
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


def schoon(value: Any) -> str:
    """Text safe to display: no bidi or control characters, line breaks as spaces, collapsed."""
    if is_empty(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return collapse(_CONTROL.sub(" ", str(value).translate(_DROP)))


def text(value: Any) -> str:
    """Display text of a cell (see :func:`schoon`); ``3.0`` as ``3``; empty is ``""``."""
    return schoon(value)


def kort(value: Any, limit: int = TABLE_TEXT_MAX) -> str:
    """:func:`schoon` text shortened to ``limit`` characters with "…" (for table cells)."""
    shown = schoon(value)
    if len(shown) <= limit:
        return shown
    return shown[: limit - 1].rstrip() + "…"


def key(value: Any) -> str:
    """Comparison key of a text cell (case and spacing ignored)."""
    return text(value).casefold()


def number(value: Any) -> float | None:
    """The number of a cell (``"1,5"`` too), or None when empty or unreadable."""
    parsed = parse_number(value)
    return parsed.value if parsed.ok else None


def day(value: Any) -> date | None:
    """The local calendar date of a cell (a UTC instant becomes its Amsterdam date)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
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
    return _decimal(round_half_up(n, decimals) or 0.0, decimals)  # half up; no "-0,0"


@lru_cache(maxsize=65536)
def _decimal(n: float, decimals: int) -> str:
    """babel's Dutch number, cached: reports repeat the same few thousand values."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(n, format=pattern, locale=LOCALE)


@lru_cache(maxsize=8192)
def _date(d: date, pattern: str) -> str:
    return format_date(d, pattern, locale=LOCALE)


def euro(value: Any) -> str:
    """``€ 47.250`` (whole euros) or ``€ 1.234,50``; missing is a dash."""
    n = number(value)
    if n is None:
        return LEEG
    n = round_half_up(n, 2) or 0.0
    pattern = "¤ #,##0" if float(n).is_integer() else "¤ #,##0.00"
    return format_currency(n, "EUR", format=pattern, locale=LOCALE, currency_digits=False)


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
    d = day(value)
    return LEEG if d is None else _date(d, "dd-MM-yyyy")


def datum_lang(value: Any) -> str:
    """``15 mei 2026``; missing or invalid is a dash."""
    d = day(value)
    return LEEG if d is None else _date(d, "d MMMM y")


def moment(value: datetime, timezone: str = "Europe/Amsterdam") -> str:
    """``15 mei 2026 om 07:30`` in local time (a naive datetime is taken as local)."""
    tz = ZoneInfo(timezone)
    aware = value if value.tzinfo is not None else value.replace(tzinfo=tz)
    return format_datetime(aware, "d MMMM y 'om' HH:mm", tzinfo=tz, locale=LOCALE)


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
