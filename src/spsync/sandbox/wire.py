"""The request/response values passed between the HTTP layer, `$batch` and the endpoints."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any

__all__ = ["JSON_TYPE", "Request", "Response", "json_response", "json_text"]

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


_encode = json.JSONEncoder(ensure_ascii=False).encode
_encode_str = encode_basestring


def json_text(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False)``, quicker for the scalars list items hold (the
    same text: strings by json's own encoder, numbers by their repr)."""
    kind = type(value)
    if kind is str:
        return _encode_str(value)
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    if kind is bool:
        return "true" if value else "false"
    return _encode(value)


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"d": payload}, ensure_ascii=False).encode("utf-8")
    return Response(status, {"Content-Type": JSON_TYPE, **(headers or {})}, body)


