"""§5.0: turning untrusted list values into comparable text, numbers, dates and booleans.

Every parser takes *any* Python value (str, float, int, bool, None, NaN, dict, ...) and never
raises: a value that cannot be read comes back as ``Parsed(INVALID, None, shown)`` so the caller
can emit a Dutch finding that quotes what staff typed.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo

import pandas as pd

__all__ = [
    "EMPTY", "OK", "INVALID", "Parsed", "is_empty", "shown", "collapse", "choice_key",
    "canonical_choice", "parse_choice", "parse_number", "parse_date", "parse_bool", "parse_int_id",
    "lookup_key", "round_half_up", "format_number_nl", "nonnegative_number", "DEFAULT_TZ",
]

DEFAULT_TZ = "Europe/Amsterdam"

EMPTY: Literal["empty"] = "empty"
OK: Literal["ok"] = "ok"
INVALID: Literal["invalid"] = "invalid"


class Parsed(NamedTuple):
    """The outcome of reading one cell: its state, the typed value (None unless OK) and the raw
    value as text for messages."""

    state: Literal["empty", "ok", "invalid"]
    value: Any
    shown: str

    @property
    def ok(self) -> bool:
        return self.state == OK


def is_empty(value: Any) -> bool:
    """None, NaN/NaT, pd.NA and whitespace-only text all mean "not filled in"."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (dict, list, tuple, set)):
        return False
    try:  # pd.NA / pd.NaT / numpy.nan
        return bool(pd.api.types.is_scalar(value) and pd.isna(value))
    except (TypeError, ValueError):
        return False


