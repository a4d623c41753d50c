"""Load the demo CSVs (or any CSV folder in that format) into a sandbox SQLite file.

The loader behaves like an Excel import that bypasses form validation: a value that does not fit
its column stays as the raw string, so the daemon meets the same dirty data as on a real site.
Dates are stored as SharePoint returns date-only values: the UTC instant of Amsterdam midnight.
"""

from __future__ import annotations

import csv
import io
import math
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
            if not math.isfinite(num):  # "1" * 400: no double holds it, nor can SharePoint
                return raw
            return int(text) if "." not in text else num
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


def _read_csv(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) per record; a file that is not UTF-8 text or not CSV is a LoadError
    naming the file and line (was a traceback: UnicodeDecodeError, csv.Error)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise LoadError(f"{path.name}, regel {line}: het bestand is geen UTF-8-tekst "
                        "(sla het op als 'CSV UTF-8').", file=str(path), line=line) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = []
    start = 1  # the line a record starts on (a quoted cell may span lines)
    try:
        _ = reader.fieldnames  # reads the header, so line_num counts from there
        start = reader.line_num + 1
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise LoadError(f"{path.name}, regel {start}: geen geldige CSV ({exc}).",
                        file=str(path), line=start) from None
    return rows


#: SharePoint item IDs are positive 32-bit integers.
_MAX_ITEM_ID = 2**31 - 1


def _item_id(raw: str | None, path: Path, line_no: int) -> int | None:
    text = (raw or "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= _MAX_ITEM_ID:
        raise LoadError(f"{path.name}, regel {line_no}: ID '{text[:40]}' is geen geheel getal "
                        f"van 1 t/m {_MAX_ITEM_ID}.", file=str(path), line=line_no)
    return int(text)


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
            users = []
            for line_no, r in _read_csv(users_csv):
                if "Title" not in r:
                    raise LoadError(f"{users_csv.name}, regel {line_no}: de kolom Title (de naam) "
                                    "ontbreekt.", file=str(users_csv), line=line_no)
                name = (r["Title"] or "").strip()
                if name:  # a row without a name is no user (like a blank line)
                    users.append((name, (r.get("EMail") or "").strip() or None))
            store.replace_users(users)
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
            next_id, seen = 1, {}  # the store's numbering (replace=True), so a clash has a line
            for line_no, row in rows:
                data: dict[str, Any] = {c.name: (False if c.type == "Boolean" else None)
                                        for c in listdef.columns}
                item_id = _item_id(row.get("ID"), path, line_no)
                if item_id is None:
                    item_id = next_id
                if item_id in seen:
                    raise LoadError(f"{path.name}, regel {line_no}: ID {item_id} komt al voor "
                                    f"op regel {seen[item_id]}.", file=str(path), line=line_no)
                seen[item_id] = line_no
                next_id = max(next_id, item_id + 1)
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
