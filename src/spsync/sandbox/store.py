"""SQLite storage of the sandbox: lists, fields, versioned items, site users and library files.

One file holds the whole site so a demo can be stopped and restarted, and tests can prepare a
site directly (bulk inserts) without going through HTTP. One connection guarded by a lock keeps it
thread-safe for the threading HTTP server. Lists (with their columns), the app principal's row and
what readers derive from items (``read_cache``) are cached: every change through this store drops
what it touches, and a commit through any other connection (another ``Store`` on the file, the CLI
loader) drops everything (``PRAGMA data_version``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["Store", "ListInfo", "FieldInfo", "Item", "FileInfo", "VersionConflict", "Change",
           "entity_type_name", "utc_now", "APP_USER_ID", "APP_USER_TITLE", "CHANGE_ADD",
           "CHANGE_UPDATE", "CHANGE_DELETE", "change_ticks", "AUTHOR_EDITOR"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS lists (
    id TEXT PRIMARY KEY, title TEXT NOT NULL UNIQUE COLLATE NOCASE, key TEXT,
    base_template INTEGER NOT NULL DEFAULT 100, url_name TEXT NOT NULL, next_id INTEGER NOT NULL,
    created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fields (
    list_id TEXT NOT NULL, pos INTEGER NOT NULL, internal_name TEXT NOT NULL, title TEXT NOT NULL,
    type TEXT NOT NULL, lookup_list TEXT, lookup_field TEXT,
    PRIMARY KEY (list_id, internal_name));
CREATE TABLE IF NOT EXISTS items (
    list_id TEXT NOT NULL, id INTEGER NOT NULL, version INTEGER NOT NULL, created TEXT NOT NULL,
    modified TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (list_id, id));
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL, email TEXT);
CREATE TABLE IF NOT EXISTS files (
    unique_id TEXT PRIMARY KEY, list_id TEXT NOT NULL, item_id INTEGER NOT NULL,
    folder TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL COLLATE NOCASE, content BLOB NOT NULL,
    version INTEGER NOT NULL, created TEXT NOT NULL, modified TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sent_mail (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, sender TEXT NOT NULL, received TEXT NOT NULL,
    payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS field_props (
    list_id TEXT NOT NULL, internal_name TEXT NOT NULL COLLATE NOCASE, props TEXT NOT NULL,
    PRIMARY KEY (list_id, internal_name));
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, list_id TEXT NOT NULL, kind TEXT NOT NULL,
    item_id INTEGER, name TEXT, change_type INTEGER NOT NULL, time TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_changes_list ON changes (list_id, seq);
CREATE INDEX IF NOT EXISTS ix_changes_time ON changes (time);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

#: SharePoint's ChangeType values the change log records.
CHANGE_ADD, CHANGE_UPDATE, CHANGE_DELETE = 1, 2, 3
#: The principal SharePoint Online shows as Editor of app-only writes ("SharePoint App").
APP_USER_ID = 1073741822
APP_USER_TITLE = "SharePoint App"
_EPOCH = datetime(1, 1, 1, tzinfo=UTC)
#: Ids per ``IN (...)`` query: below SQLite's oldest limit of 999 bound parameters.
_IN_CHUNK = 900
#: Entries of one kind :meth:`Store.read_cache` holds before it starts afresh.
_READ_CACHE_LIMIT = 200_000


_scan = json.JSONDecoder().scan_once


def _decode(text: str) -> Any:
    """``json.loads`` of an item's stored data, minus its per-call overhead: the column holds
    ``json.dumps`` output (no surrounding blanks); anything else goes through ``json.loads``."""
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


def change_ticks(time: str) -> int:
    """.NET ticks (100 ns since 0001-01-01 UTC) of a change-log time, as change tokens carry."""
    dt = datetime.fromisoformat(time.replace("Z", "+00:00"))
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def _log_time() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Change:
    """One change-log entry: ``kind`` is item, field or list; ``seq`` the change number."""

    seq: int
    list_id: str
    kind: str
    item_id: int | None
    name: str | None
    change_type: int
    time: str


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entity_type_name(title: str, base_template: int = 100) -> str:
    """SharePoint's item entity type: lists `SP.Data.<Title>ListItem`, libraries `SP.Data.<Url>Item`."""
    if base_template == 101:
        return f"SP.Data.{url_name_of(title)}Item"
    enc = title.replace("_", "_x005f_").replace(" ", "_x0020_").replace("-", "_x002d_")
    return f"SP.Data.{enc}ListItem"


