"""Safe access to the input frames: a missing list or column reads as empty, never raises.

Rules read cells through :class:`ListInput` so they never touch pandas quirks (NaN, dtypes,
missing columns) and can be read as plain row-by-row Python. A column is read, and parsed, once
per run: the rules and the quality check share the values (see :meth:`ListInput.parsed`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pandas as pd

from .. import schema
from .normalise import is_empty, lookup_key, parse_int_id
from .result import Finding
from .vocab import LIST_TITLES

__all__ = ["FindingLog", "ListInput", "LookupIndex", "Resolved", "empty_frame", "set_column"]

T = TypeVar("T")
_UNSEEN: Any = object()  # a parser may return None: the "not parsed yet" marker


def empty_frame(list_key: str) -> pd.DataFrame:
    """An empty frame with the Staff/Beheer columns of ``list_key``, used for a missing list."""
    cols = ["ID"] + [c.name for c in schema.list_def(list_key).columns
                     if c.writer is not schema.Writer.DAEMON]
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    frame.index.name = "ID"
    return frame


def set_column(frame: pd.DataFrame, name: str, values: Iterable[Any]) -> None:
    """Put ``values`` in ``frame[name]`` as object dtype, so None stays None (never NaN)."""
    frame[name] = pd.Series(list(values), dtype=object).to_numpy()  # positional, any index


@dataclass
class ListInput:
    """One input list as rows of plain values, with its item IDs and human references.

    Columns are read from ``frame`` once and cached: the rules only read the frame; output
    columns are added to it after every rule ran.
    """

    key: str
    frame: pd.DataFrame
    present: bool
    ids: list[int | None] = field(init=False)
    refs: list[str] = field(init=False)
    _cols: dict[str, list[Any]] = field(init=False, default_factory=dict, repr=False)
    _parsed: dict[tuple[Any, ...], list[Any]] = field(init=False, default_factory=dict,
                                                      repr=False)

    @classmethod
    def of(cls, key: str, frame: Any) -> ListInput:
        if not isinstance(frame, pd.DataFrame):
            return cls(key, empty_frame(key), False)
        return cls(key, frame.copy(), True)

    def __post_init__(self) -> None:
        id_values = self.frame["ID"].tolist() if "ID" in self.frame.columns else list(
            self.frame.index)
        self.ids = [parse_int_id(v) for v in id_values]
        title = LIST_TITLES.get(self.key, self.key)
        code_col = schema.list_def(self.key).code_column
        codes = self.col(code_col) if code_col else [None] * len(self)
        refs = []
        for item_id, code in zip(self.ids, codes):
            if isinstance(code, str) and code.strip():
                refs.append(code.strip())
            elif self.key == "urenregistratie":
                refs.append(f"ID {item_id}")
            else:
                refs.append(f"{title} {item_id}")
        self.refs = refs

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def title(self) -> str:
        return LIST_TITLES.get(self.key, self.key)

    def has(self, column: str) -> bool:
        return column in self.frame.columns

    def col(self, column: str) -> list[Any]:
        """The column's raw values (empty cells as None), None for every row when the column is
        missing. Do not modify the list: it is shared."""
        if column not in self._cols:
            if column not in self.frame.columns:
                values = [None] * len(self)
            else:
                data = self.frame[column]
                if isinstance(data, pd.DataFrame):  # duplicate column names: take the first
                    data = data.iloc[:, 0]
                values = _empty_as_none(data.tolist())
            self._cols[column] = values
        return self._cols[column]

    def parsed(self, column: str, parser: Callable[..., T], *args: Any) -> list[T]:
        """``parser(value, *args)`` for every cell of ``column``, e.g. ``parsed("BegrootBedrag",
        parse_number)``. Computed once per run and shared by the rules and the quality check.

        A value that occurs more than once is parsed once: staff repeat the same dates, codes,
        choices and hours thousands of times (the parsers are pure, so this cannot change a
        result). Only values for which equal means identical share an outcome: text, ints and
        non-zero floats, each type apart (1, 1.0 and True differ; so do 0.0 and -0.0).
        """
        key = (column, parser, args)
        if key not in self._parsed:
            texts: dict[str, T] = {}  # one memo per type: 1, 1.0 and True never meet
            ints: dict[int, T] = {}
            floats: dict[float, T] = {}
            out = []
            for value in self.col(column):
                kind = type(value)
                if kind is str:
                    memo: dict[Any, T] = texts
                elif kind is int:
                    memo = ints
                elif kind is float and value != 0.0:
                    memo = floats
                else:
                    out.append(parser(value, *args))
                    continue
                result = memo.get(value, _UNSEEN)
                if result is _UNSEEN:
                    result = memo[value] = parser(value, *args)
                out.append(result)
            self._parsed[key] = out
        return self._parsed[key]


def _empty_as_none(values: list[Any]) -> list[Any]:
    """``values`` with every empty cell (:func:`is_empty`) replaced by None, in place.

    This runs over every cell read, so the plain types are decided inline, exactly as
    ``is_empty`` decides them; only other objects (numpy scalars, pd.NA, NaT) call it.
    """
    for pos, value in enumerate(values):
        kind = type(value)
        if kind is str:
            if not value.strip():
                values[pos] = None
        elif kind is float:
            if value != value:  # NaN
                values[pos] = None
        elif value is not None and kind is not int and kind is not bool and is_empty(value):
            values[pos] = None
    return values


class Resolved:
    """The outcome of resolving one lookup cell."""

    EMPTY = "empty"
    FOUND = "found"
    UNKNOWN = "unknown"
    UNCHECKED = "unchecked"  # the target list is missing: nothing can be said

    def __init__(self, state: str, target_id: int | None = None, wat: str = "") -> None:
        self.state = state
        self.target_id = target_id
        self.wat = wat  # "'P-2526-99'" or "(item 1018)", for messages


@dataclass
class LookupIndex:
    """Finds rows of a target list by item ID or by the show value (e.g. ProjectCode)."""

    target: ListInput
    show_column: str
    by_id: dict[int, int] = field(init=False)  # item ID -> row position
    by_key: dict[str, int] = field(init=False)  # show key -> item ID of the first row
    _memo: dict[tuple[Any, Any, bool], Resolved] = field(init=False, default_factory=dict,
                                                          repr=False)

    def __post_init__(self) -> None:
        self.by_id = {i: pos for pos, i in enumerate(self.target.ids) if i is not None}
        self.by_key = {}
        for item_id, value in zip(self.target.ids, self.target.col(self.show_column)):
            key = lookup_key(value)
            if key is not None and item_id is not None and key not in self.by_key:
                self.by_key[key] = item_id

    def resolve(self, show: Any, lookup_id: Any, has_id_column: bool) -> Resolved:
        """By ``XId`` when that column exists (SharePoint), else by the show value (CSV).

        A filled show value that cannot name a row (a bool, list or dict) is UNKNOWN, not EMPTY:
        the value must not vanish without a finding (§5.1).

        100,000 bookings name a few thousand projects: the outcome of a plain (text, int ID)
        pair is kept and shared (callers only read it). Other types are resolved every time,
        so 1, 1.0 and True, or 0.0 and -0.0, never share an outcome.
        """
        return self.resolve_all([show], [lookup_id], has_id_column)[0]

    def resolve_all(self, shows: list[Any], lookup_ids: list[Any],
                    has_id_column: bool) -> list[Resolved]:
        """:meth:`resolve` for every cell of a lookup column (with its ``XId`` column)."""
        memo, plain_show, plain_id = self._memo, _PLAIN_SHOW, _PLAIN_ID
        out = []
        for show, lookup_id in zip(shows, lookup_ids, strict=True):
            if type(show) in plain_show and type(lookup_id) in plain_id:
                key = (show, lookup_id, has_id_column)
                found = memo.get(key)
                if found is None:
                    found = memo[key] = self._resolve(show, lookup_id, has_id_column)
                out.append(found)
            else:
                out.append(self._resolve(show, lookup_id, has_id_column))
        return out

    def _resolve(self, show: Any, lookup_id: Any, has_id_column: bool) -> Resolved:
        if has_id_column and not is_empty(lookup_id):
            if not self.target.present:
                return Resolved(Resolved.UNCHECKED)
            target_id = parse_int_id(lookup_id)
            if target_id is not None and target_id in self.by_id:
                return Resolved(Resolved.FOUND, target_id)
            shown_id = target_id if target_id is not None else lookup_id  # 1034.0 -> 1034
            wat = _quoted(show) if lookup_key(show) else f"(item {shown_id})"
            return Resolved(Resolved.UNKNOWN, None, wat)
        if is_empty(show):
            return Resolved(Resolved.EMPTY)
        if not self.target.present:
            return Resolved(Resolved.UNCHECKED)
        show_key = lookup_key(show)  # None for a bool, list or dict: names no row
        if show_key is not None and show_key in self.by_key:
            return Resolved(Resolved.FOUND, self.by_key[show_key])
        return Resolved(Resolved.UNKNOWN, None, _quoted(show))

    def row(self, target_id: int | None) -> int | None:
        """The row position of ``target_id`` in the target list."""
        return None if target_id is None else self.by_id.get(target_id)


#: The cell types whose resolve outcome is shared (see :meth:`LookupIndex.resolve`).
_PLAIN_SHOW = frozenset({str, type(None)})
_PLAIN_ID = frozenset({int, type(None)})


def _quoted(show: Any) -> str:
    """The show value as a lookup message quotes it: 'P-2526-99'."""
    return f"'{show.strip() if isinstance(show, str) else show}'"


@dataclass
class FindingLog:
    """All findings of a run, in order, and per (list, item) for ``Controlemelding``."""

    findings: list[Finding] = field(default_factory=list)
    #: list key -> item ID -> that row's findings, in order.
    _by_row: dict[str, dict[int, list[Finding]]] = field(default_factory=dict)

    def add(self, item: Finding) -> None:
        self.findings.append(item)
        if item.item_id is not None:
            self._by_row.setdefault(item.list_key, {}).setdefault(item.item_id, []).append(item)

    def extend(self, items: Iterable[Finding]) -> None:
        for item in items:
            self.add(item)

    def of_row(self, list_key: str, item_id: int | None) -> list[Finding]:
        return list(self._by_row.get(list_key, {}).get(item_id, ()))  # type: ignore[arg-type]

    def of_rows(self, list_key: str, item_ids: Iterable[int | None]) -> list[list[Finding]]:
        """:meth:`of_row` for every item of a list at once (most rows have no finding: they
        share one empty list, which callers must not modify)."""
        rows, none = self._by_row.get(list_key, {}), []
        return [rows.get(i, none) for i in item_ids]  # type: ignore[arg-type]
