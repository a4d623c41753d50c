"""The SharePoint REST endpoints the sandbox implements: web, lists, items, fields, users, files.

`Api.handle` takes one decoded request (top-level or a `$batch` part) and returns a `Response`;
failures are raised as `SPError` and turned into SharePoint's error JSON by the server.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from . import changes as ch
from . import items as it
from .admin import AdminMixin, PermissionKind
from .files import FilesMixin
from .files import file_missing as _file_missing
from .odata import SPError, parse_datetime
from .routing import Segment, split_segments
from .store import FieldInfo, FileInfo, ListInfo, Store, VersionConflict
from .wire import JSON_TYPE, Request, Response, json_response

__all__ = ["Api", "Request", "Response", "json_response", "JSON_TYPE", "TZ", "coerce_value",
           "check_text_length", "utf16_units", "MAX_TEXT"]

TZ = ZoneInfo("Europe/Amsterdam")
_INVALID = "-1, Microsoft.SharePoint.Client.InvalidClientQueryException"


def _not_found_list(title: str, site_url: str) -> SPError:
    return SPError(404, "-1, System.ArgumentException",
                   f"List '{title}' does not exist at site with URL '{site_url}'.")


def _item_missing() -> SPError:
    return SPError(404, "-2130575338, System.ArgumentException",
                   "Item does not exist. It may have been deleted by another user.")


def _precondition() -> SPError:
    return SPError(412, "-2130575305, Microsoft.SharePoint.SPException",
                   "The version of the item has been changed since it was retrieved. "
                   "Refresh the item and try again.")


def _convert_error(edm: str) -> SPError:
    return SPError(400, _INVALID, f"Cannot convert a primitive value to the expected type "
                                  f"'{edm}'. See the inner exception for more details.")


def to_utc_string(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Api(FilesMixin, AdminMixin):
    """Resolves paths to resources and runs the operation the method asks for."""

    def __init__(self, store: Store, site_url: Callable[[], str], site_path: str,
                 before_write: Callable[[ListInfo, int], None]) -> None:
        self.store = store
        self.site_url = site_url  # absolute, known once the port is bound
        self.site_path = site_path  # /sites/spsync
        self.before_write = before_write
        self._uploads: dict[str, bytearray] = {}
        self._lock = threading.Lock()
        #: How long the change log keeps entries (SharePoint Online: 60 days).
        self.change_log_retention = timedelta(days=60)

    @property
    def api_base(self) -> str:
        return self.site_url() + "/_api"

    @property
    def web_id(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, self.site_path))

    # ---- resolution -------------------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        segs = split_segments(req.path)
        if not segs:
            raise SPError(400, _INVALID, "The request URI is not valid.")
        node: tuple = ("root",)
        for i, seg in enumerate(segs):
            node = self._step(node, seg, req, last=i == len(segs) - 1)
            if node[0] == "response":
                return node[1]
        return self._run(node, req)

    def _get_list(self, title: str) -> ListInfo:
        lst = self.store.get_list(title)
        if lst is None:
            raise _not_found_list(title, self.site_url())
        return lst

    def _step(self, node: tuple, seg: Segment, req: Request, last: bool) -> tuple:
        kind, k = node[0], seg.key
        if kind == "root" and k == "web":
            return ("web",)
        if kind == "root" and k == "site":
            return ("web",)
        if kind in ("web", "list") and k == "effectivebasepermissions":
            return ("permissions",)
        if kind == "web":
            if k == "lists":
                if seg.args:
                    return self._list_by_id(str(seg.args[0]))
                return ("lists",)
            if k in ("getlist", "getlistbytitle"):
                return ("list", self._get_list(str(seg.arg("title", "strUrl"))))
            if k in ("getfolderbyserverrelativeurl", "getfolderbyserverrelativepath"):
                return ("folder", *self._folder(str(seg.arg("serverRelativeUrl", "DecodedUrl"))))
            if k == "getfilebyid":
                f = self.store.get_file_by_id(str(seg.arg("uniqueId")))
                if f is None:
                    raise _file_missing()
                return ("file", f)
            if k in ("getfilebyserverrelativeurl", "getfilebyserverrelativepath"):
                return ("file", self._file_by_url(str(seg.arg("serverRelativeUrl", "DecodedUrl"))))
            if k == "siteusers":
                return ("user", self._user(seg.args[0])) if seg.args else ("users",)
            if k == "currentuser":
                return ("user", self._user(1))
        if kind == "users" and k in ("getbyid", "getbyemail", "getbyloginname"):
            return ("user", self._user(seg.arg("id", "emailAddress", "loginName")))
        if kind == "lists":
            if k == "getbytitle":
                return ("list", self._get_list(str(seg.arg("title"))))
            if k == "getbyid":
                return self._list_by_id(str(seg.arg("id")))
        if kind == "list":
            lst: ListInfo = node[1]
            if k == "items":
                return ("item", lst, int(seg.args[0])) if seg.args else ("items", lst)
            if k == "getitembyid":
                return ("item", lst, int(seg.arg("itemId")))
            if k == "fields":
                return ("fields", lst)
            if k == "getchanges":
                if req.method != "POST":
                    raise SPError(405, _INVALID, "getChanges needs POST.")
                return ("response", json_response(ch.get_changes(
                    self.store, lst, req.body, self.api_base, self.web_id,
                    self.change_log_retention)))
            if k == "rootfolder":
                return ("folder", lst, self._root_url(lst))
        if kind == "items" and k == "getbyid":
            return ("item", node[1], int(seg.arg("id")))
        if kind == "item":
            if k == "parentlist":
                return ("list", node[1])
            if k == "validateupdatelistitem":
                return ("response", self._validate_update(node[1], node[2], req))
            if k == "file":
                return ("file", self._file_of_item(node[1], node[2]))
        if kind == "fields" and (found := self._field_step(node[1], seg, req)) is not None:
            return found
        if kind == "fields" and k in ("getbyinternalnameortitle", "getbytitle", "getbyinternalname"):
            return ("field", node[1], self._field(node[1], str(seg.arg("strName", "title"))))
        if kind == "folder":
            if k == "files":
                if seg.args:
                    return ("file", self._file_in(node[2], str(seg.args[0])))
                return ("files", node[1], node[2])
            if k == "listitemallfields":
                raise SPError(400, _INVALID, "Folders have no item in the sandbox.")
        if kind == "files":
            if k == "add":
                self._require(PermissionKind.AddListItems)
                return ("response", self._add_file(node[1], node[2], seg, req))
            if k == "getbyurl":
                return ("file", self._file_in(node[2], str(seg.arg("url"))))
        if kind == "file":
            f: FileInfo = node[1]
            if k == "$value":
                return ("filevalue", f)
            if k in ("startupload", "continueupload", "finishupload", "cancelupload"):
                return ("response", self._upload(f, seg, req))
            if k == "listitemallfields":
                lst2 = self.store.get_list_by_id(f.list_id)
                assert lst2 is not None
                return ("item", lst2, f.item_id)
        raise SPError(400, _INVALID, f"The expression \"{req.path}\" is not valid.")

    def _list_by_id(self, list_id: str) -> tuple:
        lst = self.store.get_list_by_id(list_id)
        if lst is None:
            raise SPError(404, "-1, System.ArgumentException", "List does not exist.")
        return ("list", lst)

    def _field(self, lst: ListInfo, name: str) -> FieldInfo:
        for f in it.system_fields() + lst.fields:
            if name.lower() in (f.internal_name.lower(), (f.title or "").lower()):
                return f
        raise SPError(404, "-2147024809, System.ArgumentException",
                      f"Column '{name}' does not exist. It may have been deleted by another user.")

    def _user(self, key: Any) -> tuple:
        user = (self.store.get_user(int(key)) if isinstance(key, int) or str(key).isdigit()
                else self.store.find_user(str(key)))
        if user is None:
            raise SPError(404, "-2146232832, Microsoft.SharePoint.SPException",
                          "User cannot be found.")
        return user

    # ---- run --------------------------------------------------------------------------------

    def _run(self, node: tuple, req: Request) -> Response:
        kind, m = node[0], req.method
        if kind == "web" and m == "GET":
            return json_response({"__metadata": {"type": "SP.Web"}, "Title": "spsync sandbox",
                                  "Url": self.site_url(), "ServerRelativeUrl": self.site_path,
                                  "Id": self.web_id,
                                  "EffectiveBasePermissions": self._permissions_json()})
        if kind == "permissions" and m == "GET":
            return json_response({"EffectiveBasePermissions": self._permissions_json()})
        if kind == "lists" and m == "GET":
            return json_response({"results": [self._list_json(lst)
                                              for lst in self.store.lists()]})
        if kind == "lists" and m == "POST":
            return self._create_list(req)
        if kind == "list" and m == "GET":
            body = self._list_json(node[1])
            body["CurrentChangeToken"] = ch.current_change_token(self.store, node[1])
            select = it.odata.parse_list_option({k.lower(): v for k, v in req.query.items()}
                                                .get("$select"))
            if select and "*" not in select:  # exactly what was asked, as SharePoint answers
                low = {k.lower(): k for k in body}
                body = {"__metadata": body["__metadata"],
                        **{low[n.lower()]: body[low[n.lower()]] for n in select
                           if n.lower() in low}}
            return json_response(body)
        if kind == "list" and m == "DELETE":
            return self._delete_list(node[1])
        if kind == "items":
            q = it.ItemQuery(self.store, node[1], self.api_base)
            if m == "GET":
                return Response(200, {"Content-Type": JSON_TYPE}, q.query_json(req.query))
            if m == "POST":
                return self._create_item(node[1], req)
        if kind == "item":
            return self._item(node[1], node[2], req)
        if kind == "fields" and m == "GET":
            lst = node[1]
            return json_response({"results": [self._field_json(lst, f)
                                              for f in it.system_fields() + lst.fields]})
        if kind == "fields" and m == "POST":
            return self._create_field_entity(node[1], req)
        if kind == "field" and m == "GET":
            return json_response(self._field_json(node[1], node[2]))
        if kind == "field" and m in ("MERGE", "PATCH"):
            return self._merge_field(node[1], node[2], req)
        if kind == "users" and m == "GET":
            return json_response({"results": [self._user_json(u) for u in self.store.users()]})
        if kind == "user" and m == "GET":
            return json_response(self._user_json(node[1]))
        if kind == "folder" and m == "GET":
            return json_response(self._folder_json(node[1], node[2]))
        if kind == "files" and m == "GET":
            return json_response({"results": [self._file_json(f)
                                              for f in self.store.files_in(node[2])]})
        if kind == "file":
            if m == "GET":
                return json_response(self._file_json(node[1]))
            if m == "DELETE":
                self.store.delete_file(node[1].unique_id)
                return Response(200)
        if kind == "filevalue":
            if m == "GET":
                return Response(200, {"Content-Type": "application/octet-stream"},
                                self.store.file_content(node[1].unique_id))
            if m in ("PUT", "POST"):
                self.store.set_file_content(node[1].unique_id, req.body)
                return Response(204)
        raise SPError(405, _INVALID, f"The HTTP method '{m}' cannot be used on \"{req.path}\".")

    def _user_json(self, u: tuple) -> dict[str, Any]:
        return {"__metadata": {"type": "SP.User"}, "Id": u[0], "Title": u[1], "Email": u[2] or "",
                "LoginName": f"i:0#.f|membership|{u[2] or u[1]}", "UserPrincipalName": u[2]}

    # ---- items ------------------------------------------------------------------------------

    def _item(self, lst: ListInfo, item_id: int, req: Request) -> Response:
        q = it.ItemQuery(self.store, lst, self.api_base)
        if req.method == "GET":
            item = self.store.get_item(lst.id, item_id)
            if item is None:
                raise _item_missing()
            opts = {k.lower(): v for k, v in req.query.items()}
            select = it.odata.parse_list_option(opts.get("$select"))
            expand = it.odata.parse_list_option(opts.get("$expand"))
            for s in select:
                if s != "*" and not ("/" not in s and (f := lst.field(s)) and f.is_reference):
                    q.resolve(s)
            return json_response(q.render(item, select, expand), headers={"ETag": f'"{item.version}"'})
        if req.method in ("MERGE", "PATCH", "PUT"):
            self._require(PermissionKind.EditListItems)
            changes = self._parse_item_body(lst, req.body)
            self.before_write(lst, item_id)
            try:  # a missing item is a KeyError here: 404 as SharePoint answers
                item = self.store.update_item(lst.id, item_id, changes, _if_match(req),
                                              editor=self.store.app_user())
            except VersionConflict:
                raise _precondition() from None
            except KeyError:
                raise _item_missing() from None
            return Response(204, {"ETag": f'"{item.version}"'})
        if req.method == "DELETE":
            self._require(PermissionKind.DeleteListItems)
            self.before_write(lst, item_id)
            item = self.store.get_item(lst.id, item_id)
            if item is None:
                raise _item_missing()
            expected = _if_match(req)
            if expected is not None and expected != item.version:
                raise _precondition()
            self.store.delete_item(lst.id, item_id)
            return Response(200)
        raise SPError(405, _INVALID, f"The HTTP method '{req.method}' cannot be used here.")

    def _create_item(self, lst: ListInfo, req: Request) -> Response:
        self._require(PermissionKind.AddListItems)
        item = self.store.add_item(lst.id, self._parse_item_body(lst, req.body),
                                   author=self.store.app_user())
        q = it.ItemQuery(self.store, lst, self.api_base)
        return json_response(q.render(item, [], []), 201, {"ETag": f'"{item.version}"'})

    def _parse_item_body(self, lst: ListInfo, body: bytes) -> dict[str, Any]:
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            raise SPError(400, _INVALID, "Invalid JSON. The request body is not valid JSON.") from None
        if not isinstance(payload, dict):
            raise SPError(400, _INVALID, "Invalid JSON. An object was expected.")
        meta = payload.pop("__metadata", None)
        etype = meta.get("type") if isinstance(meta, dict) else None
        if etype is None:
            raise SPError(400, _INVALID, "A type name was not provided for the payload.")
        if etype != lst.entity_type:
            raise SPError(400, _INVALID,
                          f"A type named '{etype}' could not be resolved by the model. When a "
                          f"model is available, each type name must resolve to a valid type.")
        changes: dict[str, Any] = {}
        for name, value in payload.items():
            f = lst.field(name)
            if f is not None and f.internal_name == name and not f.is_reference:
                changes[name] = coerce_value(f, value)
                continue
            if name.endswith("Id") and (rf := lst.field(name[:-2])) and rf.is_reference \
                    and rf.internal_name == name[:-2]:
                changes[rf.internal_name] = coerce_value(rf, value)
                continue
            raise SPError(400, _INVALID,
                          f"The property '{name}' does not exist on type '{lst.entity_type}'. "
                          f"Make sure to only use property names that are defined by the type.")
        return changes

    def _validate_update(self, lst: ListInfo, item_id: int, req: Request) -> Response:
        if req.method != "POST":
            raise SPError(405, _INVALID, "ValidateUpdateListItem needs POST.")
        self._require(PermissionKind.EditListItems)
        payload = json.loads(req.body or b"{}")
        self.before_write(lst, item_id)
        if self.store.get_item(lst.id, item_id) is None:
            raise _item_missing()
        results, changes = [], {}
        for fv in payload.get("formValues") or []:
            name, raw = fv.get("FieldName"), fv.get("FieldValue")
            f = lst.field(name or "")
            err = None
            if f is None:
                err = f"Column '{name}' does not exist. It may have been deleted by another user."
            else:
                try:
                    changes[f.internal_name] = self._form_value(f, raw)
                except ValueError as ex:
                    err = str(ex)
            results.append({"__metadata": {"type": "SP.ListItemFormUpdateValue"},
                            "ErrorCode": -1 if err else 0, "ErrorMessage": err,
                            "FieldName": name, "FieldValue": raw, "HasException": bool(err),
                            "ItemId": item_id})
        if changes:
            self.store.update_item(lst.id, item_id, changes, editor=self.store.app_user())
        return json_response({"ValidateUpdateListItem": {"results": results}})

    def _form_value(self, f: FieldInfo, raw: Any) -> Any:
        """Form values are strings in the site's locale (dates local time unless they say UTC)."""
        text = "" if raw is None else str(raw).strip()
        if text == "":
            return False if f.type == "Boolean" else None
        if f.type in ("Number", "Currency", "Integer"):
            try:
                num = float(text)
            except ValueError:
                raise ValueError("Only numbers can go here.") from None
            return int(num) if num.is_integer() else num
        if f.type == "DateTime":
            dt = parse_datetime(text) if re.search(r"T.*(Z|[+-]\d\d:?\d\d)$", text) else None
            if dt is None:
                try:
                    dt = datetime.fromisoformat(text).replace(tzinfo=TZ)
                except ValueError:
                    raise ValueError("You must specify a valid date within the range of "
                                     "1/1/1900 and 12/31/8900.") from None
            return to_utc_string(dt)
        if f.type in ("Text", "Choice") and utf16_units(text) > MAX_TEXT:
            raise ValueError("The value of this field exceeds its maximum length of 255 "
                             "characters.")
        if f.type == "Boolean":
            return text.lower() in ("1", "true", "yes", "ja")
        if f.type == "Lookup":
            m = re.match(r"^(\d+)", text)
            if not m:
                raise ValueError("The lookup value is not valid.")
            return int(m.group(1))
        if f.type == "User":
            try:
                keys = [e.get("Key", "") for e in json.loads(text)]
            except (ValueError, AttributeError):
                keys = [text]
            for key in keys:
                user = self.store.find_user(str(key).split("|")[-1])
                if user:
                    return user[0]
            raise ValueError("The user does not exist or is not unique.")
        return text

