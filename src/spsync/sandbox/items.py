"""List item semantics: field resolution, JSON rendering with $select/$expand, querying and paging,
and value checks for writes. Behaves like SharePoint Online where the reference documents it.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import repeat
from typing import Any
from urllib.parse import quote, unquote

from . import odata
from .odata import SPError, bad_query
from .store import FieldInfo, Item, ListInfo, Store
from .wire import json_text

__all__ = ["ItemQuery", "Resolved", "FIELD_KIND", "list_json", "field_json"]

MAX_TOP = 5000
DEFAULT_TOP = 100
_SYSTEM = {"id": "Id", "created": "Created", "modified": "Modified",
           "owshiddenversion": "owshiddenversion", "guid": "GUID"}
FIELD_KIND = {"Integer": 1, "Text": 2, "Note": 3, "DateTime": 4, "Counter": 5, "Choice": 6,
              "Lookup": 7, "Boolean": 8, "Number": 9, "Currency": 10, "URL": 11,
              "Calculated": 17, "File": 18, "User": 20}
USER_FIELDS = {"id": "Id", "title": "Title", "email": "EMail", "name": "Name"}


def not_exist(name: str) -> SPError:
    return bad_query(f"The field or property '{name}' does not exist.")


@dataclass(frozen=True)
class Resolved:
    """A field path: kind sys/plain/refid/sub, the column and (for sub) the target property."""

    kind: str
    name: str  # output property name
    field: FieldInfo | None = None
    sub: str | None = None


class _Plan:
    """How one $select/$expand renders an item, worked out once per request: (property,
    getter) pairs in output order, the same as JSON text pieces (a repeated property keeps its
    first place and its last value, as in a dict), and the expanded reference columns whose
    targets a page can fetch in one go."""

    __slots__ = ("ops", "text_ops", "expanded")

    def __init__(self, ops: list[tuple[str, Callable[[Item], Any]]],
                 expanded: list[FieldInfo]) -> None:
        self.ops = ops
        self.expanded = expanded
        last: dict[str, Callable[[Item], Any]] = {}
        for name, get in ops:
            last[name] = get  # insertion order is the first occurrence's
        self.text_ops: list[tuple[str, Callable[[Item], Any], bool]] | None = [
            (f", {json_text(name)}: ", getattr(get, "text", get), hasattr(get, "text"))
            for name, get in last.items()]
        if "__metadata" in last:  # would replace the item's own: leave that to the dict path
            self.text_ops = None


class ItemQuery:
    """Everything needed to read items of one list during one request."""

    def __init__(self, store: Store, lst: ListInfo, api_base: str) -> None:
        self.store = store
        self.lst = lst
        self.api_base = api_base  # http://host/sites/x/_api
        self._targets: dict[str, ListInfo | None] = {}
        self._shared_cache: dict[Any, Any] | None = None
        self._plans: dict[tuple[tuple[str, ...], tuple[str, ...]], _Plan] = {}
        self._rel = f"Web/Lists(guid'{lst.id}')/Items("
        self._uri = f"{api_base}/{self._rel}"
        self._etype = lst.entity_type
        # The same as JSON text, without the closing quote of id and uri (the item id follows).
        self._rel_text = json_text(self._rel)[:-1]
        self._uri_text = json_text(self._uri)[:-1]
        self._etype_text = json_text(self._etype)

    @property
    def _shared(self) -> dict[Any, Any]:
        """Lookup targets, persons and expanded values, kept by the store until the site
        changes, so the pages of one read share them (taken on first use, once per request)."""
        if self._shared_cache is None:
            self._shared_cache = self.store.read_cache()
        return self._shared_cache

    @property
    def _target_items(self) -> dict[tuple[str, int], Item | None]:
        return self._shared.setdefault("items", {})

    @property
    def _users(self) -> dict[int, tuple[int, str, str | None] | None]:
        return self._shared.setdefault("users", {})

    # ---- names ------------------------------------------------------------------------------

    def resolve(self, path: str) -> Resolved:
        lst = self.lst
        if "/" in path:
            head, _, sub = path.partition("/")
            f = lst.field(head)
            if f is None or not f.is_reference or "/" in sub:
                raise not_exist(path)
            return Resolved("sub", f.internal_name, f, self._resolve_sub(f, sub))
        low = path.lower()
        if low == "id":
            return Resolved("sys", "ID" if path == "ID" else "Id")
        if low in _SYSTEM:
            return Resolved("sys", _SYSTEM[low])
        if lst.base_template == 101 and low == "fileleafref":
            return Resolved("plain", "FileLeafRef", FieldInfo("FileLeafRef", "File"))
        f = lst.field(path)
        if f is not None:
            if f.is_reference:
                return Resolved("refid", f.internal_name + "Id", f)
            return Resolved("plain", f.internal_name, f)
        if low.endswith("id"):
            f = lst.field(path[:-2])
            if f is not None and f.is_reference:
                return Resolved("refid", f.internal_name + "Id", f)
        raise not_exist(path)

    def _target(self, f: FieldInfo) -> ListInfo | None:
        key = (f.lookup_list or "").lower()
        if key not in self._targets:
            self._targets[key] = self.store.get_list(f.lookup_list) if f.lookup_list else None
        return self._targets[key]

    def _resolve_sub(self, f: FieldInfo, sub: str) -> str:
        if f.type == "User":
            if sub.lower() in USER_FIELDS:
                return USER_FIELDS[sub.lower()]
            raise not_exist(f"{f.internal_name}/{sub}")
        if sub.lower() == "id":
            return "Id"
        target = self._target(f)
        tf = target.field(sub) if target else None
        if tf is None or tf.is_reference:
            raise not_exist(f"{f.internal_name}/{sub}")
        return tf.internal_name

    # ---- values -----------------------------------------------------------------------------

    def value(self, item: Item, r: Resolved) -> Any:
        if r.kind == "sys":
            return self._sys_getter(r.name)(item)
        assert r.field is not None
        if r.kind in ("plain", "refid"):
            return item.data.get(r.field.internal_name)
        return self.sub_value(r.field, item.data.get(r.field.internal_name), r.sub or "Id")

    def sub_value(self, f: FieldInfo, target_id: Any, sub: str) -> Any:
        if target_id is None:
            return None
        if f.type == "User":
            user = self._user(int(target_id))
            if user is None:
                return None
            return {"Id": user[0], "Title": user[1], "EMail": user[2] or "",
                    "Name": f"i:0#.f|membership|{user[2] or user[1]}"}[sub]
        target = self._target(f)
        if target is None:
            return None
        key = (target.id, int(target_id))
        if key not in self._target_items:
            self._target_items[key] = self.store.get_item(target.id, int(target_id))
        titem = self._target_items[key]
        if titem is None:
            return None  # dangling lookup: the target item was deleted
        return titem.id if sub == "Id" else titem.data.get(sub)

    def _user(self, user_id: int) -> tuple[int, str, str | None] | None:
        if user_id not in self._users:
            self._users[user_id] = self.store.get_user(user_id)
        return self._users[user_id]

    def _sys_getter(self, name: str) -> Callable[[Item], Any]:
        if name in ("Id", "ID"):
            return lambda it: it.id
        if name == "Created":
            return lambda it: it.created
        if name == "Modified":
            return lambda it: it.modified
        if name == "owshiddenversion":
            return lambda it: it.version
        if name == "GUID":
            list_id = self.lst.id
            return lambda it: str(uuid.uuid5(uuid.NAMESPACE_URL, f"{list_id}/{it.id}"))
        raise KeyError(name)

    # ---- rendering --------------------------------------------------------------------------

    def metadata(self, item: Item) -> dict[str, Any]:
        return {"id": f"{self._rel}{item.id})", "uri": f"{self._uri}{item.id})",
                "etag": f'"{item.version}"', "type": self._etype}

    def render(self, item: Item, select: list[str], expand: list[str]) -> dict[str, Any]:
        return self._apply(self._plan(select, expand), item)

    def _apply(self, plan: _Plan, item: Item) -> dict[str, Any]:
        out: dict[str, Any] = {"__metadata": {
            "id": f"{self._rel}{item.id})", "uri": f"{self._uri}{item.id})",
            "etag": f'"{item.version}"', "type": self._etype}}
        for name, get in plan.ops:
            out[name] = get(item)
        return out

    def _items_text(self, plan: _Plan, items: list[Item]) -> str:
        """``", ".join(json.dumps(self._apply(plan, it), ensure_ascii=False) for it in items)``
        without building the dicts, a column at a time: a page of 5,000 items is the sandbox's
        biggest answer."""
        if plan.text_ops is None:
            return ", ".join([json_text(self._apply(plan, it)) for it in items])
        rel, uri, etype = self._rel_text, self._uri_text, self._etype_text
        columns: list[Iterable[str]] = [[
            f'{{"__metadata": {{"id": {rel}{it.id})", "uri": {uri}{it.id})", '
            f'"etag": "\\"{it.version}\\"", "type": {etype}}}' for it in items]]
        for prefix, get, is_text in plan.text_ops:
            columns.append(repeat(prefix))
            columns.append(list(map(get, items)) if is_text
                           else list(map(json_text, map(get, items))))
        columns.append(repeat("}"))
        return ", ".join(map("".join, zip(*columns)))

    def _plan(self, select: list[str], expand: list[str]) -> _Plan:
        """The rendering of ``select``/``expand``, worked out once per request instead of per
        item; raises what rendering the first item would."""
        key = (tuple(select), tuple(expand))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._compile(select, expand)
        return plan

    def _compile(self, select: list[str], expand: list[str]) -> _Plan:
        lst = self.lst
        ops: list[tuple[str, Callable[[Item], Any]]] = []
        expanded = {self._expand_name(e) for e in expand}
        # SharePoint answers exactly the selected fields (plus __metadata); without $select or
        # with `*` every field, the system ones first.
        explicit = bool(select) and "*" not in select
        base = [] if explicit else (
            ["Id", "ID"] + (["Title"] if lst.field("Title") else []) + ["Created", "Modified"])
        names = select if explicit else (
            [f.internal_name for f in lst.fields] + (
                ["FileLeafRef"] if lst.base_template == 101 else []))
        for name in base:
            ops.append((name, self._getter(self.resolve(name))))
        subs: dict[str, list[str]] = {}
        for name in names:
            if "/" not in name and (f := lst.field(name)) is not None and f.is_reference:
                if f.internal_name in expanded:
                    subs.setdefault(f.internal_name, [])
                    if not explicit:
                        ops.append((f.internal_name + "Id", _data_getter(f.internal_name)))
                    continue
                if explicit:
                    ops.append((f.internal_name, self._deferred_getter(f.internal_name)))
                    continue
                ops.append((f.internal_name + "Id", _data_getter(f.internal_name)))
                continue
            r = self.resolve(name)
            if r.kind == "sub":
                if r.name not in expanded:
                    raise bad_query(
                        f"The query to field '{name}' is not valid. The $select query string must "
                        f"specify the target fields and the $expand query string must contains "
                        f"{r.name}.")
                subs.setdefault(r.name, []).append(r.sub or "Id")
                continue
            ops.append((r.name, self._getter(r)))
        fields = []
        for name, props in subs.items():
            f = lst.field(name)
            assert f is not None
            fields.append(f)
            ops.append((name, self._expander(f, props)))
        return _Plan(ops, fields)

    def _getter(self, r: Resolved) -> Callable[[Item], Any]:
        if r.kind == "sys":
            return self._sys_getter(r.name)
        assert r.field is not None and r.kind in ("plain", "refid")
        return _data_getter(r.field.internal_name)

    def _deferred_getter(self, name: str) -> Callable[[Item], Any]:
        uri = self._uri
        return lambda it: {"__deferred": {"uri": f"{uri}{it.id})/{name}"}}

    def _expander(self, f: FieldInfo, props: list[str]) -> _Expander:
        """The expanded value of a reference column, built once per target (the store drops
        it when the site changes)."""
        values, texts = self._shared.setdefault(("expanded", f, tuple(props)), ({}, {}))
        return _Expander(lambda target_id: self._expanded(f, target_id, props), f.internal_name,
                         values, texts)

    def prefetch(self, plan: _Plan, items: list[Item]) -> None:
        """Fetch the lookup targets and persons a page expands in one query per column,
        instead of one per target."""
        for f in plan.expanded:
            ids = {v for it in items if type(v := it.data.get(f.internal_name)) is int}
            if f.type == "User":
                missing = [i for i in ids if i not in self._users]
                found = self.store.get_users(missing)
                for i in missing:
                    self._users[i] = found.get(i)
                continue
            target = self._target(f)
            if target is None:
                continue
            missing = [i for i in ids if (target.id, i) not in self._target_items]
            items_found = self.store.get_items(target.id, missing)
            for i in missing:
                self._target_items[(target.id, i)] = items_found.get(i)

    def _expand_name(self, name: str) -> str:
        f = self.lst.field(name)
        if f is None or not f.is_reference:
            raise not_exist(name)
        return f.internal_name

    def _expanded(self, f: FieldInfo, target_id: Any, props: list[str]) -> dict[str, Any]:
        if not props:
            props = ["Id", "Title", "EMail"] if f.type == "User" else ["Id", f.lookup_field or "Title"]
        if f.type == "User":
            etype = "SP.Data.UserInfoItem"
        else:
            target = self._target(f)
            etype = target.entity_type if target else "SP.Data.ListItem"
        meta_id = _reference_guid(f"{f.lookup_list}/{target_id}")
        out: dict[str, Any] = {"__metadata": {"id": meta_id, "type": etype}}
        for p in props:
            out[p] = self.sub_value(f, target_id, p)
        return out

    # ---- querying ---------------------------------------------------------------------------

    def query(self, options: dict[str, str]) -> dict[str, Any]:
        """The `{"results": [...], "__next": ...}` body of an items GET."""
        plan, page, next_link = self._page(options)
        body: dict[str, Any] = {"results": [self._apply(plan, it) for it in page]}
        if next_link is not None:
            body["__next"] = next_link
        return body

    def query_json(self, options: dict[str, str]) -> bytes:
        """The whole answer of an items GET, ``{"d": query(options)}`` as JSON (the same bytes
        ``json_response`` makes), written item by item."""
        plan, page, next_link = self._page(options)
        text = '{"d": {"results": [' + (self._items_text(plan, page) if plan else "") + "]"
        if next_link is not None:
            text += ', "__next": ' + json_text(next_link)
        return (text + "}}").encode("utf-8")

    def _page(self, options: dict[str, str]) -> tuple[_Plan | None, list[Item], str | None]:
        """The rendering plan, the page's items and the next page's link of an items GET."""
        opts = {k.lower(): v for k, v in options.items()}
        select = odata.parse_list_option(opts.get("$select"))
        expand = odata.parse_list_option(opts.get("$expand"))
        for e in expand:
            self._expand_name(e)
        for s in select:
            if s != "*" and not ("/" not in s and (f := self.lst.field(s)) and f.is_reference):
                self.resolve(s)
        order = [(self.resolve(p), desc) for p, desc in odata.parse_orderby(opts.get("$orderby"))]
        flt = odata.parse_filter(opts["$filter"], self.resolve) if opts.get("$filter") else None
        top = _parse_top(opts.get("$top"))
        if top > MAX_TOP and self.store.count_items(self.lst.id) > MAX_TOP:
            raise SPError(500, "-2147024860, Microsoft.SharePoint.SPQueryThrottledException",
                          "The attempted operation is prohibited because it exceeds the list view "
                          "threshold.")
        token = _parse_skiptoken(opts.get("$skiptoken"))
        after_id = int(token.get("p_ID", 0) or 0)
        ranges = _id_ranges(flt) if flt is not None and not order else None
        if flt is None and not order:
            rows = self.store.items_after(self.lst.id, after_id, top + 1)
        elif ranges is not None:  # `Id eq n or (Id ge a and Id le b) …`: straight from SQLite
            rows = self.store.items_in_ranges(self.lst.id, ranges, after_id, top + 1)
        else:
            rows = self.store.all_items(self.lst.id)
            if flt is not None:
                rows = [it for it in rows if odata.evaluate(flt, lambda r, it=it: self.value(it, r))]
            keys = self._sort_keys(order)
            dirs = [d for _, d in order] + [False]
            rows = odata.sort_rows(rows, keys, dirs)
            if token:
                cmp = odata.make_row_cmp(dirs)
                last = [_decode_token_value(token.get(_token_name(r))) for r, _ in order] + [after_id]
                rows = [it for it in rows if cmp(keys(it), last) > 0]
        page, more = rows[:top], len(rows) > top
        if not page:  # an empty page renders nothing, so it raises no rendering error either
            return None, page, None
        plan = self._plan(select, expand)
        self.prefetch(plan, page)
        return plan, page, self._next_link(page[-1], order, options) if more else None

    def _sort_keys(self, order: list[tuple[Resolved, bool]]) -> Callable[[Item], list]:
        return lambda it: [self.value(it, r) for r, _ in order] + [it.id]

    def _next_link(self, last: Item, order: list[tuple[Resolved, bool]],
                   options: dict[str, str]) -> str:
        token = f"Paged=TRUE&p_ID={last.id}"
        for r, _ in order:
            token += f"&{_token_name(r)}={quote(json.dumps(self.value(last, r)), safe='')}"
        parts = [("$skiptoken", token)]
        for k, v in options.items():
            if k.lower() in ("$select", "$filter", "$orderby", "$expand", "$top"):
                parts.append((k, v))
        qs = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in parts)
        return f"{self.api_base}/Web/Lists(guid'{self.lst.id}')/Items?{qs}"


class _Expander:
    """The expanded value of a reference column (``expand(target_id)``) per item, as a dict
    (call) or as JSON text (``text``): every item pointing at the same target shows the same
    value, so each is built and encoded once while the site does not change."""

    __slots__ = ("_expand", "_name", "_values", "_texts")

    def __init__(self, expand: Callable[[Any], dict[str, Any]], name: str,
                 values: dict[tuple[type, Any], dict[str, Any]],
                 texts: dict[tuple[type, Any], str]) -> None:
        self._expand = expand
        self._name = name
        self._values = values
        self._texts = texts

    def __call__(self, it: Item) -> dict[str, Any]:
        target_id = it.data.get(self._name)
        key = (type(target_id), target_id)  # 1, 1.0 and True name different GUIDs
        try:
            found = self._values.get(key)
        except TypeError:  # not hashable (a list): nothing to share
            return self._expand(target_id)
        if found is None:
            found = self._values[key] = self._expand(target_id)
        return found

    def text(self, it: Item) -> str:
        target_id = it.data.get(self._name)
        key = (type(target_id), target_id)
        try:
            found = self._texts.get(key)
        except TypeError:
            return json_text(self._expand(target_id))
        if found is None:
            found = self._texts[key] = json_text(self(it))
        return found


@functools.lru_cache(maxsize=65536)
def _reference_guid(name: str) -> str:
    """The ``__metadata.id`` of an expanded target: a name-based (hence repeatable) GUID."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def _data_getter(name: str) -> Callable[[Item], Any]:
    return lambda it: it.data.get(name)


