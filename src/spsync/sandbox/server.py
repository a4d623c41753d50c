"""HTTP front of the sandbox: keep-alive HTTP/1.1, auth and digest checks, `$batch`, fault
injection, the request log and the `/_sandbox/` control endpoints.

Each response goes out in one socket write with TCP_NODELAY, so latency figures measured against
the sandbox are not inflated by Nagle + delayed ACK (reference, addendum item 8).
"""

from __future__ import annotations

import errno
import json
import secrets
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Collection
from datetime import timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from spsync.exceptions import PortInUse

from . import batch as batchmod
from .api import JSON_TYPE, Api, Request, Response, json_response
from .faults import DropConnection, FaultRule, Faults, RecordedRequest
from .graph import handle_graph
from .odata import SPError, parse_query_string
from .store import ListInfo, Store

__all__ = ["SandboxServer", "serve", "error_response"]


def error_response(status: int, code: str, message: str,
                   headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"error": {"code": code, "message": {"lang": "en-US", "value": message}}},
                      ensure_ascii=False).encode("utf-8")
    return Response(status, {"Content-Type": JSON_TYPE, **(headers or {})}, body)


class SandboxServer:
    """A local SharePoint-compatible site backed by one SQLite file."""

    def __init__(self, db_path: str | Path, host: str = "127.0.0.1", port: int = 0,
                 site: str = "spsync",
                 require_token: Callable[[str], bool] | Collection[str] | None = None) -> None:
        """``require_token``: a predicate or a set of bearer tokens the site accepts (answers
        401 to any other); default any non-empty bearer token."""
        self.require_token = require_token
        self.db_path = str(db_path)
        self.host = host
        self._port = port
        self.site = site
        self.site_path = f"/sites/{site}"
        self.store = Store(self.db_path)
        self.faults = Faults()
        self.api = Api(self.store, lambda: self.site_url, self.site_path, self._before_write)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()

    # ---- lifecycle --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._httpd.server_address[1] if self._httpd else self._port

    @property
    def site_url(self) -> str:
        return f"http://{self.host}:{self.port}{self.site_path}"

    def start(self) -> SandboxServer:
        """Bind and serve in a daemon thread; returns once the socket accepts connections."""
        server = self

        class Handler(_Handler):
            sandbox = server

        try:
            httpd = ThreadingHTTPServer((self.host, self._port), Handler)
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
                raise PortInUse(f"Adres {self.host}:{self._port} is niet beschikbaar: "
                                f"{exc.strerror}.", host=self.host, port=self._port) from None
            raise
        httpd.daemon_threads = True
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"sandbox-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._conns_lock:
            for conn in list(self._conns):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        if self._thread:
            self._thread.join(timeout=5)
        self._httpd = None
        self.store.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- faults and log ---------------------------------------------------------------------

    def set_change_log_retention(self, seconds: float) -> None:
        """Keep change-log entries this long (SharePoint Online: 60 days); a getChanges from a
        token older than what is kept answers SharePoint's "before the start of the current
        change log" error. ``0`` ages every token that has a change after it."""
        self.api.change_log_retention = timedelta(seconds=seconds)

    def set_latency(self, seconds: float) -> None:
        """Sleep this long before every HTTP response (once per request, also for `$batch`)."""
        self.faults.latency = float(seconds)

    def inject(self, status: int, times: int = 1, retry_after: float | int | None = None,
               method: str | None = None, path_contains: str | None = None,
               in_batch: bool | None = None, code: str | None = None,
               message: str | None = None, action: str | None = None,
               stall_s: float = 0.0) -> FaultRule:
        """Answer the next `times` matching requests with `status` and an SP error body (or,
        with ``action``, reset the connection / stall ``stall_s`` seconds)."""
        return self.faults.add_rule(FaultRule(status, times, retry_after, method, path_contains,
                                              in_batch, code, message, action, stall_s))

    def concurrent_edit(self, list_title: str, item_id: int, fields: dict[str, Any]) -> None:
        """A staff edit applied right before the next write to that item (makes If-Match stale)."""
        self.faults.add_concurrent_edit(list_title, item_id, fields)

    def edit_item(self, list_title: str, item_id: int, fields: dict[str, Any]) -> int:
        """Edit an item now as staff would (values in stored form); returns the new version."""
        lst = self.store.get_list(list_title)
        if lst is None:
            raise KeyError(list_title)
        return self.store.update_item(lst.id, item_id, fields).version

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.faults.snapshot()

    def clear_log(self) -> None:
        self.faults.clear_log()

    def reset_faults(self) -> None:
        self.faults.reset()

    def set_role(self, role: str) -> None:
        """The app's Sites.Selected role on the site: read, write, manage or fullcontrol
        (default). ``EffectiveBasePermissions`` reports it and writes beyond it get 403."""
        self.api.set_role(role)

    def _before_write(self, lst: ListInfo, item_id: int) -> None:
        for fields in self.faults.take_concurrent_edits(lst.title, item_id):
            if self.store.get_item(lst.id, item_id) is not None:
                self.store.update_item(lst.id, item_id, fields)

    # ---- request processing -----------------------------------------------------------------

    def process(self, raw_method: str, path: str, raw_query: str, headers: dict[str, str],
                body: bytes, in_batch: bool = False) -> Response:
        """Handle one API request (path below `_api/`, decoded), with faults and logging."""
        arrived = time.time()
        method = raw_method.upper()
        override = headers.get("x-http-method")
        if method == "POST" and override:
            method = override.upper()
        query = parse_query_string(raw_query)
        try:
            resp = self._process(method, raw_method.upper(), path, query, headers, body, in_batch)
        except SPError as ex:
            resp = error_response(ex.status, ex.code, ex.message, ex.headers)
        except DropConnection:
            self.faults.record(RecordedRequest(method, path, query, dict(headers), body, 0,
                                               in_batch, at=arrived))
            raise
        except Exception as ex:  # never drop the connection: the library would resend the batch
            traceback.print_exc(file=sys.stderr)
            resp = error_response(500, "-1, System.InvalidOperationException",
                                  f"Sandbox error: {type(ex).__name__}: {ex}")
        retry_after = resp.headers.get("Retry-After")
        self.faults.record(RecordedRequest(method, path, query, dict(headers), body, resp.status,
                                           in_batch, at=arrived,
                                           retry_after=None if retry_after is None
                                           else float(retry_after)))
        return resp

    def _process(self, method: str, raw_method: str, path: str, query: dict[str, str],
                 headers: dict[str, str], body: bytes, in_batch: bool) -> Response:
        auth = headers.get("authorization", "")
        if not auth.lower().startswith("bearer ") or not auth[7:].strip():
            raise SPError(401, "-2147024891, System.UnauthorizedAccessException",
                          "Access denied. You do not have permission to perform this action or "
                          "access this resource.")
        if self.require_token is not None and not self._token_ok(auth[7:].strip()):
            raise SPError(401, "-2147024891, System.UnauthorizedAccessException",
                          "Unsupported app only token.")
        rule = self.faults.take_rule(method, raw_method, path, in_batch)
        if rule is not None and rule.action == "reset":
            raise DropConnection()
        if rule is not None and rule.action == "stall":
            time.sleep(rule.stall_s)
            rule = None
        if rule is not None:
            code, message = rule.error()
            extra = {"Retry-After": str(rule.retry_after)} if rule.retry_after is not None else {}
            raise SPError(rule.status, code, message, extra)
        low = path.strip("/").lower()
        if low == "contextinfo":
            if raw_method != "POST":
                raise SPError(405, "-1, Microsoft.SharePoint.Client.InvalidClientQueryException",
                              "contextinfo needs POST.")
            digest = f"0x{secrets.token_hex(32).upper()},{time.strftime('%d %b %Y %H:%M:%S')} -0000"
            return json_response({"GetContextWebInformation": {
                "__metadata": {"type": "SP.ContextWebInformation"}, "FormDigestValue": digest,
                "FormDigestTimeoutSeconds": 1800, "WebFullUrl": self.site_url,
                "SiteFullUrl": self.site_url, "LibraryVersion": "16.0.0.0"}})
        if raw_method == "POST" and not headers.get("x-requestdigest"):
            raise SPError(403, "-2130575251, Microsoft.SharePoint.SPException",
                          "The security validation for this page is invalid and might be "
                          "corrupted. Please use your web browser's Back button to try your "
                          "operation again.")
        if low == "$batch":
            if in_batch:
                raise SPError(400, "-1, Microsoft.SharePoint.Client.InvalidClientQueryException",
                              "Nested $batch is not supported.")
            return self._batch(headers, body)
        return self.api.handle(Request(method, raw_method, path, query, headers, body, in_batch))

    def _token_ok(self, token: str) -> bool:
        check = self.require_token
        return bool(check(token)) if callable(check) else token in check  # type: ignore[operator]

    def _batch(self, headers: dict[str, str], body: bytes) -> Response:
        try:
            parts = batchmod.parse_batch(body, headers.get("content-type", ""))
        except ValueError as ex:
            raise SPError(400, "-1, Microsoft.SharePoint.Client.InvalidClientQueryException",
                          f"The batch request is not valid: {ex}") from None
        answers = []
        for part in parts:
            sub_headers = dict(part.headers)
            for key in ("authorization", "x-requestdigest"):
                if key not in sub_headers and key in headers:
                    sub_headers[key] = headers[key]
            path, raw_query = part.path_and_query
            resp = self.process(part.method, self._api_path(unquote(path)), raw_query, sub_headers,
                                part.body, in_batch=True)
            answers.append((resp.status, resp.headers, resp.body))
        ctype, data = batchmod.format_batch(answers)
        return Response(200, {"Content-Type": ctype}, data)

    def _api_path(self, path: str) -> str:
        """The part after `<site>/_api/`; a path outside the site API stays as given."""
        low = path.lower()
        marker = f"{self.site_path.lower()}/_api"
        i = low.find(marker)
        if i >= 0:
            return path[i + len(marker):].lstrip("/")
        return path

    def control(self, method: str, name: str, body: bytes) -> Response:
        """`/_sandbox/<name>`: latency, inject, requests, reset, edit, concurrent_edit, role,
        sent_mail (GET), clear_sent_mail (POST)."""
        data = json.loads(body or b"{}") if method == "POST" else {}
        if name == "requests" and method == "GET":
            payload: Any = [r.to_json() for r in self.requests]
        elif name == "latency" and method == "POST":
            self.set_latency(data.get("seconds", 0))
            payload = {"latency": self.faults.latency}
        elif name == "inject" and method == "POST":
            rule = self.inject(**data)
            payload = {"status": rule.status, "times": rule.times}
        elif name == "reset" and method == "POST":
            self.reset_faults()
            payload = {"reset": True}
        elif name == "edit" and method == "POST":
            payload = {"version": self.edit_item(data["list"], data["id"], data["fields"])}
        elif name == "role" and method == "POST":
            self.set_role(data["role"])
            payload = {"role": data["role"]}
        elif name == "concurrent_edit" and method == "POST":
            self.concurrent_edit(data["list"], data["id"], data["fields"])
            payload = {"queued": True}
        elif name == "sent_mail" and method == "GET":
            payload = self.sent_mail
        elif name == "clear_sent_mail" and method == "POST":
            self.clear_sent_mail()
            payload = {"cleared": True}
        else:
            return error_response(404, "-1, System.ArgumentException", f"No control '{name}'.")
        return Response(200, {"Content-Type": "application/json"}, json.dumps(payload).encode())

    # ---- Microsoft Graph sendMail (for the Graph mail channel) ----------------------------

    def graph_request(self, method: str, path: str, headers: dict[str, str],
                      body: bytes) -> Response:
        """`/v1.0/users/{id}/sendMail` (see :mod:`.graph`); other Graph paths answer 400."""
        return handle_graph(self.store, self.faults, method, path, headers, body)

    @property
    def graph_url(self) -> str:
        """The Graph endpoint to configure (`[alerts.graph] endpoint`)."""
        return f"http://{self.host}:{self.port}/v1.0"

    @property
    def sent_mail(self) -> list[dict[str, Any]]:
        """Messages accepted by `sendMail`, oldest first: `{seq, sender, received, payload}`."""
        return self.store.sent_mail()

    def clear_sent_mail(self) -> None:
        self.store.clear_sent_mail()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sandbox: SandboxServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.sandbox._conns_lock:
            self.sandbox._conns.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.sandbox._conns_lock:
                self.sandbox._conns.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
            split = urlsplit(self.path)
            path = unquote(split.path)
            headers = {k.lower(): v for k, v in self.headers.items()}
            sb = self.sandbox
            if path.startswith("/_sandbox/"):
                resp = sb.control(self.command, path[len("/_sandbox/"):].strip("/"), body)
            elif path.lower().startswith("/v1.0/"):
                if sb.faults.latency > 0:
                    time.sleep(sb.faults.latency)
                resp = sb.graph_request(self.command, path, headers, body)
            else:
                api_prefix = f"{sb.site_path}/_api".lower()
                if not path.lower().startswith(api_prefix):
                    resp = error_response(404, "-2147024894, System.IO.FileNotFoundException",
                                          "File Not Found.")
                else:
                    api_path = path[len(api_prefix):].lstrip("/")
                    if sb.faults.latency > 0:
                        time.sleep(sb.faults.latency)
                    resp = sb.process(self.command, api_path, split.query, headers, body)
        except DropConnection:  # an injected connection reset: no answer, socket closed
            self.close_connection = True
            return
        except Exception as ex:
            traceback.print_exc(file=sys.stderr)
            resp = error_response(500, "-1, System.InvalidOperationException",
                                  f"Sandbox error: {type(ex).__name__}: {ex}")
        self._send(resp)

    def _send(self, resp: Response) -> None:
        try:
            reason = HTTPStatus(resp.status).phrase
        except ValueError:
            reason = "Unknown"
        lines = [f"HTTP/1.1 {resp.status} {reason}"]
        headers = {"Server": "spsync-sandbox", "SPRequestGuid": secrets.token_hex(8),
                   "X-SharePointHealthScore": "0", **resp.headers,
                   "Content-Length": str(len(resp.body))}
        if self.close_connection:
            headers["Connection"] = "close"
        lines += [f"{k}: {v}" for k, v in headers.items()]
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + resp.body
        self.wfile.write(data)  # one write: header and body in the same segment

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_MERGE = _dispatch


def serve(db_path: str | Path, port: int = 0, host: str = "127.0.0.1", site: str = "spsync") -> None:
    """CLI hook: print the site URL first, then serve until Ctrl-C or SIGTERM."""
    server = SandboxServer(db_path, host=host, port=port, site=site).start()
    stop = threading.Event()

    def _term(*_: Any) -> None:
        stop.set()

    # Before the URL goes out: whoever reads it may send SIGTERM at once (it raced, under load).
    previous = signal.signal(signal.SIGTERM, _term)
    print(server.site_url, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
