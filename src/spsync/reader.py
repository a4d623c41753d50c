"""Reads the registration lists through a gateway into the frames the checks take.

The site may lack a list or a column, or hold a column under another internal name or type (a
legacy Text column where the model has a Lookup). The reader selects only what exists, so a
missing column never becomes a 400 from SharePoint, and leaves the judging to the checks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from spsync import schema
from spsync.checks.tables import Tables
from spsync.config import Config
from spsync.gateway import Gateway, ListInfo

__all__ = ["ListSnapshot", "Snapshot", "read_snapshot", "items_to_frame"]

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


def _expanded(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, dict) else None


def items_to_frame(rows: list[dict[str, Any]], plans: list[_Plan]) -> pd.DataFrame:
    """Flatten item dicts into the frame convention of :mod:`spsync.checks.tables`."""
    records = []
    for values in rows:
        rec: dict[str, Any] = {"ID": int(values["Id"])}
        for p in plans:
            if p.kind == "plain":
                rec[p.name] = values.get(p.site)
            elif p.kind == "lookup":
                rec[p.name] = _expanded(values.get(p.site), p.show or "Title")
                rec[f"{p.name}Id"] = values.get(f"{p.site}Id")
            else:
                rec[p.name] = _expanded(values.get(p.site), "Title")
                rec[f"{p.name}EMail"] = _expanded(values.get(p.site), "EMail")
                rec[f"{p.name}Id"] = values.get(f"{p.site}Id")
        records.append(rec)
    columns = ["ID"]
    for p in plans:
        columns.append(p.name)
        if p.kind == "lookup":
            columns.append(f"{p.name}Id")
        elif p.kind == "user":
            columns += [f"{p.name}EMail", f"{p.name}Id"]
    frame = pd.DataFrame.from_records(records, columns=columns).astype(object)
    frame = frame.where(frame.notna(), None)
    frame.index = pd.Index([r["ID"] for r in records], dtype="int64", name=None)
    return frame


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
        plans = _plans(definition, info, config)
        select, expand = _select(plans)
        items = gateway.read_items(info, select, expand)
        frame = items_to_frame([dict(i.values) for i in items], plans)
        owned_on_site, owned_missing = {}, []
        for name in schema.owned_columns(definition.key):
            site = config.site_column(definition.key, name)
            if site in info.fields:
                owned_on_site[name] = site
            else:
                owned_missing.append(name)  # the cycle reports it as KOLOM_ONTBREEKT
        lists[definition.key] = ListSnapshot(
            definition.key, title, info, frame,
            etags={i.id: i.etag for i in items if i.etag}, owned_on_site=owned_on_site,
            owned_missing=owned_missing)
    library = infos.get(config.title(schema.LIBRARY.key))
    if library is None:
        log.error("Bibliotheek '%s' ontbreekt op de site; het rapport wordt niet geüpload.",
                  config.title(schema.LIBRARY.key))
    return Snapshot(lists=lists, library=library)