def url_name_of(title: str) -> str:
    return title.replace(" ", "").replace("-", "")


@dataclass(frozen=True)
class FieldInfo:
    """A list column as `Fields` exposes it."""

    internal_name: str
    type: str
    title: str = ""
    lookup_list: str | None = None  # list title (Lookup) or None (User)
    lookup_field: str | None = None

    @property
    def is_reference(self) -> bool:
        return self.type in ("Lookup", "User")


@dataclass
class ListInfo:
    id: str
    title: str
    base_template: int
    url_name: str
    fields: list[FieldInfo] = field(default_factory=list)
    key: str | None = None
    created: str = ""
    #: ``field()``'s index by lower-case name, with the fields list (and length) it was built
    #: from, so a changed ``fields`` is indexed anew.
    _index: tuple[list[FieldInfo], int, dict[str, FieldInfo]] | None = field(
        default=None, init=False, repr=False, compare=False)

    @property
    def entity_type(self) -> str:
        return entity_type_name(self.title, self.base_template)

    def field(self, name: str) -> FieldInfo | None:
        """The column of that internal name, case-insensitive (the first one if two match)."""
        index = self._index
        if index is None or index[0] is not self.fields or index[1] != len(self.fields):
            by_name: dict[str, FieldInfo] = {}
            for f in self.fields:
                by_name.setdefault(f.internal_name.lower(), f)
            index = self._index = (self.fields, len(self.fields), by_name)
        return index[2].get(name.lower())


@dataclass
class Item:
    id: int
    version: int
    created: str
    modified: str
    data: dict[str, Any]


@dataclass
class FileInfo:
    unique_id: str
    list_id: str
    item_id: int
    folder: str
    name: str
    length: int
    version: int
    created: str
    modified: str

    @property
    def server_relative_url(self) -> str:
        return f"{self.folder.rstrip('/')}/{self.name}"


#: Every SharePoint list has these person columns; items carry ``AuthorId``/``EditorId``.
AUTHOR_EDITOR = (FieldInfo("Author", "User", "Created By"), FieldInfo("Editor", "User", "Modified By"))


class VersionConflict(Exception):
    """If-Match did not match the item's current version."""