def _if_match(req: Request) -> int | None:
    raw = (req.headers.get("if-match") or "*").strip()
    if raw == "*":
        return None
    m = re.search(r'"?(\d+)(?:,\d+)?"?$', raw.removeprefix("W/"))
    if not m:
        raise _precondition()
    return int(m.group(1))


def coerce_value(f: FieldInfo, value: Any) -> Any:
    """Check a MERGE value against the column type like SharePoint's OData layer does."""
    if value is None:
        return None
    t = f.type
    if t in ("Number", "Currency", "Integer", "Lookup", "User"):
        if isinstance(value, bool):
            raise _convert_error("Edm.Double")
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise _convert_error("Edm.Int32" if f.is_reference else "Edm.Double") from None
        if not isinstance(value, (int, float)):
            raise _convert_error("Edm.Double")
        if f.is_reference:
            return int(value)
        return int(value) if float(value).is_integer() and isinstance(value, int) else value
    if t == "DateTime":
        dt = parse_datetime(value) if isinstance(value, str) else None
        if dt is None:
            raise _convert_error("Edm.DateTime")
        return to_utc_string(dt)
    if t == "Boolean":
        if not isinstance(value, bool):
            raise _convert_error("Edm.Boolean")
        return value
    if t == "URL":
        return value
    if isinstance(value, (dict, list)):
        raise _convert_error("Edm.String")
    return check_text_length(f, value if isinstance(value, str) else str(value))


#: Longest value of a single line of text (and a choice), in UTF-16 code units as SharePoint
#: counts them: an emoji outside the BMP takes two.
MAX_TEXT = 255
_TEXT_TOO_LONG = ("-2130575336, Microsoft.SharePoint.SPException",
                  "Invalid text value. A text field contains invalid data. Please check the value "
                  "and try again.")


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_text_length(f: FieldInfo, text: str) -> str:
    """SharePoint Online refuses a Text/Choice value over 255 UTF-16 units with HTTP 500 and a
    message that names no field."""
    if f.type in ("Text", "Choice") and utf16_units(text) > MAX_TEXT:
        raise SPError(500, *_TEXT_TOO_LONG)
    return text
