"""Site administration endpoints of the sandbox: create lists and columns, index a column, and
answer ``EffectiveBasePermissions`` — what ``spsync provision`` and ``spsync check`` send.

The requests are the ones office365-REST-Python-Client 3.3 makes (recorded in
tests/sandbox/test_sandbox_admin.py):

- ``POST Web/lists`` with an ``SP.List`` body (``ListCollection.add``, ``ListCreationInformation``);
- ``POST …/fields/CreateFieldAsXml`` with ``{"parameters": SP.XmlSchemaFieldCreationInformation}``,
  ``POST …/fields/AddField`` with ``{"parameters": SP.FieldCreationInformation}`` and
  ``POST …/fields`` with an ``SP.Field*`` entity (``FieldCollection.add``);
- ``MERGE`` on a field (``Indexed``, ``Required``, ...; ``Choices`` only as ``SP.FieldChoice``); ``DELETE`` on a list.

Like SharePoint, CreateFieldAsXml takes the internal name from ``Name`` only with the option
``AddFieldInternalNameHint`` (8); otherwise it derives it from the display name. Unique values
need an index. Permissions are one set of ``SP.PermissionKind`` values for the whole web
(:meth:`AdminMixin.set_role`); writes without the right kind are refused with 403.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from . import items as it
from .odata import SPError
from .routing import Segment
from .store import FieldInfo, ListInfo, Store
from .wire import Request, Response, json_response

__all__ = ["ROLE_KINDS", "AdminMixin", "PermissionKind", "permission_mask"]

_INVALID = "-1, Microsoft.SharePoint.Client.InvalidClientQueryException"
_SPEXC = "-2130575342, Microsoft.SharePoint.SPException"
_DENIED = "-2147024891, System.UnauthorizedAccessException"
_INTERNAL_NAME_HINT = 8
_KIND_TYPE = {n: t for t, n in it.FIELD_KIND.items()}
_CREATABLE = {"Text", "Note", "Number", "Currency", "DateTime", "Choice", "Lookup", "User",
              "Boolean", "URL", "Integer"}
#: Properties a MERGE on a field may change.
_FIELD_WRITABLE = {"Indexed", "Required", "EnforceUniqueValues", "Description",
                   "DefaultValue", "Hidden"}
#: Entity types that have ``Choices`` (a MERGE of Choices as ``SP.Field`` fails on SharePoint).
_CHOICE_TYPES = {"SP.FieldChoice", "SP.FieldMultiChoice"}


class PermissionKind:
    """The ``SP.PermissionKind`` values the sandbox checks (bit ``value - 1`` of the mask)."""

    ViewListItems = 1
    AddListItems = 2
    EditListItems = 3
    DeleteListItems = 4
    OpenItems = 6
    ViewVersions = 7
    DeleteVersions = 8
    ManagePersonalViews = 10
    ManageLists = 12
    ViewFormPages = 13
    Open = 17
    ViewPages = 18
    BrowseUserInfo = 28
    UseClientIntegration = 37
    UseRemoteAPIs = 38
    CreateAlerts = 40


_K = PermissionKind
_READ = frozenset({_K.ViewListItems, _K.OpenItems, _K.ViewVersions, _K.ViewFormPages, _K.Open,
                   _K.ViewPages, _K.BrowseUserInfo, _K.UseClientIntegration, _K.UseRemoteAPIs,
                   _K.CreateAlerts})
_WRITE = _READ | {_K.AddListItems, _K.EditListItems, _K.DeleteListItems, _K.DeleteVersions,
                  _K.ManagePersonalViews}
#: The Sites.Selected roles as sets of permission kinds ("fullcontrol" is every bit).
ROLE_KINDS: dict[str, frozenset[int] | None] = {
    "read": _READ, "write": frozenset(_WRITE), "manage": frozenset(_WRITE | {_K.ManageLists}),
    "fullcontrol": None,
}


def permission_mask(kinds: frozenset[int] | None) -> tuple[int, int]:
    """(High, Low) of an ``SP.BasePermissions``; None is full control."""
    if kinds is None:
        return 0x7FFFFFFF, 0xFFFFFFFF
    value = 0
    for kind in kinds:
        value |= 1 << (kind - 1)
    return value >> 32, value & 0xFFFFFFFF


def _internal_name(display: str) -> str:
    """SharePoint's internal name for a display name: other characters as ``_xHHHH_``, 32 max."""
    out = "".join(ch if re.match(r"[A-Za-z0-9_]", ch) else f"_x{ord(ch):04x}_" for ch in display)
    return out[:32]


