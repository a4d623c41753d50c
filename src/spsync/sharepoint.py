"""The SharePoint gateway: the only module that talks to office365-REST-Python-Client.

It works around the library's known pitfalls (../shared/reference/sharepoint-wire.md §3-§5, §10):
reads page with ``.top(N).get_all(dedupe_by="Id")`` (never ``page_size``, which loops on list
items) behind a page-count guard; ETags are taken from the raw responses (the library drops
``__metadata``); writes preset the entity type so N updates go into one ``$batch`` instead of
N+1, and carry the item's own ETag in ``If-Match`` instead of the library's ``*``.
Library errors are translated into :mod:`spsync.exceptions` here, at the boundary.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import requests
from office365.sharepoint.client_context import ClientContext

from spsync import __version__
from spsync.exceptions import (
    GatewayError,
    GatewayUnavailable,
    ItemNotFound,
    ListNotFound,
    PreconditionFailed,
    Throttled,
)
from spsync.gateway import Item, ItemUpdate, ListInfo, UploadedFile, WriteOutcome
from spsync.gateway import FieldDescription, ListDescription, SiteDescription

__all__ = ["SharePointGateway", "permission_kinds"]

log = logging.getLogger(__name__)

_ITEM_URL = re.compile(r"items(?:/GetById\(|\()(\d+)\)", re.IGNORECASE)


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


def translate(exc: BaseException, *, list_title: str | None = None,
              item_id: int | None = None) -> GatewayError:
    """Map a library/requests exception onto spsync's tree (httpx ``map_exceptions`` style)."""
    if isinstance(exc, GatewayError):
        return exc
    status = _status(exc)
    text = str(exc)[:300]
    if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
        return GatewayUnavailable(f"SharePoint is niet bereikbaar: {text}", status=None)
    if status == 404 and item_id is not None:
        return ItemNotFound(f"Item {item_id} bestaat niet in lijst '{list_title}'.",
                            status=404, list_title=list_title, item_id=item_id)
    if status == 404 and list_title is not None:
        return ListNotFound(f"Lijst '{list_title}' bestaat niet op de site.", status=404,
                            list_title=list_title)
    if status == 412:
        return PreconditionFailed(f"Item {item_id} is intussen gewijzigd.", status=412,
                                  item_id=item_id)
    if status in (429, 503):
        retry_after = getattr(getattr(exc, "response", None), "headers", {}).get("Retry-After")
        return Throttled(f"SharePoint beperkt het aantal verzoeken ({status}).", status=status,
                         retry_after=retry_after)
    return GatewayError(f"SharePoint-fout{f' {status}' if status else ''}: {text}", status=status)


