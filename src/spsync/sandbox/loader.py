"""Load the demo CSVs (or any CSV folder in that format) into a sandbox SQLite file.

The loader behaves like an Excel import that bypasses form validation: a value that does not fit
its column stays as the raw string, so the daemon meets the same dirty data as on a real site.
Dates are stored as SharePoint returns date-only values: the UTC instant of Amsterdam midnight.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .. import schema
from ..exceptions import UserError
from ..schema import Column, ListDef
from .api import TZ, to_utc_string
from .store import FieldInfo, ListInfo, Store

__all__ = ["load_csv_dir", "create_list", "add_items", "drop_list", "field_infos",
           "csv_value", "DEMO_DATA", "LoadError", "SHAREPOINT_DATES", "UnstorableValue",
           "field_props"]

DEMO_DATA = Path(__file__).resolve().parent.parent / "demo_data"
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _open(db: str | Path | Store) -> tuple[Store, bool]:
    return (db, False) if isinstance(db, Store) else (Store(db), True)


def field_infos(listdef: ListDef, omit: Iterable[str] = ()) -> list[FieldInfo]:
    """The sandbox columns of a schema list, leaving out `omit`."""
    skip = set(omit)
    out = []
    for c in listdef.columns:
        if c.name in skip:
            continue
        out.append(FieldInfo(c.name, c.type, c.name, c.lookup_list, c.lookup_field))
    return out


def field_props(col: Column) -> dict[str, Any]:
    """The SP.Field properties beyond name and type that the schema gives a column (what
    ``spsync provision`` would create), so a loaded site passes ``spsync check``."""
    props: dict[str, Any] = {"Required": col.required, "Indexed": col.must_index,
                             "EnforceUniqueValues": col.unique}
    if col.choices:
        props["Choices"] = list(col.choices)
    if col.default is not None:
        props["DefaultValue"] = col.default
    if col.type == "DateTime":
        props["DisplayFormat"] = 0 if col.date_only else 1
    return props


def create_list(db: str | Path | Store, listdef: ListDef, omit_columns: Iterable[str] = (),
                title: str | None = None) -> ListInfo:
    """Create a schema list (optionally without some columns or under another title)."""
    store, own = _open(db)
    try:
        info = store.create_list(title or listdef.title, field_infos(listdef, omit_columns),
                                 101 if listdef.is_library else 100, listdef.key)
        for col in listdef.columns:
            if info.field(col.name) is not None:
                store.set_field_props(info.id, col.name, field_props(col))
        return info
    finally:
        if own:
            store.close()


def add_items(db: str | Path | Store, list_title: str,
              rows: Iterable[dict[str, Any]], replace: bool = False) -> int:
    """Bulk insert items given in stored form (lookups as IDs); an `ID` key sets the item id."""
    store, own = _open(db)
    try:
        lst = store.get_list(list_title)
        if lst is None:
            raise KeyError(list_title)
        prepared = []
        for row in rows:
            data = dict(row)
            item_id = data.pop("ID", None)
            prepared.append((int(item_id) if item_id is not None else None, data))
        return store.insert_items(lst.id, prepared, replace=replace)
    finally:
        if own:
            store.close()


def drop_list(db: str | Path | Store, list_title: str) -> None:
    """Delete a list with its items, so tests can simulate a missing list."""
    store, own = _open(db)
    try:
        store.delete_list(list_title)
    finally:
        if own:
            store.close()


#: The range of a SharePoint DateTime column; outside it SharePoint refuses the value.
SHAREPOINT_DATES = (date(1900, 1, 1), date(8900, 12, 31))


class LoadError(UserError):
    """A CSV folder could not be loaded; the message names the file, line and value (Dutch)."""

    fix = "Pas het CSV-bestand aan en laad opnieuw."


class UnstorableValue(ValueError):
    """A CSV value the site cannot hold (e.g. a date before 1900)."""


class _Lookups:
    """Show value -> item id per lookup target, built once per load (was a scan per cell)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._index: dict[tuple[str, str], dict[str, int]] = {}
        self._dangling: dict[tuple[str, str], int] = {}
        self._max_id: dict[str, int] = {}

    def resolve(self, col: Column, text: str) -> int:
        target = self._store.get_list(col.lookup_list or "")
        if target is None:
            raise KeyError(f"lookup target {col.lookup_list!r} of {col.name} is not loaded")
        show = col.lookup_field or "Title"
        index = self._index.get((target.title, show))
        if index is None:
            index, top = {}, 0
            for item in self._store.all_items(target.id):
                index.setdefault(str(item.data.get(show)), item.id)
                top = max(top, item.id)
            self._index[(target.title, show)] = index
            self._max_id[target.title] = top
        if text in index:
            return index[text]
        key = (target.title, text)
        if key not in self._dangling:
            n = sum(1 for k in self._dangling if k[0] == target.title) + 1
            self._dangling[key] = self._max_id[target.title] + 1000 + n
        return self._dangling[key]