class Store:
    """Thread-safe access to the sandbox SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        #: Lists by the title or id they were asked by, and whether the app principal's user
        #: row exists: valid while no other connection commits (``PRAGMA data_version``) and
        #: dropped by this store's own schema and user changes.
        self._lists_cache: dict[tuple[str, str], ListInfo | None] = {}
        self._app_user_known = False
        self._data_version: int | None = None
        self._read_cache: dict[Any, Any] = {}
        self._read_changes = -1

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _invalidate(self) -> None:
        """Forget what the caches hold (the lists or users just changed)."""
        with self._lock:
            self._lists_cache.clear()
            self._app_user_known = False
            self._read_cache = {}

    def read_cache(self) -> dict[Any, Any]:
        """A dict for what readers derive from the site (lookup targets, expanded values),
        shared by requests until anything changes: a new, empty one after any write through
        this connection (``total_changes``) or another (``data_version``), or when it grew
        past :data:`_READ_CACHE_LIMIT` entries in any of its values (dicts, or tuples of
        dicts)."""
        with self._lock:
            self._check_caches()
            changes = self._db.total_changes
            if changes != self._read_changes or any(
                    len(part) > _READ_CACHE_LIMIT for v in self._read_cache.values()
                    for part in (v if isinstance(v, tuple) else (v,))):
                self._read_cache = {}
                self._read_changes = changes
            return self._read_cache

    def _check_caches(self) -> None:
        """Drop the caches if another connection (another process's ``Store``, the CLI loader)
        committed since they were filled; caller holds the lock."""
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self._data_version = version
            self._lists_cache.clear()
            self._app_user_known = False
            self._read_cache = {}

    def _q(self, sql: str, args: Iterable[Any] = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    # ---- lists ------------------------------------------------------------------------------

    def create_list(self, title: str, fields: Iterable[FieldInfo], base_template: int = 100,
                    key: str | None = None) -> ListInfo:
        """Create (or redefine the columns of) a list; an existing list keeps its id and items."""
        fields = list(fields)
        with self._lock:
            self._invalidate()
            existing = self.get_list(title)
            list_id = existing.id if existing else str(uuid.uuid4())
            self._db.execute("BEGIN")
            try:
                if existing is None:
                    self._db.execute(
                        "INSERT INTO lists VALUES (?,?,?,?,?,?,?)",
                        (list_id, title, key, base_template, url_name_of(title), 1, utc_now()))
                else:
                    self._db.execute("UPDATE lists SET key=?, base_template=? WHERE id=?",
                                     (key, base_template, list_id))
                    # A schema change is in the change log too (SP.ChangeField add/delete).
                    old = {f.internal_name for f in existing.fields}
                    new = {f.internal_name for f in fields}
                    new |= {f.internal_name for f in AUTHOR_EDITOR}
                    self._log_many(list_id, "field", [(None, n, CHANGE_ADD) for n in sorted(new - old)]
                                   + [(None, n, CHANGE_DELETE) for n in sorted(old - new)])
                self._db.execute("DELETE FROM fields WHERE list_id=?", (list_id,))
                self._db.executemany(
                    "INSERT INTO fields VALUES (?,?,?,?,?,?,?)",
                    [(list_id, i, f.internal_name, f.title or f.internal_name, f.type,
                      f.lookup_list, f.lookup_field) for i, f in enumerate(fields)])
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            finally:
                self._invalidate()
        info = self.get_list(title)
        assert info is not None
        return info

    def delete_list(self, title: str) -> None:
        with self._lock:
            info = self.get_list(title)
            if info is None:
                return
            for table in ("items", "fields", "files", "field_props", "changes"):
                self._db.execute(f"DELETE FROM {table} WHERE list_id=?", (info.id,))
            self._db.execute("DELETE FROM lists WHERE id=?", (info.id,))
            self._invalidate()

    def _list_from_row(self, row: tuple | None) -> ListInfo | None:
        if row is None:
            return None
        list_id, title, key, template, url_name, _next, created = row
        fields = [FieldInfo(n, t, ti, ll, lf) for n, ti, t, ll, lf in self._q(
            "SELECT internal_name, title, type, lookup_list, lookup_field FROM fields "
            "WHERE list_id=? ORDER BY pos", (list_id,))]
        have = {f.internal_name.lower() for f in fields}
        fields += [f for f in AUTHOR_EDITOR if f.internal_name.lower() not in have]
        return ListInfo(list_id, title, template, url_name, fields, key, created)

    def get_list(self, title: str) -> ListInfo | None:
        """The list of that title (case-insensitive as SQLite's NOCASE); the object is shared
        between callers, so do not change it."""
        return self._cached_list("title", title)

    def get_list_by_id(self, list_id: str) -> ListInfo | None:
        return self._cached_list("id", list_id)

    def _cached_list(self, by: str, key: str) -> ListInfo | None:
        with self._lock:
            self._check_caches()
            if (by, key) in self._lists_cache:
                return self._lists_cache[(by, key)]
            if by == "title":
                rows = self._q("SELECT * FROM lists WHERE title=?", (key,))
            else:
                rows = self._q("SELECT * FROM lists WHERE lower(id)=lower(?)", (key.strip("{}"),))
            info = self._list_from_row(rows[0] if rows else None)
            self._lists_cache[(by, key)] = info
            return info

    def lists(self) -> list[ListInfo]:
        return [self._list_from_row(r) for r in self._q("SELECT * FROM lists ORDER BY created")]  # type: ignore[misc]

    # ---- items ------------------------------------------------------------------------------

    @staticmethod
    def _item(row: tuple) -> Item:
        return Item(row[0], row[1], row[2], row[3], _decode(row[4]))

    def count_items(self, list_id: str) -> int:
        return self._q("SELECT count(*) FROM items WHERE list_id=?", (list_id,))[0][0]

    def get_item(self, list_id: str, item_id: int) -> Item | None:
        rows = self._q("SELECT id, version, created, modified, data FROM items "
                       "WHERE list_id=? AND id=?", (list_id, item_id))
        return self._item(rows[0]) if rows else None

    def get_items(self, list_id: str, item_ids: Iterable[int]) -> dict[int, Item]:
        """The existing items among ``item_ids`` by id (a page's lookup targets in one go)."""
        ids = list(item_ids)
        out: dict[int, Item] = {}
        for i in range(0, len(ids), _IN_CHUNK):
            chunk = ids[i:i + _IN_CHUNK]
            for r in self._q("SELECT id, version, created, modified, data FROM items WHERE "
                             f"list_id=? AND id IN ({','.join('?' * len(chunk))})",
                             (list_id, *chunk)):
                out[r[0]] = self._item(r)
        return out

    def all_items(self, list_id: str) -> list[Item]:
        return [self._item(r) for r in self._q(
            "SELECT id, version, created, modified, data FROM items WHERE list_id=? ORDER BY id",
            (list_id,))]

    def items_after(self, list_id: str, after_id: int, limit: int) -> list[Item]:
        """Items with id > after_id in id order: the fast path of unfiltered paging."""
        return [self._item(r) for r in self._q(
            "SELECT id, version, created, modified, data FROM items WHERE list_id=? AND id>? "
            "ORDER BY id LIMIT ?", (list_id, after_id, limit))]

    def items_in_ranges(self, list_id: str, ranges: list[tuple[int, int]], after_id: int,
                        limit: int) -> list[Item]:
        """Items whose id lies in one of the inclusive ``ranges``, id > after_id, in id order."""
        where = " OR ".join("(id BETWEEN ? AND ?)" for _ in ranges)
        args: list[Any] = [list_id, after_id]
        for lo, hi in ranges:
            args += [lo, hi]
        return [self._item(r) for r in self._q(
            f"SELECT id, version, created, modified, data FROM items WHERE list_id=? AND id>? "
            f"AND ({where}) ORDER BY id LIMIT ?", (*args, limit))]

    def insert_items(self, list_id: str, rows: Iterable[tuple[int | None, dict[str, Any]]],
                     replace: bool = False, author: int | None = None) -> int:
        """Bulk insert (id or None, data) rows; `replace` drops existing items first.

        Items without ``Author``/``Editor`` get ``author`` (default: the first site user, else
        the app principal). Every insert (and a replaced item's delete) enters the change log.
        """
        now = utc_now()
        with self._lock:
            next_id = self._q("SELECT next_id FROM lists WHERE id=?", (list_id,))[0][0]
            if replace:
                next_id = 1
            if author is None:
                author = self.default_author()
            batch = []
            for item_id, data in rows:
                if item_id is None:
                    item_id = next_id
                next_id = max(next_id, item_id + 1)
                if data.get("Author") is None:
                    data = {**data, "Author": author}
                if data.get("Editor") is None:
                    data = {**data, "Editor": data["Author"]}
                batch.append((list_id, item_id, 1, now, now, json.dumps(data)))
            self._db.execute("BEGIN")
            try:
                if replace:
                    old = [r[0] for r in self._db.execute(
                        "SELECT id FROM items WHERE list_id=? ORDER BY id", (list_id,))]
                    self._log_many(list_id, "item", [(i, None, CHANGE_DELETE) for i in old])
                    self._db.execute("DELETE FROM items WHERE list_id=?", (list_id,))
                self._db.executemany("INSERT INTO items VALUES (?,?,?,?,?,?)", batch)
                self._log_many(list_id, "item", [(b[1], None, CHANGE_ADD) for b in batch])
                self._db.execute("UPDATE lists SET next_id=? WHERE id=?", (next_id, list_id))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return len(batch)

    def add_item(self, list_id: str, data: dict[str, Any], author: int | None = None) -> Item:
        with self._lock:
            next_id = self._q("SELECT next_id FROM lists WHERE id=?", (list_id,))[0][0]
            self.insert_items(list_id, [(next_id, data)], author=author)
            item = self.get_item(list_id, next_id)
        assert item is not None
        return item

    def update_item(self, list_id: str, item_id: int, changes: dict[str, Any],
                    if_version: int | None = None, editor: int | None = None) -> Item:
        """Merge `changes` and bump the version (``editor`` becomes the Editor); raise
        KeyError/VersionConflict. Logged as an update in the change log."""
        with self._lock:
            item = self.get_item(list_id, item_id)
            if item is None:
                raise KeyError(item_id)
            if if_version is not None and if_version != item.version:
                raise VersionConflict(item.version)
            item.data.update(changes)
            if editor is not None:
                item.data["Editor"] = editor
            item.version += 1
            item.modified = utc_now()
            self._db.execute("UPDATE items SET data=?, version=?, modified=? WHERE list_id=? AND id=?",
                             (json.dumps(item.data), item.version, item.modified, list_id, item_id))
            self._log_many(list_id, "item", [(item_id, None, CHANGE_UPDATE)])
            return item

    def delete_item(self, list_id: str, item_id: int) -> bool:
        with self._lock:
            cur = self._db.execute("DELETE FROM items WHERE list_id=? AND id=?", (list_id, item_id))
            self._db.execute("DELETE FROM files WHERE list_id=? AND item_id=?", (list_id, item_id))
            if cur.rowcount > 0:
                self._log_many(list_id, "item", [(item_id, None, CHANGE_DELETE)])
            return cur.rowcount > 0

    # ---- users ------------------------------------------------------------------------------

    def users(self) -> list[tuple[int, str, str | None]]:
        return self._q("SELECT id, title, email FROM users ORDER BY id")

    def get_user(self, user_id: int) -> tuple[int, str, str | None] | None:
        rows = self._q("SELECT id, title, email FROM users WHERE id=?", (user_id,))
        return rows[0] if rows else None

    def get_users(self, user_ids: Iterable[int]) -> dict[int, tuple[int, str, str | None]]:
        """The existing users among ``user_ids`` by id."""
        ids = list(user_ids)
        out: dict[int, tuple[int, str, str | None]] = {}
        for i in range(0, len(ids), _IN_CHUNK):
            chunk = ids[i:i + _IN_CHUNK]
            for r in self._q("SELECT id, title, email FROM users WHERE "
                             f"id IN ({','.join('?' * len(chunk))})", chunk):
                out[r[0]] = r
        return out

    def find_user(self, title_or_email: str) -> tuple[int, str, str | None] | None:
        rows = self._q("SELECT id, title, email FROM users WHERE lower(title)=lower(?) "
                       "OR lower(email)=lower(?) ORDER BY id", (title_or_email, title_or_email))
        return rows[0] if rows else None

    def add_user(self, title: str, email: str | None = None, user_id: int | None = None) -> int:
        with self._lock:
            if user_id is None:
                user_id = (self._q("SELECT coalesce(max(id), 0) FROM users")[0][0]) + 1
            self._db.execute("INSERT OR REPLACE INTO users VALUES (?,?,?)", (user_id, title, email))
            return user_id

    def replace_users(self, rows: Iterable[tuple[str, str | None]]) -> None:
        with self._lock:
            self._invalidate()
            self._db.execute("DELETE FROM users")
            for i, (title, email) in enumerate(rows, start=1):
                self.add_user(title, email, i)

    # ---- files ------------------------------------------------------------------------------

    _FILE_COLS = ("unique_id, list_id, item_id, folder, name, length(content), version, created, "
                  "modified")

    def _files(self, where: str, args: tuple) -> list[FileInfo]:
        return [FileInfo(*r) for r in self._q(f"SELECT {self._FILE_COLS} FROM files WHERE {where}",
                                              args)]

    def get_file_by_id(self, unique_id: str) -> FileInfo | None:
        found = self._files("lower(unique_id)=lower(?)", (unique_id.strip("{}"),))
        return found[0] if found else None

    def get_file(self, folder: str, name: str) -> FileInfo | None:
        found = self._files("folder=? AND name=?", (folder.rstrip("/"), name))
        return found[0] if found else None

    def files_in(self, folder: str) -> list[FileInfo]:
        return self._files("folder=? ORDER BY name", (folder.rstrip("/"),))

    def file_content(self, unique_id: str) -> bytes:
        return self._q("SELECT content FROM files WHERE unique_id=?", (unique_id,))[0][0]

    def put_file(self, list_id: str, folder: str, name: str, content: bytes,
                 editor: int | None = None) -> FileInfo:
        """Create or overwrite a file (and its library item); returns its new state."""
        folder = folder.rstrip("/")
        now = utc_now()
        with self._lock:
            existing = self.get_file(folder, name)
            if existing:
                self._db.execute("UPDATE files SET content=?, version=version+1, modified=? "
                                 "WHERE unique_id=?", (content, now, existing.unique_id))
                self.update_item(list_id, existing.item_id, {}, editor=editor)
                uid = existing.unique_id
            else:
                item = self.add_item(list_id, {"FileLeafRef": name}, author=editor)
                uid = str(uuid.uuid4())
                self._db.execute("INSERT INTO files VALUES (?,?,?,?,?,?,?,?,?)",
                                 (uid, list_id, item.id, folder, name, content, 1, now, now))
        info = self.get_file_by_id(uid)
        assert info is not None
        return info

    def set_file_content(self, unique_id: str, content: bytes) -> FileInfo:
        with self._lock:
            self._db.execute("UPDATE files SET content=?, modified=? WHERE unique_id=?",
                             (content, utc_now(), unique_id))
            f = self.get_file_by_id(unique_id)
            if f is not None and self.get_item(f.list_id, f.item_id) is not None:
                self.update_item(f.list_id, f.item_id, {}, editor=self.app_user())
        info = self.get_file_by_id(unique_id)
        assert info is not None
        return info

    def delete_file(self, unique_id: str) -> None:
        with self._lock:
            info = self.get_file_by_id(unique_id)
            if info:
                self._db.execute("DELETE FROM files WHERE unique_id=?", (info.unique_id,))
                self._db.execute("DELETE FROM items WHERE list_id=? AND id=?",
                                 (info.list_id, info.item_id))
                self._log_many(info.list_id, "item", [(info.item_id, None, CHANGE_DELETE)])

    # ---- Graph sendMail (mail the sandbox accepted, kept across restarts) --------------------

    def add_sent_mail(self, sender: str, payload: dict[str, Any]) -> int:
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO sent_mail (sender, received, payload) VALUES (?,?,?)",
                (sender, utc_now(), json.dumps(payload, ensure_ascii=False)))
            return int(cur.lastrowid or 0)

    def sent_mail(self) -> list[dict[str, Any]]:
        """Every accepted message, oldest first: ``{seq, sender, received, payload}``."""
        return [{"seq": seq, "sender": sender, "received": received, "payload": json.loads(p)}
                for seq, sender, received, p in
                self._q("SELECT seq, sender, received, payload FROM sent_mail ORDER BY seq")]

    def clear_sent_mail(self) -> None:
        self._q("DELETE FROM sent_mail")

    # ---- field properties (Indexed, Required, Choices, ...) and single fields ---------------

    def field_props(self, list_id: str) -> dict[str, dict[str, Any]]:
        """Extra SP.Field properties per internal name (lower case), as stored by
        :meth:`set_field_props`: what ``Fields`` shows besides name, type and lookup target."""
        return {name.lower(): json.loads(props) for name, props in self._q(
            "SELECT internal_name, props FROM field_props WHERE list_id=?", (list_id,))}

    def set_field_props(self, list_id: str, internal_name: str, props: dict[str, Any]) -> None:
        """Merge ``props`` into the stored properties of one field."""
        with self._lock:
            current = self.field_props(list_id).get(internal_name.lower(), {})
            current.update(props)
            self._db.execute("INSERT OR REPLACE INTO field_props VALUES (?,?,?)",
                             (list_id, internal_name, json.dumps(current)))

    def add_field(self, list_id: str, info: FieldInfo) -> None:
        """Append one column to an existing list (its items keep their values)."""
        with self._lock:
            pos = self._q("SELECT coalesce(max(pos), -1) + 1 FROM fields WHERE list_id=?",
                          (list_id,))[0][0]
            self._db.execute("INSERT INTO fields VALUES (?,?,?,?,?,?,?)",
                             (list_id, pos, info.internal_name, info.title or info.internal_name,
                              info.type, info.lookup_list, info.lookup_field))
            self._invalidate()
            self._log_many(list_id, "field", [(None, info.internal_name, CHANGE_ADD)])

    def remove_field(self, list_id: str, internal_name: str) -> None:
        """Delete one column (its values stay in the items' data, as SharePoint hides them)."""
        with self._lock:
            self._db.execute("DELETE FROM fields WHERE list_id=? AND internal_name=?",
                             (list_id, internal_name))
            self._db.execute("DELETE FROM field_props WHERE list_id=? AND internal_name=?",
                             (list_id, internal_name))
            self._invalidate()
            self._log_many(list_id, "field", [(None, internal_name, CHANGE_DELETE)])

    # ---- authors ----------------------------------------------------------------------------

    def app_user(self) -> int:
        """The app principal's user id (created on first use), Editor of every API write."""
        with self._lock:
            self._check_caches()
            if not self._app_user_known:
                self._db.execute("INSERT OR IGNORE INTO users VALUES (?,?,?)",
                                 (APP_USER_ID, APP_USER_TITLE, None))
                self._app_user_known = True
        return APP_USER_ID

    def default_author(self) -> int:
        """Author of bulk-loaded items: the first site user, else the app principal."""
        rows = self._q("SELECT min(id) FROM users WHERE id<>?", (APP_USER_ID,))
        return rows[0][0] if rows and rows[0][0] is not None else self.app_user()

    # ---- change log -------------------------------------------------------------------------

    def _log_many(self, list_id: str, kind: str,
                  entries: list[tuple[int | None, str | None, int]]) -> None:
        """Append (item id, name, change type) entries in order; caller holds the lock."""
        if not entries:
            return
        now = _log_time()
        with self._lock:
            self._db.executemany(
                "INSERT INTO changes (list_id, kind, item_id, name, change_type, time) "
                "VALUES (?,?,?,?,?,?)",
                [(list_id, kind, item_id, name, ctype, now) for item_id, name, ctype in entries])

    def last_change(self) -> tuple[int, str]:
        """The site's latest change number and its time (0 and now for an empty log)."""
        rows = self._q("SELECT seq, time FROM changes ORDER BY seq DESC LIMIT 1")
        if rows:
            return rows[0][0], rows[0][1]
        start = self.change_log_start()
        return start, _log_time()

    def change_time(self, seq: int) -> str | None:
        rows = self._q("SELECT time FROM changes WHERE seq=?", (seq,))
        return rows[0][0] if rows else None

    def changes_after(self, list_id: str, after_seq: int, kinds: Iterable[str],
                      types: Iterable[int], limit: int, until_seq: int | None = None
                      ) -> list[Change]:
        """The list's changes with a number above ``after_seq`` (up to ``until_seq``), oldest
        first, at most ``limit``."""
        kinds, types = sorted(set(kinds)), sorted(set(types))
        if not kinds or not types:
            return []
        sql = (f"SELECT seq, list_id, kind, item_id, name, change_type, time FROM changes "
               f"WHERE list_id=? AND seq>? AND kind IN ({','.join('?' * len(kinds))}) "
               f"AND change_type IN ({','.join('?' * len(types))})")
        args: list[Any] = [list_id, after_seq, *kinds, *types]
        if until_seq is not None:
            sql += " AND seq<=?"
            args.append(until_seq)
        sql += " ORDER BY seq LIMIT ?"
        args.append(limit)
        return [Change(*r) for r in self._q(sql, args)]

    def change_log_start(self) -> int:
        """The highest change number no longer retained (0: the whole log is kept)."""
        rows = self._q("SELECT value FROM settings WHERE key='change_log_start'")
        return int(rows[0][0]) if rows else 0

    def trim_change_log(self, older_than: str | None = None) -> int:
        """Forget the changes logged before ``older_than`` (ISO time; None: all of them), as
        SharePoint drops entries past its retention; returns the new log start."""
        with self._lock:
            if older_than is None:
                rows = self._db.execute("SELECT max(seq) FROM changes").fetchall()
            else:
                # By time, not by the rowid SQLite would pick for max(seq): what is older than
                # the retention is usually nothing, found at once instead of a full scan.
                rows = self._db.execute("SELECT max(seq) FROM changes INDEXED BY ix_changes_time "
                                        "WHERE time<?", (older_than,)).fetchall()
            cut = rows[0][0]
            if cut is None:
                return self.change_log_start()
            cut = max(cut, self.change_log_start())
            self._db.execute("DELETE FROM changes WHERE seq<=?", (cut,))
            self._db.execute("INSERT OR REPLACE INTO settings VALUES ('change_log_start', ?)",
                             (str(cut),))
            return cut