class SharePointGateway:
    """A :class:`spsync.gateway.Gateway` over office365-REST-Python-Client.

    ``token`` is a callable returning a token dict (see :mod:`spsync.auth`); the gateway reads
    no config of its own, so tests hand it the sandbox URL.
    """

    def __init__(self, site_url: str, token: Callable[[], dict[str, Any]], *,
                 user_agent_org: str = "SWV", timeout: tuple[float, float] = (10.0, 60.0),
                 page_size: int = 5000, batch_size: int = 100, max_retries: int = 5) -> None:
        self.site_url = site_url.rstrip("/")
        self.page_size = page_size
        self.batch_size = batch_size
        self.max_retries = max_retries
        session = requests.Session()
        # SharePoint's throttling guidance: identify the app (NONISV|org|app/version).
        session.headers["User-Agent"] = f"NONISV|{user_agent_org}|spsync/{__version__}"
        self._session = session
        self._token = token
        self._timeout = timeout
        self._ctx = self._new_context()

    def _new_context(self) -> ClientContext:
        return (ClientContext(self.site_url).with_access_token(self._token)
                .with_transport(session=self._session, timeout=self._timeout))

    def _failed(self, exc: BaseException, **where: Any) -> GatewayError:
        """Translate ``exc`` and start a fresh context: a failed execute leaves queries queued
        (and ``ctx.clear()`` would drop the auth, sharepoint-wire.md §5)."""
        self._ctx = self._new_context()
        return translate(exc, **where)

    def close(self) -> None:
        self._session.close()

    # -- hooks ---------------------------------------------------------------------------
    @contextmanager
    def _capture_etags(self) -> Iterator[dict[int, str]]:
        """Collect ``__metadata.etag`` per item ID from every raw JSON response in scope."""
        found: dict[int, str] = {}

        def _collect(response: requests.Response) -> None:
            if "json" not in response.headers.get("Content-Type", ""):
                return
            try:
                rows = response.json().get("d", {}).get("results", [])
            except ValueError:
                return
            for row in rows if isinstance(rows, list) else []:
                meta = row.get("__metadata") or {}
                if "Id" in row and "etag" in meta:
                    found[int(row["Id"])] = meta["etag"]

        request = self._ctx.pending_request()
        request.afterExecute += _collect
        try:
            yield found
        finally:
            request.afterExecute -= _collect

    @contextmanager
    def _if_match(self, etags: dict[int, str]) -> Iterator[None]:
        """Put each item's own ETag in ``If-Match`` on its MERGE (the library sends ``*``)."""

        def _apply(request: Any) -> None:
            if request.headers.get("X-HTTP-Method") != "MERGE":
                return
            match = _ITEM_URL.search(request.url)
            if match and int(match.group(1)) in etags:
                request.set_header("IF-MATCH", etags[int(match.group(1))])

        request = self._ctx.pending_request()
        request.beforeExecute += _apply
        try:
            yield
        finally:
            request.beforeExecute -= _apply

    # -- contract ------------------------------------------------------------------------
    def describe_lists(self, titles: Sequence[str]) -> dict[str, ListInfo | None]:
        """Metadata and fields of all lists in one ``$batch`` request."""
        ctx = self._ctx
        loaded = []
        for title in titles:
            lst = ctx.web.lists.get_by_title(title)
            lst.select(["Id", "Title", "ListItemEntityTypeFullName", "ItemCount"]).get()
            fields = lst.fields.select(["InternalName", "TypeAsString"]).get()
            loaded.append((title, lst, fields))
        try:
            with ctx.collect_batch_failures() as failures:
                ctx.execute_batch(items_per_batch=self.batch_size)
        except Exception as exc:  # noqa: BLE001 - translated
            raise self._failed(exc) from exc
        other = [exc for _, exc in failures if _status(exc) != 404]
        if other:
            raise translate(other[0])
        result: dict[str, ListInfo | None] = {}
        for title, lst, fields in loaded:
            props = lst.properties
            if "Id" not in props or "ListItemEntityTypeFullName" not in props:
                result[title] = None
                continue
            result[title] = ListInfo(
                title=title, id=str(props["Id"]), entity_type=props["ListItemEntityTypeFullName"],
                item_count=int(props.get("ItemCount") or 0),
                fields={f.properties["InternalName"]: f.properties.get("TypeAsString", "")
                        for f in fields},
            )
        return result

    def read_items(self, info: ListInfo, select: Sequence[str], expand: Sequence[str] = ()
                   ) -> list[Item]:
        """All items, each once; guarded against runaway paging."""
        ctx = self._ctx
        columns = ["Id", *[c for c in select if c != "Id"]]
        collection = ctx.web.lists.get_by_title(info.title).items.select(columns)
        if expand:
            collection = collection.expand(list(expand))
        # Pages expected from the list's ItemCount; a few spare for items added meanwhile.
        max_pages = math.ceil(max(info.item_count, 1) / self.page_size) + 5
        pages = 0

        def _guard(_progress: Any) -> None:
            nonlocal pages
            pages += 1
            if pages > max_pages:
                raise GatewayError(f"Lezen van '{info.title}' stopt na {pages} pagina's: "
                                   "de server blijft pagina's sturen.", status=None)

        collection.top(self.page_size).get_all(progress=_guard, dedupe_by="Id")
        try:
            with self._capture_etags() as etags:
                ctx.execute_query_with_incremental_retry(max_retry=self.max_retries)
        except Exception as exc:  # noqa: BLE001 - translated
            raise self._failed(exc, list_title=info.title) from exc
        items = []
        # Index what was loaded: iterating a paged collection may fetch more pages on its own
        # (sharepoint-wire.md, addendum 4), outside the guard and the retry above.
        for index in range(len(collection)):
            props = dict(collection[index].properties)
            props.pop("ParentList", None)
            item_id = int(props["Id"])
            items.append(Item(id=item_id, etag=etags.get(item_id), values=props))
        log.info("Gelezen: %s, %d items in %d pagina('s)", info.title, len(items), pages)
        return items

    def update_items(self, info: ListInfo, updates: Sequence[ItemUpdate]) -> WriteOutcome:
        """MERGE all updates, ``batch_size`` per ``$batch``, each under its own If-Match."""
        outcome = WriteOutcome()
        if not updates:
            return outcome
        ctx = self._ctx
        lst = ctx.web.lists.get_by_title(info.title)
        query_item: dict[int, int] = {}
        for update in updates:
            item = lst.items.get_by_id(update.id)
            # Preset the entity type: avoids a ParentList GET and a batch barrier per item
            # (sharepoint-wire.md §5). Private attribute: the library version is pinned (~=3.3.0)
            # and tests/test_gateway.py asserts all MERGEs travel in one $batch.
            item._entity_type_name = info.entity_type  # noqa: SLF001
            for name, value in update.changes.items():
                item.set_property(name, value)
            item.update()
            query_item[id(ctx.last_query)] = update.id
        etags = {u.id: u.etag for u in updates if u.etag}
        try:
            with self._if_match(etags), ctx.collect_batch_failures() as failures:
                ctx.execute_batch(items_per_batch=self.batch_size)
        except Exception as exc:  # noqa: BLE001 - translated
            raise self._failed(exc, list_title=info.title) from exc
        failed_ids = set()
        for query, exc in failures:
            item_id = query_item.get(id(query))
            if item_id is None:
                raise translate(exc, list_title=info.title)
            failed_ids.add(item_id)
            if _status(exc) == 412:
                outcome.conflicts.append(item_id)
            else:
                outcome.failed[item_id] = str(translate(exc, list_title=info.title,
                                                        item_id=item_id))
        outcome.written = [u.id for u in updates if u.id not in failed_ids]
        return outcome

    def upload_file(self, library: ListInfo, name: str, content: bytes,
                    metadata: Mapping[str, Any] | None = None) -> UploadedFile:
        """Simple upload into the library's root folder; verifies the stored length, then sets
        the file's own columns (only those the library has)."""
        ctx = self._ctx
        folder = ctx.web.lists.get_by_title(library.title).root_folder
        try:
            uploaded = folder.upload_file(name, content)
            ctx.execute_query_with_incremental_retry(max_retry=self.max_retries)
        except Exception as exc:  # noqa: BLE001 - translated
            raise self._failed(exc, list_title=library.title) from exc
        length = int(uploaded.properties.get("Length") or 0)
        url = uploaded.properties.get("ServerRelativeUrl", name)
        if length != len(content):
            raise GatewayError(f"Upload van '{name}' is onvolledig: {length} van "
                               f"{len(content)} bytes opgeslagen.", status=None)
        fields = {k: v for k, v in (metadata or {}).items() if k in library.fields}
        if fields:
            item = uploaded.listItemAllFields
            item._entity_type_name = library.entity_type  # noqa: SLF001 - see update_items
            for key, value in fields.items():
                item.set_property(key, value)
            try:
                item.update()
                ctx.execute_query_with_incremental_retry(max_retry=self.max_retries)
            except Exception as exc:  # noqa: BLE001 - translated
                raise self._failed(exc, list_title=library.title) from exc
        return UploadedFile(server_relative_url=url, length=length)

    # -- site administration (spsync.gateway.SiteAdmin) ---------------------------------
    def describe_site(self, titles: Sequence[str]) -> SiteDescription:
        """The web's permissions and each list with all its columns, in one ``$batch``.

        Fields are read without ``$select``: type-specific properties (``Choices``,
        ``LookupList``) exist only on the derived field types."""
        ctx = self._ctx
        web = ctx.web
        web.select(["Url", "EffectiveBasePermissions"]).get()
        loaded = []
        for title in titles:
            lst = ctx.web.lists.get_by_title(title)
            lst.select(["Id", "Title", "BaseTemplate", "EffectiveBasePermissions"]).get()
            loaded.append((title, lst, lst.fields.get()))
        try:
            with ctx.collect_batch_failures() as failures:
                ctx.execute_batch(items_per_batch=self.batch_size)
        except Exception as exc:  # noqa: BLE001 - translated
            raise self._failed(exc) from exc
        other = [exc for _, exc in failures if _status(exc) != 404]
        if other:
            raise self._failed(other[0]) from other[0]
        lists: dict[str, ListDescription | None] = {}
        for title, lst, fields in loaded:
            props = lst.properties
            if "Id" not in props:
                lists[title] = None
                continue
            described = [_field_description(f.properties) for f in fields]
            lists[title] = ListDescription(
                title=title, id=str(props["Id"]), base_template=int(props.get("BaseTemplate") or 0),
                fields={f.internal_name: f for f in described},
                permissions=permission_kinds(props.get("EffectiveBasePermissions")))
        return SiteDescription(url=str(web.properties.get("Url") or self.site_url), lists=lists,
                               permissions=permission_kinds(
                                   web.properties.get("EffectiveBasePermissions")))

    def create_list(self, title: str, *, library: bool = False, description: str = ""
                    ) -> ListDescription:
        """``lists.add`` with ListCreationInformation (BaseTemplate 100, or 101 for a library).

        Not retried: a create that timed out may still have happened; a rerun of provision
        plans from what the site then has."""
        from office365.sharepoint.lists.creation_information import ListCreationInformation
        from office365.sharepoint.lists.templates.type import ListTemplateType

        template = ListTemplateType.DocumentLibrary if library else ListTemplateType.GenericList
        ctx = self._ctx
        try:
            created = ctx.web.lists.add(ListCreationInformation(title, description or None,
                                                                template))
            ctx.execute_query()
        except Exception as exc:  # noqa: BLE001 - translated
            raise self._failed(exc) from exc
        props = created.properties
        return ListDescription(title=str(props.get("Title") or title), id=str(props.get("Id")),
                               base_template=int(props.get("BaseTemplate") or int(template)),
                               fields={})

    def create_field(self, list_title: str, schema_xml: str) -> FieldDescription:
        """``fields/CreateFieldAsXml`` with AddFieldInternalNameHint (the internal name is the
        XML's ``Name``, not derived from the display name) and AddFieldToDefaultView."""
        from office365.runtime.queries.service_operation import ServiceOperationQuery
        from office365.sharepoint.fields.add_field_options import AddFieldOptions
        from office365.sharepoint.fields.field import Field
        from office365.sharepoint.fields.xmlSchemaFieldCreationInformation import (
            XmlSchemaFieldCreationInformation,
        )

        ctx = self._ctx
        fields = ctx.web.lists.get_by_title(list_title).fields
        options = AddFieldOptions.AddFieldInternalNameHint | AddFieldOptions.AddFieldToDefaultView
        created = Field(ctx)
        fields.add_child(created)
        payload = {"parameters": XmlSchemaFieldCreationInformation(schema_xml, int(options))}
        ctx.add_query(ServiceOperationQuery(fields, "CreateFieldAsXml", None, payload, None,
                                            created))
        try:
            ctx.execute_query()
        except Exception as exc:  # noqa: BLE001 - translated
            raise self._failed(exc, list_title=list_title) from exc
        return _field_description(created.properties)

    def set_field_indexed(self, list_title: str, internal_name: str, indexed: bool = True
                          ) -> None:
        """MERGE ``Indexed`` on the field (SharePoint refuses this above 20,000 items)."""
        ctx = self._ctx
        target = ctx.web.lists.get_by_title(list_title).fields \
            .get_by_internal_name_or_title(internal_name)
        target.set_property("Indexed", indexed)
        try:
            target.update()
            ctx.execute_query()
        except Exception as exc:  # noqa: BLE001 - translated
            raise self._failed(exc, list_title=list_title) from exc

    def set_field_choices(self, list_title: str, internal_name: str, choices: Sequence[str]
                          ) -> None:
        """MERGE ``Choices`` on the field, typed ``SP.FieldChoice`` (the property does not
        exist on ``SP.Field``)."""
        from office365.runtime.types.collections import StringCollection
        from office365.sharepoint.fields.choice import FieldChoice

        ctx = self._ctx
        target = ctx.web.lists.get_by_title(list_title).fields \
            .get_by_internal_name_or_title(internal_name, FieldChoice)
        target.set_property("Choices", StringCollection(list(choices)))
        try:
            target.update()
            ctx.execute_query()
        except Exception as exc:  # noqa: BLE001 - translated
            raise self._failed(exc, list_title=list_title) from exc


