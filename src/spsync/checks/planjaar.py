"""§4: schooljaar / kalenderjaar, the planjaar of a date, its bounds and Dutch labels."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from .normalise import collapse, is_empty
from .settings import PlanjaarMode

__all__ = [
    "format_date_nl",
    "kalenderjaar",
    "parse_planjaar",
    "planjaar",
    "planjaar_end",
    "planjaar_label",
    "planjaar_start",
    "schooljaar",
]


def schooljaar(d: date) -> str:
    """'2025-2026' for any date from 1 Aug 2025 up to and including 31 Jul 2026."""
    y = d.year if d.month >= 8 else d.year - 1
    return f"{y}-{y + 1}"


def kalenderjaar(d: date) -> str:
    """'2025' for any date in 2025."""
    return str(d.year)


def planjaar(d: date, mode: PlanjaarMode = "schooljaar") -> str:
    """The planjaar a date falls in, per the configured mode."""
    return kalenderjaar(d) if mode == "kalenderjaar" else schooljaar(d)


_SCHOOLJAAR = re.compile(r"^(\d{4})-(\d{4})$")
_KALENDERJAAR = re.compile(r"^(\d{4})$")


def parse_planjaar(value: Any, mode: PlanjaarMode = "schooljaar") -> str | None:
    """The planjaar text of a ``Planjaar`` cell if it is valid for ``mode``, else None.

    Planjaar is read as text; a number 2025 (or 2025.0) from a badly typed column is read as
    '2025'. Spaces around the hyphen are ignored ('2025 - 2026').
    """
    if is_empty(value) or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, (str, int)):
        return None
    text = collapse(str(value)).replace(" ", "")
    if mode == "kalenderjaar":
        return text if _KALENDERJAAR.match(text) else None
    m = _SCHOOLJAAR.match(text)
    if m and int(m.group(2)) == int(m.group(1)) + 1:
        return text
    return None


def planjaar_start(pj: str, mode: PlanjaarMode = "schooljaar") -> date:
    """First day of the planjaar: 1 Aug (schooljaar) or 1 Jan (kalenderjaar)."""
    first = int(pj[:4])
    return date(first, 1, 1) if mode == "kalenderjaar" else date(first, 8, 1)


def planjaar_end(pj: str, mode: PlanjaarMode = "schooljaar") -> date:
    """Last day of the planjaar, inclusive: 31 Jul (schooljaar) or 31 Dec (kalenderjaar)."""
    first = int(pj[:4])
    return date(first, 12, 31) if mode == "kalenderjaar" else date(first + 1, 7, 31)


def planjaar_label(pj: str, mode: PlanjaarMode = "schooljaar") -> str:
    """'schooljaar 2025-2026' or 'kalenderjaar 2025', as the Dutch texts say."""
    return f"{mode} {pj}"


def format_date_nl(d: date | None) -> str:
    """A date as the report shows it: dd-mm-jjjj."""
    return "" if d is None else f"{d.day:02d}-{d.month:02d}-{d.year:04d}"
