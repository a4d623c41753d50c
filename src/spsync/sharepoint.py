"""The SharePoint gateway: the only module that talks to office365-REST-Python-Client.

It works around the library's known pitfalls (../shared/reference/sharepoint-wire.md §3-§5, §10):
reads page with ``.top(N).get_all(dedupe_by="Id")`` (never ``page_size``, which loops on list
items) behind a page-count guard; ETags are taken from the raw responses (the library drops
``__metadata``); writes build their ``$batch`` of MERGE parts from the plain changes, in the
library's wire format and through its request pipeline (its object graph per item cost seconds),
each part under the item's own ETag in ``If-Match`` instead of the library's ``*``, and resend
throttled parts themselves.
Library errors are translated into :mod:`spsync.exceptions` here, at the boundary.

Connecting honours spsync's own ``[http]`` settings end to end: the library's form-digest fetch
(``contextInfo``, the first request of every context) retries on its own five times with a 5 s
jittered back-off whatever the caller asked for, so the gateway replaces it with one that makes
``max_retries + 1`` attempts, backs off 0.5, 1, 2 ... s (at most 10 s; or the server's
Retry-After, at most 120 s), logs one Dutch line per retry, and raises spsync's error. An unreachable site therefore
fails within ``connect_timeout x (max_retries + 1)`` plus the back-off.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import requests
from office365.runtime.client_request import ClientRequest
from office365.runtime.client_request_exception import ClientRequestException
from office365.runtime.converters.value import serialize_value
from office365.runtime.http.http_method import HttpMethod
from office365.runtime.http.request_options import RequestOptions
from office365.runtime.odata.batch_util import WHOLE_BATCH_REJECT_CODES
from office365.runtime.odata.v3.batch_request import DEFAULT_MAX_BATCH_BYTES
from office365.runtime.odata.v3.json_light_format import JsonLightFormat
from office365.runtime.retry import (
    TRANSIENT_STATUS_CODES,
    TRANSIENT_TRANSPORT_EXCEPTIONS,
    response_retry_after,
    should_reset_connections,
)
from office365.sharepoint.changes.query import ChangeQuery
from office365.sharepoint.changes.token import ChangeToken
from office365.sharepoint.client_context import ClientContext
from office365.sharepoint.webs.context_web_information import ContextWebInformation

from spsync import __version__
from spsync.exceptions import (
    ChangeTokenExpired,
    CycleDeadline,
    GatewayError,
    GatewayUnavailable,
    ItemNotFound,
    ListNotFound,
    PermissionDenied,
    PreconditionFailed,
    SiteError,
    SpsyncError,
    Throttled,
)
from spsync.gateway import (
    ChangeSet,
    FieldDescription,
    Item,
    ItemUpdate,
    ListDescription,
    ListInfo,
    SiteDescription,
    UploadedFile,
    WriteOutcome,
)
from spsync.logs import register_secret

__all__ = ["SharePointGateway", "gateway_for", "translate", "add_response_hook",
           "permission_kinds", "id_filters", "CHANGE_FETCH_LIMIT", "IDS_PER_FILTER",
           "MAX_RETRY_AFTER_S", "MAX_BACKOFF_S", "RATE_LIMIT_LOW", "RATE_LIMIT_PAUSE_S",
           "HEALTH_SCORE_BUSY", "batch_retry_after", "batch_answers", "BatchAnswer"]

log = logging.getLogger(__name__)

#: A Retry-After longer than this is not waited out inside one run (the run fails: Throttled);
#: the default of ``[http] max_retry_after``.
MAX_RETRY_AFTER_S = 120
#: Slow down when ``RateLimit-Remaining`` is at most this share of ``RateLimit-Limit``
#: (or at most 10 requests/units when no limit is sent) ...
RATE_LIMIT_LOW = 0.1
#: ... by pausing ``RateLimit-Reset`` seconds, at most this long (also after a busy health score).
RATE_LIMIT_PAUSE_S = 5.0
#: ``X-SharePointHealthScore`` (0-10) from which the farm is busy: pause one second.
HEALTH_SCORE_BUSY = 8
#: The longest wait between two attempts without a Retry-After.
MAX_BACKOFF_S = 10.0

#: Change numbers SharePoint hands out per getChanges call (its default FetchLimit).
CHANGE_FETCH_LIMIT = 1000
#: Ids per ``$filter`` of a re-read: keeps the URL short and the query simple for SharePoint.
IDS_PER_FILTER = 50
#: ChangeType values that remove an item from the list (DeleteObject, MoveAway).
_REMOVED = frozenset({3, 5})
#: HRESULTs of "token older than the change log" and "token of another object".
_TOKEN_ERRORS = ("-2130575172", "-2130575173")


def _odata_quote(text: str) -> str:
    """A string literal inside an OData path: single quotes doubled."""
    return text.replace("'", "''")


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


def _reason(exc: BaseException) -> str:
    """A short Dutch reason for a transport failure (never the library's raw text)."""
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS-certificaat van de site niet vertrouwd"
    if isinstance(exc, requests.ConnectTimeout):
        return "time-out bij verbinden"
    if isinstance(exc, requests.Timeout):
        return "time-out bij wachten op antwoord"
    if isinstance(exc, requests.ConnectionError):
        return "geen verbinding"
    status = _status(exc)
    return f"HTTP {status}" if status else type(exc).__name__


def translate(exc: BaseException, *, list_title: str | None = None,
              item_id: int | None = None, site_url: str | None = None) -> SpsyncError:
    """Map a library/requests exception onto spsync's tree (httpx ``map_exceptions`` style);
    spsync's own errors (e.g. a refused token raised inside the library's auth hook) pass."""
    if isinstance(exc, SpsyncError):
        return exc
    status = _status(exc)
    text = str(exc)[:300]
    where = site_url or "SharePoint"
    if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
        return GatewayUnavailable(f"SharePoint ({where}) is niet bereikbaar: {_reason(exc)}.",
                                  status=None)
    if status == 401:
        return PermissionDenied(f"SharePoint ({where}) weigert het token (401): de app heeft "
                                "geen toegang tot deze site.", status=401)
    if status == 403:
        what = f"tot lijst '{list_title}'" if list_title else "tot de site"
        return PermissionDenied(f"SharePoint ({where}) weigert de toegang {what} (403).",
                                status=403, list_title=list_title)
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
    if status == 404 and site_url is not None:
        return SiteError(f"Site {site_url} bestaat niet (404).", status=404)
    if status is not None and status >= 500 and site_url is not None:
        return SiteError(f"SharePoint ({site_url}) geeft een serverfout ({status}).",
                         status=status, fix="Probeer het later opnieuw; blijft het, kijk dan "
                                            "op de Microsoft 365-servicestatus.")
    return GatewayError(f"SharePoint-fout{f' {status}' if status else ''}: {text}", status=status)


class SharePointGateway:
    """A :class:`spsync.gateway.Gateway` over office365-REST-Python-Client.

    ``token`` is a callable returning a token dict (see :mod:`spsync.auth`); the gateway reads
    no config of its own, so tests hand it the sandbox URL.
    """

    def __init__(self, site_url: str, token: Callable[[], dict[str, Any]], *,
                 user_agent_org: str = "SWV", timeout: tuple[float, float] = (10.0, 60.0),
                 page_size: int = 5000, batch_size: int = 100, max_retries: int = 5,
                 backoff: float = 0.5, max_retry_after: float = MAX_RETRY_AFTER_S,
                 cycle_deadline: float = 0.0) -> None:
        self.site_url = site_url.rstrip("/")
        #: Longest Retry-After waited out (``[http] max_retry_after``); above it: Throttled.
        self.max_retry_after = float(max_retry_after)
        #: Seconds a cycle may take (``[http] cycle_deadline``, 0 = none); see begin_cycle().
        self.cycle_deadline = float(cycle_deadline)
        self._deadline: float | None = None
        #: Base of the exponential back-off between attempts, in seconds.
        self.backoff = backoff
        self.page_size = page_size
        self.batch_size = batch_size
        self.max_retries = max_retries
        session = requests.Session()
        # SharePoint's throttling guidance: identify the app (NONISV|org|app/version).
        session.headers["User-Agent"] = f"NONISV|{user_agent_org}|spsync/{__version__}"
        #: HTTP requests sent (a ``$batch`` counts once), for the run record and the benchmark.
        self.requests_made = 0
        session.hooks["response"].append(self._count_request)
        # Every request of the library passes this adapter, also its own $batch retries, which
        # honour Retry-After uncapped: the guard bounds them (cap and deadline) and paces.
        guard = _GuardedAdapter(self)
        session.mount("http://", guard)
        session.mount("https://", guard)
        self._session = session
        self._token = token
        self._timeout = timeout
        self._ctx = self._new_context()

    def _new_context(self) -> ClientContext:
        ctx = (ClientContext(self.site_url).with_access_token(self._token)
               .with_transport(session=self._session, timeout=self._timeout))
        request = ctx.pending_request()
        # The library's own digest fetch ignores our retry settings (5 tries, ~40-75 s).
        request._fetch_context_web_information = (  # private: version pinned, tested
            lambda: self._fetch_digest(request))
        return ctx

    def _delay(self, attempt: int, exc: BaseException) -> float:
        """Seconds before the next attempt: Retry-After (capped) or exponential back-off."""
        retry_after = response_retry_after(getattr(exc, "response", None))
        if retry_after is not None:
            self._check_wait(float(retry_after), _status(exc))
            return float(retry_after)
        delay = self._backoff(attempt)
        self._check_wait(delay, _status(exc))
        return delay

    def _backoff(self, attempt: int) -> float:
        """The exponential back-off before attempt ``attempt + 1`` when no Retry-After says."""
        return min(self.backoff * (2 ** (attempt - 1)), MAX_BACKOFF_S)

    def _retry_line(self, attempt: int, attempts: int, exc: BaseException, delay: float) -> None:
        log.warning("SharePoint antwoordt niet (%s); poging %d van %d over %.1f s.",
                    _reason(exc), attempt + 1, attempts, delay)

    # -- throttling and the cycle deadline (issue 9, item 5) ------------------------------
    def begin_cycle(self) -> None:
        """Start the clock of ``cycle_deadline`` (the cycle calls this first)."""
        self._deadline = (time.monotonic() + self.cycle_deadline
                          if self.cycle_deadline > 0 else None)

    def _check_deadline(self, extra: float = 0.0) -> None:
        """Raise CycleDeadline when the deadline has passed (or would, after ``extra`` s)."""
        if self._deadline is None:
            return
        if time.monotonic() + extra > self._deadline:
            raise CycleDeadline(
                f"De cyclus stopt: de ingestelde tijd van {self.cycle_deadline:g} s "
                f"([http] cycle_deadline) is op"
                + (f" (nog {extra:.0f} s wachten past er niet in)." if extra else "."),
                status=None)

    def _check_wait(self, seconds: float, status: int | None) -> None:
        """A wait SharePoint asks for: above the cap Throttled, past the deadline CycleDeadline."""
        if seconds > self.max_retry_after:
            raise Throttled(
                f"SharePoint vraagt {seconds:.0f} s te wachten ({status or 'geen status'}); "
                f"meer dan de ingestelde {self.max_retry_after:g} s ([http] max_retry_after), "
                "dus deze cyclus stopt.", status=status, retry_after=seconds)
        self._check_deadline(seconds)

    def _pause(self, seconds: float, reason: str) -> None:
        self._check_deadline(seconds)
        log.info("Wachten: %.1f s (%s).", seconds, reason)
        time.sleep(seconds)

    def _guard_response(self, response: requests.Response) -> None:
        """After every response: bound any Retry-After (the library's $batch retries of reads and
        the gateway's of writes wait it out), log the wait, and pace on SharePoint's RateLimit
        headers."""
        status = response.status_code
        wait: int | None = None
        where = f"HTTP {status}"
        if status in TRANSIENT_STATUS_CODES:
            wait = response_retry_after(response)
        elif "multipart" in response.headers.get("Content-Type", ""):
            wait = batch_retry_after(response.content)
            where = "onderdeel van een $batch"
        if wait is not None:
            self._check_wait(float(wait), status)
            if "$batch" in response.url or where != f"HTTP {status}":
                log.info("Wachten: %d s (Retry-After, %s); daarna opnieuw.", wait, where)
        headers = response.headers
        remaining, limit = headers.get("RateLimit-Remaining"), headers.get("RateLimit-Limit")
        if remaining is not None and remaining.strip().isdigit():
            low = (float(limit) * RATE_LIMIT_LOW if limit and limit.strip().isdigit() else 10)
            if int(remaining) <= low:
                reset = headers.get("RateLimit-Reset", "1").strip()
                pause = min(float(reset) if reset.isdigit() else 1.0, RATE_LIMIT_PAUSE_S)
                if pause > 0:
                    self._pause(pause, f"RateLimit-Remaining {remaining}, vóór een 429")
                return
        score = headers.get("X-SharePointHealthScore", "").strip()
        if score.isdigit() and int(score) >= HEALTH_SCORE_BUSY:
            self._pause(1.0, f"X-SharePointHealthScore {score}")

    def _fetch_digest(self, request: Any) -> ContextWebInformation:
        """``POST _api/contextInfo`` with spsync's retry policy; raises spsync's errors."""
        attempts = self.max_retries + 1
        url = f"{request.service_root_url}/contextInfo"
        for attempt in range(1, attempts + 1):
            options = RequestOptions(url)
            options.method = HttpMethod.Post
            request._authenticate_request(options)  # the library's own auth hook
            try:
                response = request.transport.execute(options)
                ClientRequest._raise_for_status(response)
                payload = response.json()
            except (requests.RequestException, ClientRequestException, ValueError) as exc:
                status = _status(exc)
                if isinstance(exc, ValueError) and status is None:  # 200, but not JSON
                    raise SiteError(f"{self.site_url} antwoordt niet als een SharePoint-site "
                                    "(geen JSON op _api/contextInfo).", status=None) from None
                transient = (status in TRANSIENT_STATUS_CODES if status is not None
                             else isinstance(exc, (requests.ConnectionError, requests.Timeout))
                             and not isinstance(exc, requests.exceptions.SSLError))
                if not transient or attempt == attempts:
                    raise translate(exc, site_url=self.site_url) from None
                delay = self._delay(attempt, exc)
                self._retry_line(attempt, attempts, exc, delay)
                request.transport.reset_connections()
                time.sleep(delay)
                continue
            json_format = JsonLightFormat()
            json_format.function = "GetContextWebInformation"
            info = ContextWebInformation()
            request.map_json(payload, info, json_format)
            register_secret(info.FormDigestValue, rolling=True)  # never in a log line
            return info
        raise AssertionError("unreachable")  # pragma: no cover

    def _execute(self, **where: Any) -> None:
        """``execute_query`` with ``max_retries`` retries on transient failures, Retry-After
        honoured, a Dutch line per retry, and no pointless sleep after the last attempt."""
        attempts = self.max_retries + 1

        def _on_failure(attempt: int, exc: Exception) -> float:
            if attempt >= attempts:
                raise translate(exc, site_url=self.site_url, **where) from None
            delay = self._delay(attempt, exc)
            self._retry_line(attempt, attempts, exc, delay)
            return delay

        self._ctx.execute_query_retry(max_retry=attempts, failure_callback=_on_failure)

    def _failed(self, exc: BaseException, **where: Any) -> SpsyncError:
        """Translate ``exc`` and start a fresh context: a failed execute leaves queries queued
        (and ``ctx.clear()`` would drop the auth, sharepoint-wire.md §5)."""
        self._ctx = self._new_context()
        return translate(exc, site_url=self.site_url, **where)

    def close(self) -> None:
        self._session.close()

    def _count_request(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.requests_made += 1

    def _with_fresh_auth(self, send: Callable[[], Any], where: str) -> Any:
        """``send()``; when the whole batch was refused for an expired digest or token
        (nothing of it applied), once more on a fresh context."""
        try:
            return send()
        except _StaleAuth:
            log.info("Digest of token verlopen%s; opnieuw aangemeld.", where)
            self._ctx = self._new_context()
            try:
                return send()
            except _StaleAuth as exc:
                raise self._failed(exc.__cause__ or exc) from exc

    # -- contract ------------------------------------------------------------------------
    def describe_lists(self, titles: Sequence[str]) -> dict[str, ListInfo | None]:
        """Metadata and fields of all lists in one ``$batch`` request (sent once more on a
        fresh context when the digest or token had expired)."""
        return self._with_fresh_auth(lambda: self._describe_lists(titles), "")

    def _describe_lists(self, titles: Sequence[str]) -> dict[str, ListInfo | None]:
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
        except Exception as exc:
            if _stale_auth(exc):
                raise _StaleAuth() from exc
            raise self._failed(exc) from exc
        other = [exc for _, exc in failures if _status(exc) != 404]
        if other and all(_stale_auth(e) for e in other):
            raise _StaleAuth() from other[0]
        if other:
            raise translate(other[0], site_url=self.site_url)
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
        return [item for page in self.read_pages(info, select, expand) for item in page]

    def read_pages(self, info: ListInfo, select: Sequence[str], expand: Sequence[str] = ()
                   ) -> Iterator[list[Item]]:
        """:meth:`read_items` a page at a time: the next page is asked for when the caller
        is done with this one, so only one page's dicts are alive at a time."""
        # Pages expected from the list's ItemCount; a few spare for items added meanwhile.
        max_pages = math.ceil(max(info.item_count, 1) / self.page_size) + 5
        items = pages = 0
        for page in self._pages(info, select, expand, None, max_pages, "Lezen"):
            pages += 1
            items += len(page)
            yield page
        log.info("Gelezen: %s, %d items in %d pagina('s)", info.title, items, pages)

    def _paged_items(self, info: ListInfo, select: Sequence[str], expand: Sequence[str],
                     flt: str | None, max_pages: int, what: str,
                     seen: set[int] | None = None) -> tuple[list[Item], int]:
        """One query's items (each once, ``__next`` followed) and its page count, guarded
        against a server that keeps sending pages. ``seen`` ids are skipped and added to."""
        items: list[Item] = []
        pages = 0
        for page in self._pages(info, select, expand, flt, max_pages, what, seen):
            pages += 1
            items += page
        return items, pages

    def _pages(self, info: ListInfo, select: Sequence[str], expand: Sequence[str],
               flt: str | None, max_pages: int, what: str,
               seen: set[int] | None = None) -> Iterator[list[Item]]:
        """The items of each page of one query as it arrives (each item once, ``__next``
        followed), guarded against a server that keeps sending pages."""
        columns = ["Id", *[c for c in select if c != "Id"]]
        query = {"$select": ",".join(columns), "$top": str(self.page_size)}
        if flt is not None:
            query["$filter"] = flt
        if expand:
            query["$expand"] = ",".join(expand)
        # The whole query percent-encoded (``%20``, not ``+``): the library would put a filter's
        # ``A & B`` into the URL as is (sharepoint-wire.md, addendum 2).
        next_url: str | None = (
            f"{self.site_url}/_api/Web/lists/GetByTitle('{_odata_quote(info.title)}')/items?"
            + urlencode(query, safe="$,/'()", quote_via=quote))
        seen = set() if seen is None else seen
        pages = 0
        while next_url:
            pages += 1
            if pages > max_pages:
                raise GatewayError(f"{what} van '{info.title}' stopt na {pages - 1} pagina's: "
                                   "de server blijft pagina's sturen.", status=None)
            body = self._get_json(next_url, list_title=info.title).get("d", {})
            page: list[Item] = []
            for row in body.get("results", []):
                meta = row.pop("__metadata", None) or {}
                item_id = int(row["Id"])
                if item_id not in seen:
                    seen.add(item_id)
                    page.append(Item(id=item_id, etag=meta.get("etag"), values=row))
            next_url = body.get("__next")
            del body
            yield page

    def _get_json(self, url: str, *, list_title: str | None = None) -> dict[str, Any]:
        """GET ``url`` through the library's pipeline (auth, transport, User-Agent) with the
        gateway's retry policy: transient failures retried ``max_retries`` times, Retry-After
        honoured up to its cap, one Dutch line per retry."""
        attempts = self.max_retries + 1
        renewed = False
        for attempt in range(1, attempts + 1):
            options = RequestOptions(url)
            options.set_header("Accept", "application/json;odata=verbose")
            try:
                response = self._ctx.pending_request().execute_request_direct(options)
                return response.json()
            except Exception as exc:
                status = _status(exc)
                transient = status is None and isinstance(
                    exc, (requests.ConnectionError, requests.Timeout)) or (
                    status in TRANSIENT_STATUS_CODES)
                if _stale_auth(exc) and not renewed:
                    # An expired token (401) or digest: a fresh context once, no wait.
                    renewed = True
                    log.info("Token of digest verlopen (HTTP %s); opnieuw aangemeld.", status)
                    self._ctx = self._new_context()
                    continue
                if not transient or attempt >= attempts:
                    raise self._failed(exc, list_title=list_title) from exc
                delay = self._delay(attempt, exc)
                self._retry_line(attempt, attempts, exc, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def update_items(self, info: ListInfo, updates: Sequence[ItemUpdate]) -> WriteOutcome:
        """MERGE all updates of one list (see :meth:`update_lists`)."""
        return self.update_lists([(info, updates)]).get(info.title, WriteOutcome())

    def update_lists(self, plans: Sequence[tuple[ListInfo, Sequence[ItemUpdate]]]
                     ) -> dict[str, WriteOutcome]:
        """MERGE the updates of several lists in shared ``$batch`` requests (``batch_size``
        parts each, lists mixed), each item under its own If-Match; outcome per list title.
        A batch refused whole for an expired digest or token is sent once more on a fresh
        context (nothing of it was applied); the batches before it are not sent again."""
        return self._update_lists(plans)

    def _update_lists(self, plans: Sequence[tuple[ListInfo, Sequence[ItemUpdate]]]
                      ) -> dict[str, WriteOutcome]:
        outcomes = {info.title: WriteOutcome() for info, updates in plans if updates}
        if not outcomes:
            return outcomes
        todo = self._merges(plans)
        undone: set[tuple[str, int]] = set()

        def _send() -> None:
            # Resumable: a batch refused for a stale digest or token stays at the head of
            # ``todo``, so the resend on a fresh context does not repeat the batches before it.
            while todo:
                chunk = _next_chunk(todo, self.batch_size)
                stale, cause = self._send_merges(chunk, outcomes, undone)
                del todo[:len(chunk)]
                if stale:
                    todo[:0] = stale
                    raise _StaleAuth() from cause

        self._with_fresh_auth(_send, " bij het terugschrijven")
        for info, updates in plans:
            if updates:
                outcomes[info.title].written = [u.id for u in updates
                                                if (info.title, u.id) not in undone]
        return outcomes

    def _merges(self, plans: Sequence[tuple[ListInfo, Sequence[ItemUpdate]]]) -> list[_Merge]:
        """One MERGE part per update, from the plain changes: the library's object graph per
        item (about 120 ClientObjects each) cost 5-8 s of CPU for 2,870 updates.

        The body is what ``ListItem.update()`` sends with the entity type preset: the changes
        (the library's value serialisation, nothing else) and ``__metadata.type``; the URL is
        the library's own (it quotes and encodes the title)."""
        merges: list[_Merge] = []
        for info, updates in plans:
            if not updates:
                continue
            items_url = self._ctx.web.lists.get_by_title(info.title).items.resource_url
            metadata = {"type": info.entity_type}
            for update in updates:
                payload = {name: serialize_value(value, _JSON_FORMAT)
                           for name, value in update.changes.items()}
                if payload:
                    payload["__metadata"] = metadata
                merges.append(_Merge(info.title, update.id,
                                     f"MERGE {items_url}/GetById({update.id}) HTTP/1.1",
                                     update.etag or "*",
                                     json.dumps(payload) if payload else ""))
        return merges

    def _send_merges(self, chunk: list[_Merge], outcomes: dict[str, WriteOutcome],
                     undone: set[tuple[str, int]]) -> tuple[list[_Merge], BaseException | None]:
        """One ``$batch`` of ``chunk``, its outcome recorded per item; the parts throttled or
        unavailable (429/503 and friends) sent again, alone, up to ``max_retries`` times after
        the longest Retry-After (capped, within the deadline) or the back-off. A 412 is a
        conflict, never retried. Returns the parts refused for a stale digest or token (to be
        sent on a fresh context) and that refusal.

        The waits with a Retry-After are logged by the transport guard as the answer arrives;
        the back-off waits without one are logged here."""
        attempts = self.max_retries + 1
        pending = chunk
        stale: list[_Merge] = []
        cause: BaseException | None = None
        for attempt in range(1, attempts + 1):
            try:
                answers = self._post_merges(pending)
            except Exception as exc:
                if _stale_auth(exc):
                    return stale + pending, exc
                status = _status(exc)
                if status in WHOLE_BATCH_REJECT_CODES and len(pending) > 1:
                    # Refused whole before any part ran (too large, a part it cannot parse):
                    # halves, down to the part that is refused alone (as the library does).
                    half = len(pending) // 2
                    for part in (pending[:half], pending[half:]):
                        more, why = self._send_merges(part, outcomes, undone)
                        stale += more
                        cause = cause or why
                    return stale, cause
                if _transient(exc) and attempt < attempts:
                    delay = self._delay(attempt, exc)
                    if response_retry_after(getattr(exc, "response", None)) is None:
                        self._retry_line(attempt, attempts, exc, delay)
                    self._reset_connections(exc)
                    time.sleep(delay)
                    continue
                if not isinstance(exc, ClientRequestException) or status is None:
                    raise self._failed(exc) from exc
                for merge in pending:  # the whole batch answered with an error: each item
                    self._record_failure(merge, exc, outcomes, undone)
                return stale, cause
            retry: list[tuple[_Merge, requests.Response]] = []
            for index, merge in enumerate(pending):
                answer = answers[index] if index < len(answers) else None
                if answer is None:
                    undone.add((merge.title, merge.item_id))
                    outcomes[merge.title].failed[merge.item_id] = (
                        f"SharePoint gaf geen antwoord op de wijziging van item {merge.item_id} "
                        f"in lijst '{merge.title}'.")
                elif answer.status_code < 400:
                    continue
                elif answer.status_code in TRANSIENT_STATUS_CODES:
                    retry.append((merge, answer.response()))
                else:
                    exc = ClientRequestException.from_response(answer.response())
                    if _stale_auth(exc):
                        stale.append(merge)
                        cause = cause or exc
                    else:
                        self._record_failure(merge, exc, outcomes, undone)
            if not retry:
                break
            if attempt >= attempts:
                for merge, answer in retry:
                    self._record_failure(merge, ClientRequestException.from_response(answer),
                                         outcomes, undone)
                break
            first = retry[0][1]
            asked = [a for a in (response_retry_after(r) for _, r in retry) if a is not None]
            delay = (float(max(asked)) if asked
                     else self._backoff(attempt))
            self._check_wait(delay, first.status_code)
            if not asked:
                log.info("Wachten: %.1f s (HTTP %d op %d van de %d onderdelen van een $batch); "
                         "daarna opnieuw.", delay, first.status_code, len(retry), len(pending))
            self._reset_connections(ClientRequestException.from_response(first))
            time.sleep(delay)
            pending = [merge for merge, _ in retry]
        return stale, cause

    def _post_merges(self, merges: Sequence[_Merge]) -> list[BatchAnswer | None]:
        """POST one ``$batch`` of ``merges`` through the library's request pipeline (its auth
        and digest hooks, transport and our session) and return the parts' answers in order.

        The body is byte for byte what ``execute_batch`` builds (sharepoint-wire.md §5): one
        changeset, LF line ends, each part with the headers the library's pipeline puts on a
        sub-request (``X-HTTP-Method:MERGE``, the item's own ``IF-MATCH``, Content-Type,
        Accept, Authorization, X-RequestDigest, a fresh client-request-id)."""
        request = self._ctx.pending_request()
        template = RequestOptions(f"{self.site_url}/_api/$batch")
        template.set_header("X-HTTP-Method", "MERGE")
        template.set_header("IF-MATCH", "*")
        request.beforeExecute(template)  # Content-Type, Accept, Authorization, X-RequestDigest
        headers = [f"{name}:{value}" for name, value in template.headers.items()
                   if name != "IF-MATCH"]
        with_ids = request.client_request_id_enabled
        boundary = f"batch_{uuid.uuid4()}"
        changeset = f"changeset_{str(uuid.uuid4())[:8]}"
        part_head = (f"--{changeset}\nContent-Type: application/http\n"
                     "Content-Transfer-Encoding: binary\n\n")
        chunks = [f'Content-Type: multipart/mixed;\n boundary="{boundary}"\n\n--{boundary}\n'
                  f'Content-Type: multipart/mixed; boundary="{changeset}"\n\n']
        for merge in merges:
            lines = [merge.line, headers[0], f"IF-MATCH:{merge.etag}", *headers[1:]]
            if with_ids:
                lines.append(f"client-request-id:{uuid.uuid4()}")
            chunks.append(part_head + "\n".join(lines)
                          + (f"\n\n\n{merge.body}\n\n" if merge.body else "\n\n"))
        chunks.append(f"--{changeset}--\n\n--{boundary}--\n")
        options = RequestOptions(template.url)
        options.method = HttpMethod.Post
        options.set_header("Content-Type", f"multipart/mixed; boundary={boundary}")
        request.beforeExecute(options)
        request.apply_client_request_id(options)
        options.data = "".join(chunks).encode("utf-8")
        response = request.transport.execute(options)
        ClientRequest._raise_for_status(response)
        return batch_answers(response.headers.get("Content-Type", ""), response.content)

    def _record_failure(self, merge: _Merge, exc: BaseException,
                        outcomes: dict[str, WriteOutcome], undone: set[tuple[str, int]]) -> None:
        """A 412 is a conflict (the cycle re-reads); any other error a failure, in Dutch."""
        undone.add((merge.title, merge.item_id))
        if _status(exc) == 412:
            outcomes[merge.title].conflicts.append(merge.item_id)
        else:
            outcomes[merge.title].failed[merge.item_id] = str(
                translate(exc, list_title=merge.title, item_id=merge.item_id))

    def _reset_connections(self, exc: Exception) -> None:
        """A fresh connection before retrying a 502/503/504 or a dropped connection (the
        library does the same; Microsoft's guidance for 503)."""
        if should_reset_connections(exc):
            self._ctx.pending_request().transport.reset_connections()

    def upload_file(self, library: ListInfo, name: str, content: bytes,
                    metadata: Mapping[str, Any] | None = None) -> UploadedFile:
        """Simple upload into the library's root folder; verifies the stored length, then sets
        the file's own columns (only those the library has)."""
        ctx = self._ctx
        folder = ctx.web.lists.get_by_title(library.title).root_folder
        try:
            uploaded = folder.upload_file(name, content)
            self._execute(list_title=library.title)
        except Exception as exc:
            raise self._failed(exc, list_title=library.title) from exc
        length = int(uploaded.properties.get("Length") or 0)
        url = uploaded.properties.get("ServerRelativeUrl", name)
        if length != len(content):
            raise GatewayError(f"Upload van '{name}' is onvolledig: {length} van "
                               f"{len(content)} bytes opgeslagen.", status=None)
        fields = {k: v for k, v in (metadata or {}).items() if k in library.fields}
        if fields:
            item = uploaded.listItemAllFields
            item._entity_type_name = library.entity_type
            for key, value in fields.items():
                item.set_property(key, value)
            try:
                item.update()
                self._execute(list_title=library.title)
            except Exception as exc:
                raise self._failed(exc, list_title=library.title) from exc
        return UploadedFile(server_relative_url=url, length=length)

    def find_items(self, info: ListInfo, filter: str, select: Sequence[str]) -> list[Item]:
        """Items matching ``filter``, read like :meth:`read_items` (raw JSON pages, ETags,
        page guard). The whole filter is percent-encoded here (``%20``, not ``+``): the
        library would put ``A & B`` into the URL as is (sharepoint-wire.md, addendum 2)."""
        max_pages = math.ceil(max(info.item_count, 1) / self.page_size) + 5
        return self._paged_items(info, select, (), filter, max_pages, "Zoeken")[0]

    def create_item(self, info: ListInfo, values: Mapping[str, Any]) -> Item:
        """One POST to the list's items; the entity type is preset from ``info`` so the library
        does not first GET the list."""
        ctx = self._ctx
        lst = ctx.web.lists.get_by_title(info.title)
        # Both the type and the list's ref property (Id) must be known, or it GETs the list.
        lst.set_property("Id", info.id, persist_changes=False)
        lst.set_property("ListItemEntityTypeFullName", info.entity_type, persist_changes=False)
        etag: dict[str, str] = {}

        def _etag(response: requests.Response) -> None:
            sent = getattr(response, "request", None)  # deferred no-ops pass a stand-in
            if sent is not None and sent.method == "POST" and response.headers.get("ETag"):
                etag["value"] = response.headers["ETag"]

        request = ctx.pending_request()
        request.afterExecute += _etag
        try:
            created = lst.add_item(dict(values))
            ctx.execute_query()
        except Exception as exc:
            raise self._failed(exc, list_title=info.title) from exc
        finally:
            request.afterExecute -= _etag
        props = dict(created.properties)
        props.pop("ParentList", None)
        return Item(id=int(props.get("Id") or props.get("ID")), etag=etag.get("value"),
                    values=props)

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
        except Exception as exc:
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
        except Exception as exc:
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
        except Exception as exc:
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
        except Exception as exc:
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
        except Exception as exc:
            raise self._failed(exc, list_title=list_title) from exc

    # -- change tokens (spsync.incremental) ----------------------------------------------
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
        except Exception as exc:
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
            except Exception as exc:
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
                delay = self._delay(attempt, exc)
                self._retry_line(attempt, self.max_retries + 1, exc, delay)
                time.sleep(delay)

    def read_items_by_id(self, info: ListInfo, ids: Sequence[int], select: Sequence[str],
                         expand: Sequence[str] = ()) -> list[Item]:
        """Re-read only ``ids`` with ``$filter`` on the (indexed) Id, ranges where the ids
        run on; raw JSON pages like :meth:`read_items`. Items deleted meanwhile are absent."""
        wanted, seen = set(ids), set()
        max_pages = math.ceil(len(wanted) / self.page_size) + 5
        items: list[Item] = []
        for flt in id_filters(ids):
            found, _ = self._paged_items(info, select, expand, flt, max_pages, "Herlezen", seen)
            items += [i for i in found if i.id in wanted]
        return items


def gateway_for(config: Any) -> SharePointGateway:
    """The gateway a command uses for ``config``: its token provider (certificate loaded and
    checked now, token cache next to the state), time-outs, retries and page/batch sizes."""
    from spsync.auth import token_provider
    from spsync.config import token_cache_file

    timeout = (config.http.connect_timeout, config.http.read_timeout)
    token = token_provider(config.auth, config.site.url, cache_path=token_cache_file(config),
                           timeout=timeout)
    return SharePointGateway(
        config.site.url, token, user_agent_org=config.site.user_agent_org, timeout=timeout,
        page_size=config.http.page_size, batch_size=config.http.batch_size,
        max_retries=config.http.max_retries, max_retry_after=config.http.max_retry_after,
        cycle_deadline=config.http.cycle_deadline)


def add_response_hook(gateway: SharePointGateway,
                      hook: Callable[[requests.Response], Any]) -> None:
    """Call ``hook(response)`` for every HTTP response the gateway receives (also each retry of
    the client library), e.g. to count responses by status for the daemon's metrics."""

    def _hook(response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
        try:
            hook(response)
        except Exception:
            log.debug("response hook failed", exc_info=True)

    gateway._session.hooks["response"].append(_hook)


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
    except Exception:
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


_PART_RETRY_AFTER = re.compile(rb"^Retry-After:\s*(\d+)\s*$", re.IGNORECASE | re.MULTILINE)


def batch_retry_after(body: bytes) -> int | None:
    """The longest ``Retry-After`` of a ``$batch`` response's parts (seconds), if any."""
    values = [int(m) for m in _PART_RETRY_AFTER.findall(body or b"")]
    return max(values) if values else None


#: The JSON format of the MERGE bodies: OData v3 verbose, as the library's context uses.
_JSON_FORMAT = JsonLightFormat()
#: The allowances of the library's batch size estimate (``batch_util``): envelope, per part.
_BATCH_OVERHEAD, _PART_OVERHEAD = 1024, 256


@dataclass(frozen=True, slots=True)
class _Merge:
    """One MERGE part: the item, its request line, its If-Match and its JSON body."""

    title: str
    item_id: int
    line: str
    etag: str
    body: str

    @property
    def size(self) -> int:
        """The estimate the library partitions by: URL, payload and a part allowance."""
        return len(self.line) + len(self.body) + _PART_OVERHEAD


def _next_chunk(todo: Sequence[_Merge], max_items: int) -> list[_Merge]:
    """The next ``$batch``: at most ``max_items`` parts and about DEFAULT_MAX_BATCH_BYTES (the
    library's partition rule); a part too large on its own goes alone."""
    size = _BATCH_OVERHEAD
    for n, merge in enumerate(todo):
        if n >= max(max_items, 1) or (n and size + merge.size > DEFAULT_MAX_BATCH_BYTES):
            return list(todo[:n])
        size += merge.size
    return list(todo)


_BOUNDARY = re.compile(r'boundary="?([^";\s]+)"?', re.IGNORECASE)
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_STATUS_LINE = re.compile(rb"HTTP/\d\.\d (\d{3})")
_CONTENT_TYPE = re.compile(rb"^content-type:([^\r\n]*)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True, slots=True)
class BatchAnswer:
    """One part of a ``$batch`` response: its status, header block and body. Headers are
    parsed, and a ``requests`` response made, only for the few parts that need them."""

    status_code: int
    head: bytes
    content: bytes

    @property
    def headers(self) -> requests.structures.CaseInsensitiveDict[str]:
        return _header_lines(self.head)

    def response(self) -> requests.Response:
        """The part as a ``requests`` response, as the library makes one (for its errors)."""
        response = requests.Response()
        response.status_code = self.status_code
        response.headers = self.headers
        response._content = self.content
        return response


def batch_answers(content_type: str, body: bytes) -> list[BatchAnswer | None]:
    """The sub-responses of a ``$batch`` response in order; None for a part that is no HTTP
    answer. A nested changeset response is flattened (the library would silently drop it)."""
    match = _BOUNDARY.search(content_type or "")
    if not match:
        return []
    delimiter = re.compile(rb"(?:^|\r?\n)--" + re.escape(match.group(1).encode())
                           + rb"(--)?[ \t]*(?:\r?\n|$)")
    pieces: list[bytes] = []
    start: int | None = None
    for found in delimiter.finditer(body or b""):
        if start is not None:
            pieces.append(body[start:found.start()])
        if found.group(1):
            start = None
            break
        start = found.end()
    if start is not None:
        pieces.append(body[start:])
    answers: list[BatchAnswer | None] = []
    for piece in pieces:
        head, rest = _split_head(piece)
        found = _CONTENT_TYPE.search(head)
        mime = found.group(1).decode("latin-1").strip() if found else ""
        if mime.lower().startswith("multipart/mixed"):
            answers += batch_answers(mime, rest)
        elif mime.lower().startswith("application/http"):
            answers.append(_http_answer(rest))
    return answers


def _split_head(data: bytes) -> tuple[bytes, bytes]:
    """Header block and the rest, at the first blank line (CRLF or LF)."""
    found = _BLANK_LINE.search(data)
    return (data, b"") if found is None else (data[:found.start()], data[found.end():])


def _header_lines(head: bytes) -> requests.structures.CaseInsensitiveDict[str]:
    headers: requests.structures.CaseInsensitiveDict[str] = (
        requests.structures.CaseInsensitiveDict())
    for line in head.decode("utf-8", "replace").splitlines():
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip()] = value.strip()
    return headers


def _http_answer(data: bytes) -> BatchAnswer | None:
    """``HTTP/1.1 204 No Content``, headers, blank line, body: one part's answer."""
    head, body = _split_head(data.lstrip(b"\r\n"))
    status_line, _, headers = head.partition(b"\n")
    found = _STATUS_LINE.match(status_line)
    return None if found is None else BatchAnswer(int(found.group(1)), headers, body)


class _GuardedAdapter(requests.adapters.HTTPAdapter):
    """The session's transport: the cycle deadline before every request, the Retry-After cap,
    the wait log and RateLimit pacing after every response (see ``_guard_response``)."""

    def __init__(self, gateway: SharePointGateway) -> None:
        super().__init__()
        self._gateway = gateway

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
             ) -> requests.Response:
        self._gateway._check_deadline()
        response = super().send(request, *args, **kwargs)
        try:
            self._gateway._guard_response(response)
        except BaseException:
            response.close()  # not read yet: free its socket now, not at garbage collection
            raise
        return response


class _StaleAuth(Exception):
    """Internal: a whole request refused for an expired digest (403 -2130575251) or token."""


def _transient(exc: BaseException) -> bool:
    """Worth another attempt: 408/429/5xx, or a dropped connection or time-out (not TLS)."""
    status = _status(exc)
    if status is not None:
        return status in TRANSIENT_STATUS_CODES
    return (isinstance(exc, TRANSIENT_TRANSPORT_EXCEPTIONS)
            and not isinstance(exc, requests.exceptions.SSLError))


def _stale_auth(exc: BaseException) -> bool:
    """An expired token (401) or form digest (403 with -2130575251), also wrapped."""
    for e in (exc, exc.__cause__, exc.__context__):
        if e is None:
            continue
        status = _status(e)
        if status == 401:
            return True
        if status == 403:
            text = getattr(getattr(e, "response", None), "text", "") or str(e)
            if "-2130575251" in text:
                return True
    return False