def permission_kinds(value: Any) -> frozenset[int] | None:
    """The ``SP.PermissionKind`` numbers set in an ``SP.BasePermissions`` value (High/Low as
    the library's object or as the raw dict); None when there is no value."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        high, low = value.get("High"), value.get("Low")
    else:
        high, low = getattr(value, "High", None), getattr(value, "Low", None)
    if high is None and low is None:
        return None
    mask = (int(high or 0) << 32) | int(low or 0)
    return frozenset(k for k in range(1, 65) if mask >> (k - 1) & 1)


def _strings(value: Any) -> tuple[str, ...]:
    """A ``Collection(Edm.String)`` as the library leaves it (list, StringCollection, dict)."""
    if value is None:
        return ()
    if isinstance(value, Mapping):
        value = value.get("results") or []
    if not isinstance(value, (list, tuple)):
        value = list(getattr(value, "_data", None) or getattr(value, "items", None) or value)
    return tuple(str(v) for v in value)


def _field_description(props: Mapping[str, Any]) -> FieldDescription:
    lookup = props.get("LookupList")
    return FieldDescription(
        internal_name=str(props.get("InternalName") or ""),
        type=str(props.get("TypeAsString") or ""),
        title=str(props.get("Title") or ""),
        indexed=bool(props.get("Indexed", False)),
        required=bool(props.get("Required", False)),
        unique=bool(props.get("EnforceUniqueValues", False)),
        lookup_list=str(lookup).strip("{}").lower() if lookup else None,
        lookup_field=props.get("LookupField") or None,
        choices=_strings(props.get("Choices")),
    )