def shown(value: Any, limit: int = 60) -> str:
    """The raw value as a short text to quote in a Dutch message."""
    if is_empty(value):
        return ""
    try:
        text = value if isinstance(value, str) else repr(value) if isinstance(
            value, (dict, list, tuple, set)) else str(value)
    except Exception:  # noqa: BLE001 - a broken __str__ must not stop the run
        text = f"<{type(value).__name__}>"
    text = collapse(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_WS = re.compile(r"\s+")


def collapse(text: str) -> str:
    """Trim and collapse runs of whitespace to one space."""
    return _WS.sub(" ", text).strip()


def choice_key(value: Any) -> str | None:
    """The comparison key of a choice/text value (§5.0): trimmed, collapsed, case-folded, one
    trailing '.' dropped, 'x: y' read as 'x, y'. None when empty or not text-like."""
    if is_empty(value) or isinstance(value, (dict, list, tuple, set, bool)):
        return None
    text = collapse(str(value))
    if text.endswith("."):
        text = text[:-1].rstrip()
    text = re.sub(r"\s*:\s*", ", ", text)
    text = re.sub(r"\s*,\s*", ", ", text)
    return text.casefold() or None


def canonical_choice(value: Any, vocab: tuple[str, ...]) -> str | None:
    """The vocabulary spelling of ``value`` after §5.0 normalisation, or None if not in it."""
    key = choice_key(value)
    if key is None:
        return None
    for option in vocab:
        if choice_key(option) == key:
            return option
    return None


def parse_choice(value: Any, vocab: tuple[str, ...]) -> Parsed:
    """EMPTY, OK with the canonical spelling, or INVALID (not in the vocabulary)."""
    if is_empty(value):
        return Parsed(EMPTY, None, "")
    canon = canonical_choice(value, vocab)
    return Parsed(OK, canon, shown(value)) if canon else Parsed(INVALID, None, shown(value))


# §5.0: numbers in text form accept a decimal comma and nothing else (no thousands separators,
# no exponents, no units).
_NUMBER_TEXT = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def parse_number(value: Any) -> Parsed:
    """A finite float, from a number or a text with a decimal point or comma ('1,5' -> 1.5).

    Booleans, NaN-like text, infinities, containers and overflowing ints are INVALID.
    """
    if is_empty(value):
        return Parsed(EMPTY, None, "")
    if isinstance(value, bool):
        return Parsed(INVALID, None, shown(value))
    if isinstance(value, (int, float, Decimal)) or type(value).__module__ == "numpy":
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            return Parsed(INVALID, None, shown(value))
        if type(value).__name__ == "bool_":
            return Parsed(INVALID, None, shown(value))
        return Parsed(OK, number, shown(value)) if math.isfinite(number) else Parsed(
            INVALID, None, shown(value))
    if isinstance(value, str):
        text = collapse(value).replace(" ", "")
        if _NUMBER_TEXT.match(text):
            try:
                number = float(text.replace(",", "."))
            except (ValueError, OverflowError):
                return Parsed(INVALID, None, shown(value))
            if math.isfinite(number):
                return Parsed(OK, number, shown(value))
    return Parsed(INVALID, None, shown(value))


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def parse_date(value: Any, tz: str = DEFAULT_TZ) -> Parsed:
    """A local calendar date (§1): 'YYYY-MM-DD' as is; an instant ('...Z' or with an offset) or an
    aware datetime converted to ``tz`` first; a naive datetime taken as local."""
    if is_empty(value):
        return Parsed(EMPTY, None, "")
    try:
        if isinstance(value, datetime):  # includes pd.Timestamp
            return Parsed(OK, _local_date(value, tz), shown(value))
        if isinstance(value, date):
            return Parsed(OK, value, shown(value))
        if isinstance(value, str):
            text = value.strip()
            if _ISO_DATE.match(text):
                return Parsed(OK, date.fromisoformat(text), shown(value))
            if _ISO_DATETIME.match(text):
                return Parsed(OK, _local_date(datetime.fromisoformat(text), tz), shown(value))
    except (ValueError, OverflowError, OSError, KeyError):
        pass
    return Parsed(INVALID, None, shown(value))


def _local_date(moment: datetime, tz: str) -> date:
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(ZoneInfo(tz)).date() if tz else moment.astimezone(timezone.utc).date()


_TRUE = {"ja", "yes", "true", "1", "waar", "y", "j"}
_FALSE = {"nee", "no", "false", "0", "onwaar", "n"}


def parse_bool(value: Any) -> Parsed:
    """True/False from a bool, 1/0, or 'Ja'/'Nee'/'Yes'/'No'/'true'/'false' (any case)."""
    if is_empty(value):
        return Parsed(EMPTY, None, "")
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return Parsed(OK, bool(value), shown(value))
    if isinstance(value, (int, float)) and value in (0, 1):
        return Parsed(OK, bool(value), shown(value))
    if isinstance(value, str):
        key = collapse(value).casefold().rstrip(".")
        if key in _TRUE:
            return Parsed(OK, True, shown(value))
        if key in _FALSE:
            return Parsed(OK, False, shown(value))
    return Parsed(INVALID, None, shown(value))


def parse_int_id(value: Any) -> int | None:
    """A SharePoint item ID from an int, an integral float or digit text; else None."""
    parsed = parse_number(value)
    if not parsed.ok or parsed.value != int(parsed.value) or abs(parsed.value) > 2**53:
        return None
    return int(parsed.value)


def lookup_key(value: Any) -> str | None:
    """The key a lookup show value or code is matched on: collapsed and case-folded."""
    if is_empty(value) or isinstance(value, (dict, list, tuple, set, bool)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = collapse(str(value))
    return text.casefold() or None


def round_half_up(value: float | None, digits: int = 1) -> float | None:
    """Round like people do (96.875 -> 96.9), not banker's rounding; None stays None."""
    if value is None or not math.isfinite(value):
        return None
    try:
        quantum = Decimal(1).scaleb(-digits)
        return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))
    except (InvalidOperation, ValueError):
        return float(value)


def format_number_nl(value: float | None) -> str:
    """A number as staff write it: '26', '-4', '2,5'."""
    if value is None:
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.6f}".rstrip("0").rstrip(".") if abs(value) < 1e15 else f"{value:g}"
    return text.replace(".", ",")


def nonnegative_number(value: Any) -> float | None:
    """The number if it reads as one and is >= 0, else None (the quality check reports why)."""
    parsed = parse_number(value)
    return parsed.value if parsed.ok and parsed.value >= 0 else None
