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
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, unquote, urlencode

import requests
from office365.runtime.http.request_options import RequestOptions
from office365.runtime.retry import TRANSIENT_STATUS_CODES, response_retry_after
from office365.sharepoint.changes.query import ChangeQuery
from office365.sharepoint.changes.token import ChangeToken
from office365.sharepoint.client_context import ClientContext

from spsync import __version__
from spsync.exceptions import (
    ChangeTokenExpired,
    GatewayError,
    GatewayUnavailable,
    ItemNotFound,
    ListNotFound,
    PreconditionFailed,
    Throttled,
)
from spsync.gateway import ChangeSet, Item, ItemUpdate, ListInfo, UploadedFile, WriteOutcome

__all__ = ["SharePointGateway", "id_filters", "CHANGE_FETCH_LIMIT", "IDS_PER_FILTER"]

log = logging.getLogger(__name__)

_ITEM_URL = re.compile(r"items(?:/GetById\(|\()(\d+)\)", re.IGNORECASE)
_LIST_TITLE = re.compile(r"GetByTitle\('((?:[^']|'')*)'\)", re.IGNORECASE)
#: Statuses worth another try (the library's own "transient" set).
_TRANSIENT = frozenset({408, 429, 500, 502, 503, 504})


#: Change numbers SharePoint hands out per getChanges call (its default FetchLimit).
CHANGE_FETCH_LIMIT = 1000
#: Ids per ``$filter`` of a re-read: keeps the URL short and the query simple for SharePoint.
IDS_PER_FILTER = 50
#: ChangeType values that remove an item from the list (DeleteObject, MoveAway).
_REMOVED = frozenset({3, 5})
#: HRESULTs of "token older than the change log" and "token of another object".
_TOKEN_ERRORS = ("-2130575172", "-2130575173")


#: The longest Retry-After a getChanges retry waits out, and the longest back-off without one.
_CHANGES_MAX_RETRY_AFTER_S, _CHANGES_MAX_BACKOFF_S = 120.0, 10.0


def _change_retry_delay(exc: BaseException, attempt: int) -> float:
    """Retry-After (capped), else 0.5 s doubling up to 10 s: the gateway's read policy."""
    retry_after = response_retry_after(getattr(exc, "response", None))
    if retry_after is not None:
        return float(min(retry_after, _CHANGES_MAX_RETRY_AFTER_S))
    return min(0.5 * 2 ** (attempt - 1), _CHANGES_MAX_BACKOFF_S)


def _change_query(token: str) -> ChangeQuery:
    """Item adds, updates, deletes and restores after ``token``, a page of CHANGE_FETCH_LIMIT."""
    return ChangeQuery(Item=True, Add=True, Update=True, DeleteObject=True, Restore=True,
                       ChangeTokenStart=ChangeToken(token),
                       FetchLimit=CHANGE_FETCH_LIMIT)  # type: ignore[arg-type]


def _is_token_error(exc: BaseException) -> bool:
    """SharePoint's "token older than the change log" / "token of another object"."""
    code, message = _sp_error(exc)
    return code.startswith(_TOKEN_ERRORS) or "change log" in message.lower()


def _expired(info: ListInfo, exc: BaseException) -> ChangeTokenExpired:
    return ChangeTokenExpired(f"Het wijzigingstoken van '{info.title}' is verlopen; de lijst "
                              "wordt volledig gelezen.", status=_status(exc),
                              list_title=info.title)


def _token_string(value: Any) -> str | None:
    """``StringValue`` of a ChangeToken as the library hands it out (object or dict)."""
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get("StringValue") or None
    return getattr(value, "StringValue", None) or None


def _sp_error(exc: BaseException) -> tuple[str, str]:
    """(code, message) of a SharePoint error response, empty strings when there is none."""
    response = getattr(exc, "response", None)
    try:
        error = response.json().get("error", {})  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - no JSON body
        return "", ""
    message = error.get("message")
    if isinstance(message, dict):
        message = message.get("value")
    return str(error.get("code") or ""), str(message or "")