def csv_value(col: Column, raw: str) -> Any:
    """A CSV cell in stored form; values that do not fit the column type stay raw strings."""
    text = raw.strip()
    if col.type == "Boolean":
        low = text.lower()
        if low in ("", "nee", "no", "false", "0"):
            return False
        if low in ("ja", "yes", "true", "1"):
            return True
        return raw
    if text == "":
        return None
    if col.type in ("Number", "Currency", "Integer"):
        if _NUMBER.match(text):
            num = float(text)
            return int(num) if "." not in text else num
        return raw
    if col.type == "DateTime":
        try:
            if len(text) == 10:
                d = date.fromisoformat(text)
                dt = datetime(d.year, d.month, d.day, tzinfo=TZ)
            else:
                dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
                dt = dt if dt.tzinfo else dt.replace(tzinfo=TZ)
        except ValueError:
            return raw
        if not SHAREPOINT_DATES[0] <= dt.date() <= SHAREPOINT_DATES[1]:
            raise UnstorableValue(
                f"datum '{text}' in kolom {col.name} kan SharePoint niet opslaan (alleen "
                f"{SHAREPOINT_DATES[0]:%d-%m-%Y} t/m {SHAREPOINT_DATES[1]:%d-%m-%Y})")
        return to_utc_string(dt)
    if col.type == "URL":
        return {"__metadata": {"type": "SP.FieldUrlValue"}, "Description": text, "Url": text}
    return raw


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def load_csv_dir(db_path: str | Path | Store, csv_dir: str | Path = DEMO_DATA, *,
                 create_lists: bool = True) -> dict[str, int]:
    """Create every schema list and the library, load the CSVs; returns {list title: item count}.

    Loading again replaces the items of each list (idempotent). Users come from gebruikers.csv.
    With ``create_lists=False`` the lists must exist already (e.g. made by ``spsync provision``)
    and keep their columns; only the items are replaced.
    """
    csv_dir = Path(csv_dir)
    store, own = _open(db_path)
    try:
        users_csv = csv_dir / "gebruikers.csv"
        if users_csv.exists():
            store.replace_users((r["Title"], r.get("EMail") or None) for r in _read_csv(users_csv))
        counts: dict[str, int] = {}
        lookups = _Lookups(store)
        for listdef in schema.LISTS:
            existing = None if create_lists else store.get_list(listdef.title)
            if not create_lists and existing is None:
                raise KeyError(f"list {listdef.title!r} does not exist")
            lst = existing or create_list(store, listdef)
            path = csv_dir / f"{listdef.key}.csv"
            rows = _read_csv(path) if path.exists() else []
            prepared = []
            for line_no, row in enumerate(rows, start=2):
                data: dict[str, Any] = {c.name: (False if c.type == "Boolean" else None)
                                        for c in listdef.columns}
                item_id = int(row["ID"]) if (row.get("ID") or "").strip() else None
                for name, raw in row.items():
                    if name is None or name == "ID" or raw is None:
                        continue
                    try:
                        col = listdef.column(name)
                    except KeyError:
                        continue
                    try:
                        data[name] = _resolve(store, col, raw, lookups)
                    except UnstorableValue as exc:
                        raise LoadError(f"{path.name}, regel {line_no}: {exc}.",
                                        file=str(path), line=line_no) from None
                prepared.append((item_id, data))
            counts[lst.title] = store.insert_items(lst.id, prepared, replace=True)
        lib = (create_list(store, schema.LIBRARY) if create_lists
               else store.get_list(schema.LIBRARY.title))
        if lib is None:
            raise KeyError(f"library {schema.LIBRARY.title!r} does not exist")
        counts[lib.title] = store.count_items(lib.id)
        signalen = create_list(store, schema.SIGNALEN)  # spsync's own list; items are kept
        counts[signalen.title] = store.count_items(signalen.id)
        return counts
    finally:
        if own:
            store.close()


def _resolve(store: Store, col: Column, raw: str, lookups: _Lookups) -> Any:
    text = raw.strip()
    if col.type == "User":
        if not text:
            return None
        user = store.find_user(text)
        return user[0] if user else store.add_user(text, None)
    if col.type == "Lookup":
        return lookups.resolve(col, text) if text else None
    return csv_value(col, raw)