def _is_id(node: tuple) -> bool:
    return node[0] == "field" and node[1].kind == "sys" and node[1].name in ("Id", "ID")


def _id_ranges(node: tuple) -> list[tuple[int, int]] | None:
    """The id ranges a filter of only ``Id eq n`` / ``Id ge a and Id le b`` terms joined by
    ``or`` selects; None for any other filter (evaluated item by item)."""
    kind = node[0]
    if kind == "or":
        left, right = _id_ranges(node[1]), _id_ranges(node[2])
        return None if left is None or right is None else left + right
    if kind == "cmp" and node[1] == "eq" and _is_id(node[2]) and node[3][0] == "lit" \
            and isinstance(node[3][1], int):
        return [(node[3][1], node[3][1])]
    if kind == "and":
        a, b = node[1], node[2]
        if all(x[0] == "cmp" and _is_id(x[2]) and x[3][0] == "lit" and isinstance(x[3][1], int)
               for x in (a, b)):
            bounds = {x[1]: x[3][1] for x in (a, b)}
            if set(bounds) == {"ge", "le"}:
                return [(bounds["ge"], bounds["le"])]
    return None


def _token_name(r: Resolved) -> str:
    return "p_" + re.sub(r"\W", "_", r.name + (f"_{r.sub}" if r.sub else ""))