def id_filters(ids: Sequence[int], per_filter: int = IDS_PER_FILTER) -> list[str]:
    """``$filter`` expressions that together select exactly ``ids``: runs of three or more
    consecutive ids as one range, the rest as ``Id eq n``, at most ``per_filter`` terms each."""
    terms: list[str] = []
    ordered = sorted(set(ids))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        if j - i >= 2:
            terms.append(f"(Id ge {ordered[i]} and Id le {ordered[j]})")
        else:
            terms += [f"Id eq {n}" for n in ordered[i:j + 1]]
        i = j + 1
    return [" or ".join(terms[k:k + per_filter]) for k in range(0, len(terms), per_filter)]


def _odata_quote(text: str) -> str:
    """A string literal inside an OData path: single quotes doubled."""
    return text.replace("'", "''")


def _retry_delay(exc: BaseException, attempt: int) -> float:
    """Seconds to wait: the server's Retry-After when it gives one, else 2^attempt."""
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    try:
        return max(0.0, float(headers.get("Retry-After", "")))
    except ValueError:
        return float(2 ** attempt)


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
    def _if_match(self, etags: dict[tuple[str, int], str]) -> Iterator[None]:
        """Put each item's own ETag in ``If-Match`` on its MERGE (the library sends ``*``).

        Keyed by (list title, item id): a mixed batch may hold item 4 of two lists."""

        def _apply(request: Any) -> None:
            if request.headers.get("X-HTTP-Method") != "MERGE":
                return
            match = _ITEM_URL.search(request.url)
            title = _LIST_TITLE.search(unquote(request.url))
            if match and title:
                etag = etags.get((title.group(1).replace("''", "'"), int(match.group(1))))
                if etag:
                    request.set_header("IF-MATCH", etag)

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
            lst.select(["Id", "Title", "ListItemEntityTypeFullName", "ItemCount",
                        "CurrentChangeToken"]).get()
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
                change_token=_token_string(props.get("CurrentChangeToken")),
            )
        return result

    def read_items(self, info: ListInfo, select: Sequence[str], expand: Sequence[str] = ()
                   ) -> list[Item]:
        """All items, each once; pages streamed as raw JSON, guarded against runaway paging.

        The pages go through the library's request pipeline (auth, transport, User-Agent) but
        are decoded once, straight into plain dicts: building the library's object graph for
        100,000 bookings was 75 % of a cycle (S6), and the ETags are in the same JSON.
        """
        columns = ["Id", *[c for c in select if c != "Id"]]
        query = {"$select": ",".join(columns), "$top": str(self.page_size)}
        if expand:
            query["$expand"] = ",".join(expand)
        url = (f"{self.site_url}/_api/Web/lists/GetByTitle('{_odata_quote(info.title)}')/items?"
               + urlencode(query, safe="$,/'()"))
        # Pages expected from the list's ItemCount; a few spare for items added meanwhile.
        max_pages = math.ceil(max(info.item_count, 1) / self.page_size) + 5
        pages, seen = 0, set()
        items: list[Item] = []
        next_url: str | None = url
        while next_url:
            pages += 1
            if pages > max_pages:
                raise GatewayError(f"Lezen van '{info.title}' stopt na {pages - 1} pagina's: "
                                   "de server blijft pagina's sturen.", status=None)
            body = self._get_json(next_url, list_title=info.title).get("d", {})
            for row in body.get("results", []):
                meta = row.pop("__metadata", None) or {}
                item_id = int(row["Id"])
                if item_id in seen:
                    continue
                seen.add(item_id)
                items.append(Item(id=item_id, etag=meta.get("etag"), values=row))
            next_url = body.get("__next")
        log.info("Gelezen: %s, %d items in %d pagina('s)", info.title, len(items), pages)
        return items

    def _get_json(self, url: str, *, list_title: str | None = None) -> dict[str, Any]:
        """GET ``url`` through the library's pipeline; retry 429/503 as the library would
        (Retry-After, else exponential back-off), ``max_retries`` times."""
        attempt = 0
        while True:
            options = RequestOptions(url)
            options.set_header("Accept", "application/json;odata=verbose")
            try:
                response = self._ctx.pending_request().execute_request_direct(options)
                return response.json()
            except Exception as exc:  # noqa: BLE001 - translated
                status = _status(exc)
                if status not in _TRANSIENT or attempt >= self.max_retries:
                    raise self._failed(exc, list_title=list_title) from exc
                attempt += 1
                delay = _retry_delay(exc, attempt)
                log.info("SharePoint antwoordde %s op het lezen van '%s'; opnieuw over %.1f s "
                         "(poging %d van %d).", status, list_title, delay, attempt,
                         self.max_retries)
                time.sleep(delay)

    def update_items(self, info: ListInfo, updates: Sequence[ItemUpdate]) -> WriteOutcome:
        """MERGE all updates of one list (see :meth:`update_lists`)."""
        return self.update_lists([(info, updates)]).get(info.title, WriteOutcome())

    def update_lists(self, plans: Sequence[tuple[ListInfo, Sequence[ItemUpdate]]]
                     ) -> dict[str, WriteOutcome]:
        """MERGE the updates of several lists in shared ``$batch`` requests (``batch_size``
        parts each, lists mixed), each item under its own If-Match; outcome per list title."""
        outcomes = {info.title: WriteOutcome() for info, updates in plans if updates}
        if not outcomes:
            return outcomes
        ctx = self._ctx
        query_item: dict[int, tuple[str, int]] = {}
        etags: dict[tuple[str, int], str] = {}
        for info, updates in plans:
            lst = ctx.web.lists.get_by_title(info.title)
            for update in updates:
                item = lst.items.get_by_id(update.id)
                # Preset the entity type: avoids a ParentList GET and a batch barrier per item
                # (sharepoint-wire.md §5). Private attribute: the library version is pinned
                # (~=3.3.0) and tests/test_gateway.py asserts all MERGEs travel in one $batch.
                item._entity_type_name = info.entity_type  # noqa: SLF001
                for name, value in update.changes.items():
                    item.set_property(name, value)
                item.update()
                query_item[id(ctx.last_query)] = (info.title, update.id)
                if update.etag:
                    etags[(info.title, update.id)] = update.etag
        try:
            with self._if_match(etags), ctx.collect_batch_failures() as failures:
                ctx.execute_batch(items_per_batch=self.batch_size)
        except Exception as exc:  # noqa: BLE001 - translated
            raise self._failed(exc) from exc
        failed: set[tuple[str, int]] = set()
        for query, exc in failures:
            where = query_item.get(id(query))
            if where is None:
                raise translate(exc)
            title, item_id = where
            failed.add(where)
            if _status(exc) == 412:
                outcomes[title].conflicts.append(item_id)
            else:
                outcomes[title].failed[item_id] = str(translate(exc, list_title=title,
                                                                item_id=item_id))
        for info, updates in plans:
            if updates:
                outcomes[info.title].written = [u.id for u in updates
                                                if (info.title, u.id) not in failed]
        return outcomes

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

    # -- change tokens (S6) ---------------------------------------------------------------
    def current_change_tokens(self, infos: Sequence[ListInfo]) -> dict[str, str]:
        """Each list's ``CurrentChangeToken`` in one ``$batch`` (``describe_lists`` already
        carries it in ``ListInfo.change_token``; this is for a token alone)."""
        ctx = self._ctx
        loaded = []
        for info in infos:
            lst = ctx.web.lists.get_by_title(info.title)
            lst.select(["CurrentChangeToken"]).get()
            loaded.append((info.title, lst))
        if not loaded:
            return {}
        try:
            with ctx.collect_batch_failures() as failures:
                ctx.execute_batch(items_per_batch=self.batch_size)
        except Exception as exc:  # noqa: BLE001 - translated
            raise self._failed(exc) from exc
        other = [exc for _, exc in failures if _status(exc) != 404]
        if other:
            raise translate(other[0])
        tokens = {title: _token_string(lst.properties.get("CurrentChangeToken"))
                  for title, lst in loaded}
        return {title: token for title, token in tokens.items() if token}

    def get_changes(self, info: ListInfo, since_token: str) -> ChangeSet:
        """Item changes after ``since_token`` through the library's ``getChanges`` (an
        ``SP.ChangeQuery`` with a ``ChangeToken`` object, as SharePoint needs), page after
        page of ``CHANGE_FETCH_LIMIT`` until a short one. Later changes of an item win: a
        delete drops it from the re-reads, a restore puts it back."""
        return self._follow_changes(info, since_token, self._changes_page(info, since_token))

    def _follow_changes(self, info: ListInfo, since_token: str, page: list[Any]) -> ChangeSet:
        """Fold ``page`` (the first) and every further page into one ChangeSet."""
        changed: set[int] = set()
        deleted: set[int] = set()
        token, pages = since_token, 1
        while True:
            for change in page:
                item_id = change.properties.get("ItemId")
                if item_id is None:
                    continue
                kind = change.properties.get("ChangeType")
                kind = getattr(kind, "value", kind)
                if int(kind or 0) in _REMOVED:
                    deleted.add(int(item_id))
                    changed.discard(int(item_id))
                else:
                    changed.add(int(item_id))
                    deleted.discard(int(item_id))
            last = _token_string(page[-1].properties.get("ChangeToken")) if page else None
            if len(page) < CHANGE_FETCH_LIMIT or last is None or last == token:
                token = last or token
                break
            token = last
            pages += 1
            if pages > 10_000:
                raise GatewayError(f"Wijzigingen van '{info.title}' blijven komen na "
                                   f"{pages - 1} pagina's; spsync leest de lijst volledig.",
                                   status=None)
            page = self._changes_page(info, token)
        log.info("Wijzigingen: %s, %d gewijzigd/nieuw, %d verwijderd", info.title, len(changed),
                 len(deleted))
        return ChangeSet(frozenset(changed), frozenset(deleted), token)

    def _changes_page(self, info: ListInfo, token: str) -> list[Any]:
        """One getChanges call, retried on 429/503 and friends like :meth:`_get_json`."""
        attempt = 0
        while True:
            ctx = self._ctx
            changes = ctx.web.lists.get_by_title(info.title).get_changes(_change_query(token))
            try:
                ctx.execute_query()
                return list(changes)
            except Exception as exc:  # noqa: BLE001 - translated
                if _is_token_error(exc):
                    self._ctx = self._new_context()
                    raise _expired(info, exc) from exc
                status = _status(exc)
                transient = status in TRANSIENT_STATUS_CODES or status is None and isinstance(
                    exc, (requests.ConnectionError, requests.Timeout))
                if not transient or attempt >= self.max_retries:
                    raise self._failed(exc, list_title=info.title) from exc
                self._ctx = self._new_context()
                attempt += 1
                delay = _change_retry_delay(exc, attempt)
                log.info("SharePoint antwoordde %s op de wijzigingen van '%s'; opnieuw over "
                         "%.1f s (poging %d van %d).", status, info.title, delay, attempt,
                         self.max_retries)
                time.sleep(delay)

    def read_items_by_id(self, info: ListInfo, ids: Sequence[int], select: Sequence[str],
                         expand: Sequence[str] = ()) -> list[Item]:
        """Re-read only ``ids`` with ``$filter`` on the (indexed) Id, ranges where the ids
        run on; raw JSON pages like :meth:`read_items`. Items deleted meanwhile are absent."""
        columns = ["Id", *[c for c in select if c != "Id"]]
        base = f"{self.site_url}/_api/Web/lists/GetByTitle('{_odata_quote(info.title)}')/items?"
        items: list[Item] = []
        seen: set[int] = set()
        wanted = set(ids)
        for flt in id_filters(ids):
            query = {"$select": ",".join(columns), "$filter": flt, "$top": str(self.page_size)}
            if expand:
                query["$expand"] = ",".join(expand)
            next_url: str | None = base + urlencode(query, safe="$,/'()", quote_via=quote)
            pages = 0
            while next_url:
                pages += 1
                if pages > math.ceil(len(wanted) / self.page_size) + 5:
                    raise GatewayError(f"Herlezen van '{info.title}' stopt na {pages - 1} "
                                       "pagina's: de server blijft pagina's sturen.", status=None)
                body = self._get_json(next_url, list_title=info.title).get("d", {})
                for row in body.get("results", []):
                    meta = row.pop("__metadata", None) or {}
                    item_id = int(row["Id"])
                    if item_id in seen or item_id not in wanted:
                        continue
                    seen.add(item_id)
                    items.append(Item(id=item_id, etag=meta.get("etag"), values=row))
                next_url = body.get("__next")
        return items
