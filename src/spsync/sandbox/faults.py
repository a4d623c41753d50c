"""Fault injection and the request log, so tests can make the sandbox misbehave like SharePoint.

Rules are consumed in the order they were added; each answers up to `times` matching requests
(top-level or inside a `$batch`) with an error in SharePoint's shape. The log records every API
request, batch parts included, so tests can assert on the exact request sequence.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["FaultRule", "RecordedRequest", "Faults", "ERRORS", "DropConnection"]

#: status -> (HRESULT code, message) used in the injected error body.
ERRORS: dict[int, tuple[str, str]] = {
    401: ("-2147024891, System.UnauthorizedAccessException",
          "Access denied. You do not have permission to perform this action or access this resource."),
    403: ("-2130575251, Microsoft.SharePoint.SPException",
          "The security validation for this page is invalid and might be corrupted. "
          "Please use your web browser's Back button to try your operation again."),
    404: ("-2130575338, System.ArgumentException",
          "Item does not exist. It may have been deleted by another user."),
    408: ("-1, Microsoft.SharePoint.SPException", "The request timed out."),
    412: ("-2130575305, Microsoft.SharePoint.SPException",
          "The version of the item has been changed since it was retrieved. (injected)"),
    423: ("-2147018894, Microsoft.SharePoint.SPFileLockException", "The file is locked."),
    429: ("-2147024860, Microsoft.SharePoint.SPQueryThrottledException",
          "The request has been throttled. (injected)"),
    500: ("-1, System.InvalidOperationException", "An unexpected error occurred. (injected)"),
    503: ("-1, Microsoft.SharePoint.SPException", "Server too busy. (injected)"),
}


@dataclass
class FaultRule:
    """Answer the next `times` matching requests with `status`."""

    status: int
    times: int = 1
    retry_after: float | int | None = None
    method: str | None = None
    path_contains: str | None = None
    in_batch: bool | None = None
    code: str | None = None
    message: str | None = None
    #: Instead of an error: ``"reset"`` closes the socket without an answer (inside a ``$batch``
    #: the parts before it are applied), ``"stall"`` waits ``stall_s`` and then answers normally
    #: (past the client's read time-out: the request is applied, the client never hears it).
    action: str | None = None
    stall_s: float = 0.0

    def matches(self, method: str, raw_method: str, path: str, in_batch: bool) -> bool:
        if self.method and self.method.upper() not in (method.upper(), raw_method.upper()):
            return False
        if self.path_contains and self.path_contains.lower() not in path.lower():
            return False
        return self.in_batch is None or self.in_batch == in_batch

    def error(self) -> tuple[str, str]:
        code, message = ERRORS.get(self.status, ("-1, Microsoft.SharePoint.SPException",
                                                 f"Injected error {self.status}."))
        return self.code or code, self.message or message


@dataclass
class RecordedRequest:
    """One API request as the sandbox saw it; `path` is relative to `<site>/_api/`, decoded."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    status: int
    in_batch: bool = False
    #: When the request arrived (``time.time()``), so tests can measure waits between retries.
    at: float = 0.0
    #: The Retry-After the answer carried (seconds), if any.
    retry_after: float | None = None

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["body"] = self.body.decode("utf-8", "replace")
        return d


@dataclass
class Faults:
    """Shared, thread-safe fault state of one server."""

    latency: float = 0.0
    rules: list[FaultRule] = field(default_factory=list)
    concurrent_edits: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    #: Random throttling (``set_chaos``): share of requests answered 429/503, or 0.
    chaos_rate: float = 0.0
    chaos_retry_after: float | int = 1
    _chaos_random: random.Random = field(default_factory=random.Random, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_rule(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self.rules.append(rule)
        return rule

    def take_rule(self, method: str, raw_method: str, path: str, in_batch: bool) -> FaultRule | None:
        """The first matching rule, consuming one of its uses."""
        with self._lock:
            for rule in self.rules:
                if rule.times > 0 and rule.matches(method, raw_method, path, in_batch):
                    rule.times -= 1
                    if rule.times <= 0:
                        self.rules.remove(rule)
                    return rule
            if self.chaos_rate > 0 and self._chaos_random.random() < self.chaos_rate:
                status = self._chaos_random.choice((429, 503))
                return FaultRule(status, retry_after=self.chaos_retry_after)
        return None

    def set_chaos(self, rate: float, seed: int = 0, retry_after: float | int = 1) -> None:
        """Answer a random ``rate`` share of all requests (batch parts too) with 429 or 503 and
        ``Retry-After``; seeded, so a failing run can be replayed."""
        with self._lock:
            self.chaos_rate = float(rate)
            self.chaos_retry_after = retry_after
            self._chaos_random = random.Random(seed)

    def add_concurrent_edit(self, list_title: str, item_id: int, fields: dict[str, Any]) -> None:
        with self._lock:
            self.concurrent_edits.setdefault((list_title.lower(), int(item_id)), []).append(fields)

    def take_concurrent_edits(self, list_title: str, item_id: int) -> list[dict[str, Any]]:
        with self._lock:
            return self.concurrent_edits.pop((list_title.lower(), int(item_id)), [])

    def record(self, req: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(req)

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self.requests)

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def reset(self) -> None:
        with self._lock:
            self.latency = 0.0
            self.chaos_rate = 0.0
            self.rules.clear()
            self.concurrent_edits.clear()
            self.requests.clear()


class DropConnection(Exception):
    """Raised by a ``reset`` rule: the server closes the socket without answering."""
