"""Shared bits of the daemon tests: configs with a seconds-level schedule, HTTP and metrics."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from spsync.config import config_from_dict

__all__ = [
    "fast_config",
    "fast_config_dict",
    "free_port",
    "get",
    "health",
    "metrics",
    "wait_for",
    "write_toml",
]


def fast_config_dict(tmp_path: Path, site_url: str = "http://127.0.0.1:9/sites/x", *,
                     port: int = 0, **daemon: Any) -> dict[str, Any]:
    """A config whose sync runs every second (UTC: no DST window), other jobs off."""
    return {
        "site": {"url": site_url, "organisation": "Test"},
        "auth": {"mode": "sandbox"},
        "report": {"output_dir": str(tmp_path / "out")},
        "state": {"path": str(tmp_path / "state" / "spsync-state.db")},
        # The cycle's alerts go to .eml files: nothing leaves the machine, nothing is missing.
        "alerts": {"mt_mailbox": "mt@swv-demo.example", "default_channels": ["outbox"],
                   "outbox": {"dir": str(tmp_path / "outbox")}},
        "daemon": {"timezone": "UTC",
                   "sync": {"day_of_week": "*", "hour": "*", "minute": "*", "second": "*",
                            "misfire_grace_time": 30},
                   "alerts": {"enabled": False},
                   "weekly_report": {"enabled": False},
                   **daemon},
        "health": {"host": "127.0.0.1", "port": port},
    }


def fast_config(tmp_path: Path, site_url: str = "http://127.0.0.1:9/sites/x", **kw: Any):
    return config_from_dict(fast_config_dict(tmp_path, site_url, **kw), "test")


def get(url: str) -> tuple[int, str, dict[str, str]]:
    """(status, body, headers) of a GET; 4xx/5xx are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


def metrics(base: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """The /metrics page parsed by prometheus-client's own parser: (sample, labels) -> value."""
    status, body, headers = get(base + "/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body) for s in family.samples}


def health(base: str) -> tuple[int, dict[str, Any]]:
    status, body, _ = get(base + "/healthz")
    return status, json.loads(body)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition: Callable[[], Any], timeout: float = 20.0, what: str = "condition"
             ) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value))


def write_toml(path: Path, data: dict[str, Any]) -> Path:
    """A config dict as TOML (tables of scalars, nested tables as [a.b])."""
    lines: list[str] = []

    def _table(prefix: str, table: dict[str, Any]) -> None:
        scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
        if prefix:
            lines.append(f"[{prefix}]")
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in scalars.items())
        for key, sub in table.items():
            if isinstance(sub, dict):
                _table(f"{prefix}.{key}" if prefix else key, sub)

    _table("", data)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