def _decode_token_value(raw: str | None) -> Any:
    if raw is None:
        return None
    try:
        return json.loads(unquote(raw))
    except ValueError:
        return unquote(raw)


def _parse_skiptoken(raw: str | None) -> dict[str, str]:
    if not raw:
        return {}
    out: dict[str, str] = {}
    for part in raw.split("&"):
        k, _, v = part.partition("=")
        out[k] = v
    return out


def _parse_top(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_TOP
    try:
        top = int(raw)
    except ValueError:
        raise bad_query(f"Invalid $top value: {raw!r}") from None
    if top < 0:
        raise bad_query(f"Invalid $top value: {raw!r}")
    return top


# ---- list / field JSON --------------------------------------------------------------------------

def list_json(store: Store, lst: ListInfo, api_base: str, site_path: str) -> dict[str, Any]:
    rel = f"Web/Lists(guid'{lst.id}')"
    return {
        "__metadata": {"id": f"{api_base}/{rel}", "uri": f"{api_base}/{rel}", "etag": '"1"',
                       "type": "SP.List"},
        "Id": lst.id, "Title": lst.title, "ListItemEntityTypeFullName": lst.entity_type,
        "ItemCount": store.count_items(lst.id), "BaseTemplate": lst.base_template,
        "BaseType": 1 if lst.base_template == 101 else 0, "Created": lst.created,
        "Hidden": False, "EntityTypeName": lst.entity_type.removeprefix("SP.Data."),
        "RootFolder": {"__deferred": {"uri": f"{api_base}/{rel}/RootFolder"}},
        "ParentWebUrl": site_path,
    }


def field_json(store: Store, lst: ListInfo, f: FieldInfo, api_base: str) -> dict[str, Any]:
    fid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{lst.id}/{f.internal_name}"))
    rel = f"Web/Lists(guid'{lst.id}')/Fields(guid'{fid}')"
    out: dict[str, Any] = {
        "__metadata": {"id": f"{api_base}/{rel}", "uri": f"{api_base}/{rel}",
                       "type": {"Lookup": "SP.FieldLookup", "User": "SP.FieldUser",
                                "Number": "SP.FieldNumber", "DateTime": "SP.FieldDateTime",
                                "Choice": "SP.FieldChoice", "Text": "SP.FieldText",
                                "Note": "SP.FieldMultiLineText"}.get(f.type, "SP.Field")},
        "Id": fid, "InternalName": f.internal_name, "StaticName": f.internal_name,
        "EntityPropertyName": f.internal_name, "Title": f.title or f.internal_name,
        "TypeAsString": f.type, "FieldTypeKind": FIELD_KIND.get(f.type, 0), "Hidden": False,
        "ReadOnlyField": f.type == "Counter", "Required": False,
    }
    if f.type == "Lookup":
        target = store.get_list(f.lookup_list) if f.lookup_list else None
        out["LookupList"] = "{" + target.id + "}" if target else ""
        out["LookupField"] = f.lookup_field or "Title"
    elif f.type == "User":
        out["LookupList"] = "{00000000-0000-0000-0000-000000000001}"
        out["LookupField"] = "ImnName"
    return out


def system_fields() -> list[FieldInfo]:
    return [FieldInfo("ID", "Counter", "ID"), FieldInfo("Created", "DateTime", "Created"),
            FieldInfo("Modified", "DateTime", "Modified")]
