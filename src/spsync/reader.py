"""Reads the registration lists through a gateway into the frames the checks take.

The site may lack a list or a column, or hold a column under another internal name or type (a
legacy Text column where the model has a Lookup). The reader selects only what exists, so a
missing column never becomes a 400 from SharePoint, and leaves the judging to the checks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from spsync import schema
from spsync.checks.tables import Tables
from spsync.config import Config
from spsync.gateway import Gateway, ListInfo
from spsync.itemtable import ItemTable, table_from_pages

__all__ = ["ListSnapshot", "Snapshot", "read_snapshot", "read_table", "list_snapshot",
           "table_to_frame"]

log = logging.getLogger(__name__)

_LOOKUP_TYPES = ("Lookup", "LookupMulti")
_USER_TYPES = ("User", "UserMulti")


@dataclass
class ListSnapshot:
    """One list as read: its frame (None if missing), ETags and the owned columns on the site."""

    key: str
    title: str
    info: ListInfo | None
    frame: pd.DataFrame | None
    etags: dict[int, str] = field(default_factory=dict)
    #: data model name -> site internal name, for the Daemon columns the site has.
    owned_on_site: dict[str, str] = field(default_factory=dict)
    #: Daemon columns of the model that the site lacks (cannot be written back).
    owned_missing: list[str] = field(default_factory=list)


@dataclass
class Snapshot:
    """Everything read in one round; ``tables`` is what the checks take."""

    lists: dict[str, ListSnapshot]
    library: ListInfo | None

    @property
    def tables(self) -> Tables:
        return Tables(**{k: s.frame for k, s in self.lists.items()})


@dataclass(frozen=True)
class _Plan:
    """How one model column is read: its site name, kind and (for references) show field."""

    name: str
    site: str
    kind: str  # "plain" | "lookup" | "user"
    show: str | None = None


def _plans(definition: schema.ListDef, info: ListInfo, config: Config) -> list[_Plan]:
    plans = []
    for col in definition.columns:
        site = config.site_column(definition.key, col.name)
        site_type = info.fields.get(site)
        if site_type is None:
            continue
        if site_type in _LOOKUP_TYPES:
            target = next((d for d in schema.LISTS if d.title == col.lookup_list), None)
            show = col.lookup_field or "Title"
            if target is not None:
                show = config.site_column(target.key, show)
            plans.append(_Plan(col.name, site, "lookup", show))
        elif site_type in _USER_TYPES:
            plans.append(_Plan(col.name, site, "user"))
        else:
            plans.append(_Plan(col.name, site, "plain"))
    return plans


def _select(plans: list[_Plan]) -> tuple[list[str], list[str]]:
    select, expand = ["Id"], []
    for p in plans:
        if p.kind == "plain":
            select.append(p.site)
        elif p.kind == "lookup":
            select += [f"{p.site}Id", f"{p.site}/{p.show}"]
            expand.append(p.site)
        else:
            select += [f"{p.site}Id", f"{p.site}/Title", f"{p.site}/EMail"]
            expand.append(p.site)
    return select, expand


def _frame_columns(plans: Sequence[_Plan]) -> list[tuple[str, str]]:
    """(frame column, ``$select`` path it comes from) in the frame's order."""
    columns = [("ID", "Id")]
    for p in plans:
        if p.kind == "plain":
            columns.append((p.name, p.site))
        elif p.kind == "lookup":
            columns += [(p.name, f"{p.site}/{p.show}"), (f"{p.name}Id", f"{p.site}Id")]
        else:
            columns += [(p.name, f"{p.site}/Title"), (f"{p.name}EMail", f"{p.site}/EMail"),
                        (f"{p.name}Id", f"{p.site}Id")]
    return columns


#: Value types pandas' inference leaves as they are (no int or float among them).
_AS_READ = frozenset({str, type(None), bool, dict, list})


def _object_column(values: list[Any]) -> np.ndarray:
    """One frame column as ``from_records(...).astype(object)`` then ``where(notna, None)``
    made it: numbers inferred as pandas does (ints with a None become floats), then Python
    objects, missing values None. Columns that inference would give back unchanged (text,
    booleans, only ints) skip it: it is most of the time of a frame."""
    kinds = set(map(type, values))
    if kinds <= _AS_READ or kinds == {int}:
        return np.fromiter(values, dtype=object, count=len(values))
    inferred = pd.Series(values).to_numpy()
    column = inferred if inferred.dtype == object else inferred.astype(object)
    missing = pd.isna(column)
    if missing.any():
        if column is inferred:
            column = column.copy()
        column[missing] = None
    return column


def table_to_frame(table: ItemTable, plans: Sequence[_Plan]) -> pd.DataFrame:
    """The frame of :mod:`spsync.checks.tables` from the items as read, column by column
    (object columns, index the item ids)."""
    data = {"Id": table.ids, **table.columns}
    return pd.DataFrame({name: _object_column(data[path]) for name, path in _frame_columns(plans)},
                        index=pd.Index(table.ids, dtype="int64"))


def read_table(gateway: Gateway, info: ListInfo, select: Sequence[str],
               expand: Sequence[str]) -> ItemTable:
    """Every item of the list as a table, each page turned into columns and dropped."""
    return table_from_pages(gateway.read_pages(info, select, expand), select)


def list_snapshot(definition: schema.ListDef, title: str, info: ListInfo, config: Config,
                  table: ItemTable) -> ListSnapshot:
    """The ListSnapshot of one list from its items (a full read's or the cache's)."""
    frame = table_to_frame(table, _plans(definition, info, config))
    owned_on_site, owned_missing = {}, []
    for name in schema.owned_columns(definition.key):
        site = config.site_column(definition.key, name)
        if site in info.fields:
            owned_on_site[name] = site
        else:
            owned_missing.append(name)  # the cycle reports it as KOLOM_ONTBREEKT
    return ListSnapshot(definition.key, title, info, frame,
                        etags={i: e for i, e in zip(table.ids, table.etags) if e},
                        owned_on_site=owned_on_site, owned_missing=owned_missing)


def read_snapshot(gateway: Gateway, config: Config) -> Snapshot:
    """Describe all lists in one request, then read each existing list completely."""
    keys = [d.key for d in schema.LISTS]
    titles = [config.title(k) for k in keys] + [config.title(schema.LIBRARY.key)]
    infos = gateway.describe_lists(titles)
    lists: dict[str, ListSnapshot] = {}
    for definition in schema.LISTS:
        title = config.title(definition.key)
        info = infos.get(title)
        if info is None:  # the checks turn this into a LIJST_ONTBREEKT finding (logged once)
            lists[definition.key] = ListSnapshot(definition.key, title, None, None)
            continue
        select, expand = _select(_plans(definition, info, config))
        table = read_table(gateway, info, select, expand)
        lists[definition.key] = list_snapshot(definition, title, info, config, table)
        del table  # the frame holds what the checks need
    library = infos.get(config.title(schema.LIBRARY.key))
    if library is None:
        log.error("Bibliotheek '%s' ontbreekt op de site; het rapport wordt niet geüpload.",
                  config.title(schema.LIBRARY.key))
    return Snapshot(lists=lists, library=library)