def _bool(text: str | None) -> bool:
    return (text or "").strip().upper() == "TRUE"


class AdminMixin:
    """List and field creation of `Api`; needs `store`, `site_url`, `api_base`, `_lock`."""

    store: Store
    _lock: threading.Lock
    api_base: Any
    site_url: Callable[[], str]
    site_path: str
    #: The app's permission kinds on the web (None: full control).
    permissions: frozenset[int] | None = None

    # ---- permissions ------------------------------------------------------------------------

    def set_role(self, role: str) -> None:
        """Give the app one Sites.Selected role: read, write, manage or fullcontrol."""
        self.permissions = ROLE_KINDS[role]

    def _require(self, kind: int) -> None:
        if self.permissions is not None and kind not in self.permissions:
            raise SPError(403, _DENIED, "Access denied. You do not have permission to perform "
                                        "this action or access this resource.")

    def _permissions_json(self) -> dict[str, Any]:
        high, low = permission_mask(self.permissions)
        return {"__metadata": {"type": "SP.BasePermissions"}, "High": str(high), "Low": str(low)}

    # ---- JSON -------------------------------------------------------------------------------

    def _list_json(self, lst: ListInfo) -> dict[str, Any]:
        out = it.list_json(self.store, lst, self.api_base, self.site_path)
        out["EffectiveBasePermissions"] = self._permissions_json()
        return out

    def _field_json(self, lst: ListInfo, f: FieldInfo) -> dict[str, Any]:
        out = it.field_json(self.store, lst, f, self.api_base)
        props = self.store.field_props(lst.id).get(f.internal_name.lower(), {})
        out.update({"Indexed": bool(props.get("Indexed", False)),
                    "Required": bool(props.get("Required", False)),
                    "EnforceUniqueValues": bool(props.get("EnforceUniqueValues", False))})
        if "DefaultValue" in props:
            out["DefaultValue"] = props["DefaultValue"]
        if f.type == "Choice":
            out["Choices"] = {"__metadata": {"type": "Collection(Edm.String)"},
                              "results": list(props.get("Choices", []))}
            out["FillInChoice"] = bool(props.get("FillInChoice", False))
        if f.type == "DateTime":
            out["DisplayFormat"] = int(props.get("DisplayFormat", 0))
        if "SchemaXml" in props:
            out["SchemaXml"] = props["SchemaXml"]
        return out

    # ---- lists ------------------------------------------------------------------------------

    def _create_list(self, req: Request) -> Response:
        self._require(PermissionKind.ManageLists)
        body = _json_body(req)
        if (body.get("__metadata") or {}).get("type") != "SP.List":
            raise SPError(400, _INVALID, "A type named 'SP.List' was expected for the payload.")
        title = str(body.get("Title") or "").strip()
        if not title:
            raise SPError(400, _INVALID, "The list title is missing.")
        template = int(body.get("BaseTemplate") or 100)
        if template not in (100, 101):
            raise SPError(400, _INVALID, f"The sandbox creates lists (100) and libraries (101), "
                                         f"not template {template}.")
        with self._lock:
            if self.store.get_list(title) is not None:
                raise SPError(500, "-2130575342, Microsoft.SharePoint.SPException",
                              "A list, survey, discussion board, or document library with the "
                              "specified title already exists in this Web site.  Please choose "
                              "another title.")
            lst = self.store.create_list(title, [FieldInfo("Title", "Text", "Title")], template)
            if template == 100:  # a custom list's Title is required; a library's is not
                self.store.set_field_props(lst.id, "Title", {"Required": True})
        return json_response(self._list_json(lst), 201)

    def _delete_list(self, lst: ListInfo) -> Response:
        self._require(PermissionKind.ManageLists)
        self.store.delete_list(lst.title)
        return Response(200)

    # ---- fields -----------------------------------------------------------------------------

    def _field_step(self, lst: ListInfo, seg: Segment, req: Request) -> tuple | None:
        """Service operations below ``…/fields``; None when ``seg`` is not one of them."""
        if seg.key == "createfieldasxml":
            return ("response", self._create_field_as_xml(lst, req))
        if seg.key == "addfield":
            return ("response", self._add_field(lst, req))
        if seg.key == "getbyid":
            return ("field", lst, self._field_by_id(lst, str(seg.arg("id"))))
        return None

    def _field_by_id(self, lst: ListInfo, field_id: str) -> FieldInfo:
        for f in it.system_fields() + lst.fields:
            if str(uuid.uuid5(uuid.NAMESPACE_URL, f"{lst.id}/{f.internal_name}")) == \
                    field_id.strip("{}").lower():
                return f
        raise SPError(404, "-2147024809, System.ArgumentException",
                      "Invalid field name. It may have been deleted by another user.")

    def _create_field_as_xml(self, lst: ListInfo, req: Request) -> Response:
        if req.method != "POST":
            raise SPError(405, _INVALID, "CreateFieldAsXml needs POST.")
        params = _json_body(req).get("parameters") or {}
        if (params.get("__metadata") or {}).get("type") != "SP.XmlSchemaFieldCreationInformation":
            raise SPError(400, _INVALID, "Expected SP.XmlSchemaFieldCreationInformation.")
        xml = str(params.get("SchemaXml") or "")
        try:
            node = ET.fromstring(xml)
        except ET.ParseError as exc:
            raise SPError(400, _SPEXC, f"The field schema XML is not valid: {exc}") from None
        if node.tag != "Field":
            raise SPError(400, _SPEXC, "The field schema XML must be a <Field> element.")
        a = node.attrib
        display = a.get("DisplayName") or a.get("Name") or ""
        hint = int(params.get("Options") or 0) & _INTERNAL_NAME_HINT
        name = (a.get("Name") or a.get("StaticName")) if hint else None
        choices = [c.text or "" for c in node.iter("CHOICE")]
        default = node.find("Default")
        props: dict[str, Any] = {
            "Required": _bool(a.get("Required")), "Indexed": _bool(a.get("Indexed")),
            "EnforceUniqueValues": _bool(a.get("EnforceUniqueValues")), "SchemaXml": xml,
        }
        if choices:
            props["Choices"] = choices
            props["FillInChoice"] = _bool(a.get("FillInChoice"))
        if default is not None and default.text is not None:
            props["DefaultValue"] = default.text
        if a.get("Type") == "DateTime":
            props["DisplayFormat"] = 0 if a.get("Format", "DateOnly") == "DateOnly" else 1
        f = self._new_field(lst, a.get("Type") or "", display, name, a.get("List"),
                            a.get("ShowField"), props)
        return json_response(self._field_json(lst, f), 201)

    def _add_field(self, lst: ListInfo, req: Request) -> Response:
        if req.method != "POST":
            raise SPError(405, _INVALID, "AddField needs POST.")
        params = _json_body(req).get("parameters") or {}
        if (params.get("__metadata") or {}).get("type") != "SP.FieldCreationInformation":
            raise SPError(400, _INVALID, "Expected SP.FieldCreationInformation.")
        return self._field_from_entity(lst, params)

    def _create_field_entity(self, lst: ListInfo, req: Request) -> Response:
        body = _json_body(req)
        if not str((body.get("__metadata") or {}).get("type", "")).startswith("SP.Field"):
            raise SPError(400, _INVALID, "A type named 'SP.Field' was expected for the payload.")
        return self._field_from_entity(lst, body)

    def _field_from_entity(self, lst: ListInfo, body: dict[str, Any]) -> Response:
        kind = body.get("FieldTypeKind")
        type_ = _KIND_TYPE.get(int(kind)) if isinstance(kind, (int, str)) and \
            str(kind).isdigit() else None
        choices = body.get("Choices")
        if isinstance(choices, dict):
            choices = choices.get("results")
        props: dict[str, Any] = {"Required": bool(body.get("Required", False))}
        if choices:
            props["Choices"] = [str(c) for c in choices]
        lookup_list = body.get("LookupListId") or body.get("LookupList")
        f = self._new_field(lst, type_ or "", str(body.get("Title") or ""), None,
                            str(lookup_list) if lookup_list else None,
                            body.get("LookupFieldName") or body.get("LookupField"), props)
        return json_response(self._field_json(lst, f), 201)

    def _new_field(self, lst: ListInfo, type_: str, display: str, name: str | None,
                   lookup_list_id: str | None, show_field: str | None,
                   props: dict[str, Any]) -> FieldInfo:
        """Validate and store one new column, as SharePoint would."""
        self._require(PermissionKind.ManageLists)
        if type_ not in _CREATABLE:
            raise SPError(400, _SPEXC, f"Field type '{type_}' is not supported.")
        if not display:
            raise SPError(400, _SPEXC, "The field needs a display name.")
        if props.get("EnforceUniqueValues") and not props.get("Indexed"):
            raise SPError(400, _SPEXC, "The field must be indexed to enforce unique values.")
        lookup_title = None
        if type_ == "Lookup":
            target = self.store.get_list_by_id(str(lookup_list_id or "").strip("{}")) \
                if lookup_list_id else None
            if target is None:
                raise SPError(400, _SPEXC, "The lookup list of the field does not exist.")
            show = show_field or "Title"
            if target.field(show) is None:
                raise SPError(400, _SPEXC, f"The show field '{show}' does not exist in the "
                                           f"list '{target.title}'.")
            lookup_title, show_field = target.title, target.field(show).internal_name  # type: ignore[union-attr]
        with self._lock:
            current = self.store.get_list_by_id(lst.id)
            assert current is not None
            taken = {f.internal_name.lower() for f in current.fields + it.system_fields()}
            if name:
                if name.lower() in taken:
                    raise SPError(500, "-2130575340, Microsoft.SharePoint.SPException",
                                  f'A duplicate field name "{name}" was found.')
            else:
                base, n = _internal_name(display), 0
                name = base
                while name.lower() in taken:  # SharePoint appends a digit
                    name, n = f"{base[:31]}{n}", n + 1
            info = FieldInfo(name, type_, display, lookup_title,
                             show_field if type_ == "Lookup" else None)
            self.store.add_field(lst.id, info)
            self.store.set_field_props(lst.id, name, props)
        return info

    def _merge_field(self, lst: ListInfo, f: FieldInfo, req: Request) -> Response:
        self._require(PermissionKind.ManageLists)
        body = _json_body(req)
        etype = str((body.pop("__metadata", None) or {}).get("type", ""))
        if not etype.startswith("SP.Field"):
            raise SPError(400, _INVALID, "A type name was not provided for the payload.")
        allowed = _FIELD_WRITABLE | ({"Choices"} if etype in _CHOICE_TYPES else set())
        unknown = sorted(set(body) - allowed)
        if unknown:
            raise SPError(400, _INVALID, f"The property '{unknown[0]}' does not exist on type "
                                         f"'{etype}'.")
        props = dict(body)
        if isinstance(props.get("Choices"), dict):
            props["Choices"] = list(props["Choices"].get("results") or [])
        current = self.store.field_props(lst.id).get(f.internal_name.lower(), {})
        if props.get("EnforceUniqueValues") and not props.get("Indexed", current.get("Indexed")):
            raise SPError(400, _SPEXC, "The field must be indexed to enforce unique values.")
        if props.get("Indexed") is False and current.get("EnforceUniqueValues"):
            raise SPError(400, _SPEXC, "The index is needed to enforce unique values.")
        self.store.set_field_props(lst.id, f.internal_name, props)
        return Response(204)


def _json_body(req: Request) -> dict[str, Any]:
    try:
        payload = json.loads(req.body or b"{}")
    except ValueError:
        raise SPError(400, _INVALID, "Invalid JSON. The request body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise SPError(400, _INVALID, "Invalid JSON. An object was expected.")
    return payload
