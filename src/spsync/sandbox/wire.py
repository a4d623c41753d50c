"""The request/response values passed between the HTTP layer, `$batch` and the endpoints."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["JSON_TYPE", "Request", "Response", "json_response"]

JSON_TYPE = "application/json;odata=verbose;charset=utf-8"


@dataclass
class Request:
    """One API request; `method` is effective (X-HTTP-Method applied), `path` relative to _api."""

    method: str
    raw_method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case keys
    body: bytes = b""
    in_batch: bool = False


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"d": payload}, ensure_ascii=False).encode("utf-8")
    return Response(status, {"Content-Type": JSON_TYPE, **(headers or {})}, body)


