"""A list's items column-wise: the form they are held in from the read to the frames and cache.

Kept as a dict per item (what a JSON page decodes into), 100,000 bookings took about 200 MB,
and the slimmed copy for the state store's cache as much again: most of a cycle's peak memory.
An :class:`ItemTable` keeps one list per selected field (``$select`` path) beside the ids and
ETags, and one string object per distinct value in a column (lookup codes, persons, dates and
statuses repeat), so it is a small part of that. Pages are added one by one and dropped.

Pure data and pure functions; the frames are made from it in :mod:`spsync.reader`, the cache
in :mod:`spsync.state.store`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from spsync.gateway import ChangeSet, Item

__all__ = ["ItemTable", "TableBuilder", "table_from_items", "table_from_pages", "apply_changes"]


@dataclass
class ItemTable:
    """Items as read: ``ids`` and ``etags`` by position, and per ``$select`` path (besides
    ``Id``; ``"Project/ProjectCode"`` for an expanded field) the values at the same positions.
    An expanded path holds None where the item has no such reference."""

    paths: tuple[str, ...]
    ids: list[int] = field(default_factory=list)
    etags: list[str | None] = field(default_factory=list)
    columns: dict[str, list[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for path in self.paths:
            self.columns.setdefault(path, [])
        if set(self.columns) != set(self.paths) or any(
                len(c) != len(self.ids) for c in self.columns.values()) \
                or len(self.etags) != len(self.ids):
            raise ValueError("an ItemTable needs one value per id in every column")

    def __len__(self) -> int:
        return len(self.ids)

    def row(self, position: int) -> tuple[int, str | None, dict[str, Any]]:
        """One item as ``(id, etag, {path: value})`` (for tests and log lines)."""
        return (self.ids[position], self.etags[position],
                {p: self.columns[p][position] for p in self.paths})

    def take(self, positions: Sequence[int]) -> ItemTable:
        """A new table of the items at ``positions``, in that order."""
        return ItemTable(self.paths, [self.ids[i] for i in positions],
                         [self.etags[i] for i in positions],
                         {p: [c[i] for i in positions] for p, c in self.columns.items()})


def _paths(select: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for p in select if p != "Id"))


class TableBuilder:
    """Collects pages of items into an :class:`ItemTable`, a column at a time.

    Equal strings within a column become one object (JSON decoding makes a new one for every
    occurrence); the memo lives only as long as the builder."""

    def __init__(self, select: Iterable[str]) -> None:
        self.paths = _paths(select)
        self._parts = [(p, *p.split("/", 1)) if "/" in p else (p, p, None) for p in self.paths]
        self._table = ItemTable(self.paths)
        self._memo: dict[str, dict[str, str]] = {p: {} for p in self.paths}
        self._etags: dict[str, str] = {}

    def add(self, items: Sequence[Item]) -> None:
        """Append ``items`` (one page); they are not referenced afterwards."""
        table = self._table
        table.ids += [item.id for item in items]
        etags = self._etags
        table.etags += [None if item.etag is None else etags.setdefault(item.etag, item.etag)
                        for item in items]
        values = [item.values for item in items]
        for path, name, sub in self._parts:
            if sub is None:
                found = [v.get(name) for v in values]
            else:
                found = [x.get(sub) if isinstance(x := v.get(name), dict) else None
                         for v in values]
            memo = self._memo[path]
            table.columns[path] += [memo.setdefault(x, x) if type(x) is str else x
                                    for x in found]

    def table(self) -> ItemTable:
        """The table so far; the builder should not be used afterwards."""
        self._memo.clear()
        self._etags.clear()
        return self._table


def table_from_items(items: Iterable[Item], select: Iterable[str]) -> ItemTable:
    """The table of ``items``, with a column per ``select`` path."""
    builder = TableBuilder(select)
    builder.add(list(items))
    return builder.table()


def table_from_pages(pages: Iterable[Sequence[Item]], select: Iterable[str]) -> ItemTable:
    """The table of a read that arrives page by page (each page is dropped once added)."""
    builder = TableBuilder(select)
    for page in pages:
        builder.add(page)
    return builder.table()


def apply_changes(previous: ItemTable, changes: ChangeSet, reread: Sequence[Item]
                  ) -> ItemTable:
    """The table after ``changes``: deletes dropped, adds and updates replaced by their
    re-read version (an item asked for but not found was deleted meanwhile); id order."""
    fresh = table_from_items(reread, previous.paths)
    gone = changes.deleted | changes.added_or_updated  # re-read ones come back from ``fresh``
    # Positions into previous followed by fresh, by id; a re-read id wins over its old row.
    where: dict[int, int] = {i: n for n, i in enumerate(previous.ids) if i not in gone}
    offset = len(previous)
    wanted = changes.added_or_updated
    where.update({i: offset + n for n, i in enumerate(fresh.ids) if i in wanted})
    order = [where[i] for i in sorted(where)]
    return ItemTable(previous.paths, _gather(previous.ids, fresh.ids, order),
                     _gather(previous.etags, fresh.etags, order),
                     {p: _gather(previous.columns[p], fresh.columns[p], order)
                      for p in previous.paths})


def _gather(old: list[Any], new: list[Any], order: Sequence[int]) -> list[Any]:
    both = old + new if new else old
    return [both[i] for i in order]

