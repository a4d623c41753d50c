"""§5.0: turning untrusted list values into comparable text, numbers, dates and booleans.

Every parser takes *any* Python value (str, float, int, bool, None, NaN, dict, ...) and never
raises: a value that cannot be read comes back as ``Parsed(INVALID, None, shown)`` so the caller
can emit a Dutch finding that quotes what staff typed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pandas as pd

__all__ = [
    "DEFAULT_TZ",
    "EMPTY",
    "INVALID",
    "OK",
    "Parsed",
    "canonical_choice",
    "choice_key",
    "collapse",
    "format_number_nl",
    "is_empty",
    "lookup_key",
    "parse_bool",
    "parse_choice",
    "parse_date",
    "parse_int_id",
    "parse_number",
    "round_half_up",
    "shown",
]

DEFAULT_TZ = "Europe/Amsterdam"

EMPTY: Literal["empty"] = "empty"
OK: Literal["ok"] = "ok"
INVALID: Literal["invalid"] = "invalid"


class Parsed:
    """The outcome of reading one cell: its ``state``, the typed ``value`` (None unless OK) and
    ``shown``, the raw value as text for messages.

    It compares and unpacks like the tuple ``(state, value, shown)``. The parsers pass the raw
    value (``raw=``) instead of the text: ``shown`` is built only when a message asks for it.
    Most cells are valid and never quoted, and building the text for every cell was a large
    share of a run's time.
    """

    __slots__ = ("_raw", "_shown", "state", "value")

    def __init__(self, state: Literal["empty", "ok", "invalid"], value: Any,
                 shown: str | None = None, *, raw: Any = None) -> None:
        self.state = state
        self.value = value
        self._shown = shown
        self._raw = raw

    @property
    def ok(self) -> bool:
        return self.state == OK

    @property
    def shown(self) -> str:
        if self._shown is None:
            self._shown = shown(self._raw)  # the module function shown(), defined below
        return self._shown

    def _astuple(self) -> tuple[str, Any, str]:
        return (self.state, self.value, self.shown)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._astuple())

    def __len__(self) -> int:
        return 3

    def __getitem__(self, index: int) -> Any:
        return self._astuple()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Parsed, tuple)):
            return self._astuple() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._astuple())

    def __repr__(self) -> str:
        return f"Parsed(state={self.state!r}, value={self.value!r}, shown={self.shown!r})"


#: The outcome of every empty cell (nothing to quote).
_EMPTY = Parsed(EMPTY, None, "")


def is_empty(value: Any) -> bool:
    """None, NaN/NaT, pd.NA and whitespace-only text all mean "not filled in".

    The plain Python types are decided first; only other objects (numpy scalars, pd.NA, NaT)
    go to pandas, which is slow per cell.
    """
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (int, dict, list, tuple, set)):  # int includes bool
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
    except Exception:
        text = f"<{type(value).__name__}>"
    text = collapse(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def collapse(text: str) -> str:
    """Trim and collapse runs of whitespace to one space.

    ``str.split()`` splits on exactly the characters the regex ``\\s`` and ``str.strip()``
    treat as whitespace (checked over every code point), and is several times faster.
    """
    return " ".join(text.split())


def choice_key(value: Any) -> str | None:
    """The comparison key of a choice/text value (§5.0): trimmed, collapsed, case-folded, one
    trailing '.' dropped, 'x: y' read as 'x, y'. None when empty or not text-like."""
    if is_empty(value) or isinstance(value, (dict, list, tuple, set, bool)):
        return None
    text = collapse(str(value))
    if text.endswith("."):
        text = text[:-1].rstrip()
    text = _COLON.sub(", ", text)
    text = _COMMA.sub(", ", text)
    return text.casefold() or None


_COLON = re.compile(r"\s*:\s*")
_COMMA = re.compile(r"\s*,\s*")


def canonical_choice(value: Any, vocab: tuple[str, ...]) -> str | None:
    """The vocabulary spelling of ``value`` after §5.0 normalisation, or None if not in it."""
    key = choice_key(value)
    return None if key is None else _vocab_keys(vocab).get(key)


@cache
def _vocab_keys(vocab: tuple[str, ...]) -> dict[str, str]:
    """choice_key -> spelling for a vocabulary (the first option wins), built once per vocab."""
    keys: dict[str, str] = {}
    for option in vocab:
        key = choice_key(option)
        if key is not None:
            keys.setdefault(key, option)
    return keys


def parse_choice(value: Any, vocab: tuple[str, ...]) -> Parsed:
    """EMPTY, OK with the canonical spelling, or INVALID (not in the vocabulary)."""
    if is_empty(value):
        return _EMPTY
    canon = canonical_choice(value, vocab)
    return Parsed(OK, canon, raw=value) if canon else Parsed(INVALID, None, raw=value)


# §5.0: numbers in text form accept a decimal comma and nothing else (no thousands separators,
# no exponents, no units).
_NUMBER_TEXT = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def parse_number(value: Any) -> Parsed:
    """A finite float, from a number or a text with a decimal point or comma ('1,5' -> 1.5).

    Booleans, NaN-like text, infinities, containers and overflowing ints are INVALID.
    """
    if type(value) is float and math.isfinite(value):  # fast path: the usual case, a number
        return Parsed(OK, value, raw=value)
    if is_empty(value):
        return _EMPTY
    if isinstance(value, bool):
        return Parsed(INVALID, None, raw=value)
    if isinstance(value, (int, float, Decimal)) or type(value).__module__ == "numpy":
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            return Parsed(INVALID, None, raw=value)
        if type(value).__name__ == "bool_":
            return Parsed(INVALID, None, raw=value)
        return Parsed(OK, number, raw=value) if math.isfinite(number) else Parsed(
            INVALID, None, raw=value)
    if isinstance(value, str):
        text = collapse(value).replace(" ", "")
        if _NUMBER_TEXT.match(text):
            try:
                number = float(text.replace(",", "."))
            except (ValueError, OverflowError):
                return Parsed(INVALID, None, raw=value)
            if math.isfinite(number):
                return Parsed(OK, number, raw=value)
    return Parsed(INVALID, None, raw=value)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def parse_date(value: Any, tz: str = DEFAULT_TZ) -> Parsed:
    """A local calendar date (§1): 'YYYY-MM-DD' as is; an instant ('...Z' or with an offset) or an
    aware datetime converted to ``tz`` first; a naive datetime taken as local."""
    if is_empty(value):
        return _EMPTY
    try:
        if isinstance(value, datetime):  # includes pd.Timestamp
            return Parsed(OK, _local_date(value, tz), raw=value)
        if isinstance(value, date):
            return Parsed(OK, value, raw=value)
        if isinstance(value, str):
            text = value.strip()
            if _ISO_DATE.match(text):
                return Parsed(OK, date.fromisoformat(text), raw=value)
            if _ISO_DATETIME.match(text):
                return Parsed(OK, _local_date(datetime.fromisoformat(text), tz), raw=value)
    except (ValueError, OverflowError, OSError, KeyError):
        pass
    return Parsed(INVALID, None, raw=value)


def _local_date(moment: datetime, tz: str) -> date:
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(ZoneInfo(tz)).date() if tz else moment.astimezone(UTC).date()


_TRUE = {"ja", "yes", "true", "1", "waar", "y", "j"}
_FALSE = {"nee", "no", "false", "0", "onwaar", "n"}


def parse_bool(value: Any) -> Parsed:
    """True/False from a bool, 1/0, or 'Ja'/'Nee'/'Yes'/'No'/'true'/'false' (any case)."""
    if is_empty(value):
        return _EMPTY
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return Parsed(OK, bool(value), raw=value)
    if isinstance(value, (int, float)) and value in (0, 1):
        return Parsed(OK, bool(value), raw=value)
    if isinstance(value, str):
        key = collapse(value).casefold().rstrip(".")
        if key in _TRUE:
            return Parsed(OK, True, raw=value)
        if key in _FALSE:
            return Parsed(OK, False, raw=value)
    return Parsed(INVALID, None, raw=value)


def parse_int_id(value: Any) -> int | None:
    """A SharePoint item ID from an int, an integral float or digit text; else None."""
    # Fast path for what the reader delivers (a plain int, or a float from a pandas column);
    # anything else goes the general way below and gives the same answer.
    if type(value) is int and abs(value) <= 2**53:
        return value
    if type(value) is float and value.is_integer() and abs(value) <= 2**53:
        return int(value)
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
