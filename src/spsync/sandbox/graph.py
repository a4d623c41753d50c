"""Microsoft Graph's ``POST /v1.0/users/{id}/sendMail`` in the sandbox, for the Graph channel.

It checks what Graph checks before it answers 202 (a bearer token, a JSON message with a
subject, a body of type Text or HTML, at least one recipient address, custom headers named
``x-…``), keeps every accepted message in the sandbox's SQLite file (so a test can read them
back after the sending process died) and answers errors in Graph's shape, not SharePoint's.
Injected faults (``SandboxServer.inject(503, path_contains="sendMail", retry_after=…)``) apply.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from .faults import Faults, RecordedRequest
from .store import Store
from .wire import Response

__all__ = ["graph_error", "handle_graph"]

_SEND_MAIL = re.compile(r"^/v1\.0/users/([^/]+)/sendmail/?$", re.IGNORECASE)
_FAULT_CODES = {429: "TooManyRequests", 503: "ServiceUnavailable",
                401: "InvalidAuthenticationToken", 403: "ErrorAccessDenied",
                404: "ErrorInvalidUser"}


def graph_error(status: int, code: str, message: str,
                headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"error": {"code": code, "message": message}}).encode("utf-8")
    return Response(status, {"Content-Type": "application/json", **(headers or {})}, body)


def _invalid(message: str, code: str = "ErrorInvalidRequest") -> Response:
    return graph_error(400, code, message)


def _check_message(payload: Any) -> Response | None:
    if not isinstance(payload, dict) or not isinstance(payload.get("message"), dict):
        return _invalid("Empty Payload. JSON content expected.")
    msg = payload["message"]
    if not isinstance(msg.get("subject", ""), str):
        return _invalid("Invalid value for subject.")
    body = msg.get("body") or {}
    kind = str(body.get("contentType", "")).lower() if isinstance(body, dict) else ""
    if kind not in ("text", "html"):
        return _invalid("Invalid body contentType: use Text or HTML.")
    recipients = msg.get("toRecipients")
    if not isinstance(recipients, list) or not recipients:
        return _invalid("At least one recipient is required, but none were found.",
                        "ErrorInvalidRecipients")
    for r in recipients:
        address = ((r or {}).get("emailAddress") or {}).get("address", "")
        if not isinstance(address, str) or "@" not in address:
            return _invalid(f"Invalid recipient address '{address}'.", "ErrorInvalidRecipients")
    for h in msg.get("internetMessageHeaders") or []:
        name = str((h or {}).get("name", ""))
        if not name.lower().startswith("x-"):
            return _invalid(f"The internet message header name '{name}' should start with "
                            "'x-' or 'X-'.", "InvalidInternetMessageHeader")
    if "saveToSentItems" in payload and not isinstance(payload["saveToSentItems"], bool):
        return _invalid("Invalid value for saveToSentItems.")
    return None


def handle_graph(store: Store, faults: Faults, method: str, path: str,
                 headers: dict[str, str], body: bytes) -> Response:
    """One Graph request (``path`` starts with ``/v1.0/``, decoded); logged like API calls."""
    resp = _handle(store, faults, method.upper(), path, headers, body)
    faults.record(RecordedRequest(method.upper(), path, {}, dict(headers), body, resp.status))
    return resp


def _handle(store: Store, faults: Faults, method: str, path: str, headers: dict[str, str],
            body: bytes) -> Response:
    auth = headers.get("authorization", "")
    if not auth.lower().startswith("bearer ") or not auth[7:].strip():
        return graph_error(401, "InvalidAuthenticationToken", "Access token is empty.")
    rule = faults.take_rule(method, method, path, False)
    if rule is not None:
        extra = {"Retry-After": str(rule.retry_after)} if rule.retry_after is not None else {}
        return graph_error(rule.status, rule.code or _FAULT_CODES.get(rule.status, "Error"),
                           rule.message or f"Injected error {rule.status}.", extra)
    match = _SEND_MAIL.match(path)
    if match is None:
        if path.lower().startswith("/v1.0/me/"):
            return _invalid("/me request is only valid with delegated authentication flow.",
                            "BadRequest")
        return graph_error(400, "BadRequest", f"Resource not found for the segment '{path}'.")
    if method != "POST":
        return graph_error(405, "Request_BadRequest", "Specified HTTP method is not allowed "
                                                      "for the request target.")
    try:
        payload = json.loads(body or b"")
    except ValueError:
        return _invalid("Unable to read JSON request payload.", "RequestBodyRead")
    problem = _check_message(payload)
    if problem is not None:
        return problem
    store.add_sent_mail(unquote(match.group(1)), payload)
    return Response(202)
