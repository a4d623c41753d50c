"""Helpers of the fault suite: a demo site, a cycle over real HTTP, and the site's end state.

The end state is every item of every data-model list (owned and staff columns), so two runs
compare field by field; ``staff_state`` keeps only the columns staff own (spsync never writes).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spsync import schema
from spsync.auth import sandbox_token
from spsync.config import config_from_dict
from spsync.cycle import run_cycle
from spsync.demo import DEMO_CONTROLEDATUM
from spsync.sandbox import DEMO_DATA, SandboxServer, load_csv_dir
from spsync.sharepoint import SharePointGateway

__all__ = ["NOW", "VOLATILE", "demo_site", "config_for", "cycle", "site_state", "staff_state",
           "diff_states", "retry_waits"]

NOW = datetime(2026, 5, 15, 5, 0, tzinfo=UTC)
#: Kept by the sandbox per write, not part of what spsync decides.
VOLATILE = frozenset({"Author", "Editor", "AuthorId", "EditorId", "Modified", "Created"})


def demo_site(tmp: Path, name: str = "site.db") -> SandboxServer:
    db = tmp / name
    load_csv_dir(db, DEMO_DATA)
    return SandboxServer(db).start()


def config_for(server: SandboxServer, tmp: Path, **http: Any):
    return config_from_dict({"site": {"url": server.site_url}, "auth": {"mode": "sandbox"},
                             "report": {"output_dir": str(tmp / "out")}, "http": http})


def cycle(server: SandboxServer, tmp: Path, *, gateway_kw: dict | None = None,
          config=None, **kwargs: Any):
    """One cycle of the real gateway (no report unless asked), the gateway closed after."""
    config = config or config_for(server, tmp)
    gateway = SharePointGateway(server.site_url, sandbox_token, **(gateway_kw or {}))
    kwargs.setdefault("make_report", False)
    try:
        return run_cycle(gateway, config, DEMO_CONTROLEDATUM, now=NOW, **kwargs)
    finally:
        gateway.close()


def site_state(server: SandboxServer) -> dict[str, dict[int, dict[str, Any]]]:
    """Every item of the data-model lists: title -> id -> fields (volatile ones left out)."""
    out: dict[str, dict[int, dict[str, Any]]] = {}
    for d in schema.LISTS:
        lst = server.store.get_list(d.title)
        assert lst is not None, d.title
        out[d.title] = {it.id: {k: v for k, v in it.data.items() if k not in VOLATILE}
                        for it in server.store.all_items(lst.id)}
    return out


def staff_state(server: SandboxServer) -> dict[str, dict[int, dict[str, Any]]]:
    """Only the staff columns (everything spsync does not own)."""
    owned = {d.title: set(schema.owned_columns(d.key)) for d in schema.LISTS}
    return {title: {i: {k: v for k, v in f.items() if k not in owned[title]}
                    for i, f in items.items()}
            for title, items in site_state(server).items()}


def diff_states(a: dict, b: dict) -> list[tuple[str, int, str, Any, Any]]:
    """(list, id, field, a, b) for every field that differs (items missing on one side too)."""
    out = []
    for title in sorted(set(a) | set(b)):
        ia, ib = a.get(title, {}), b.get(title, {})
        for item_id in sorted(set(ia) | set(ib)):
            fa, fb = ia.get(item_id, {}), ib.get(item_id, {})
            for key in sorted(set(fa) | set(fb)):
                if fa.get(key) != fb.get(key):
                    out.append((title, item_id, key, fa.get(key), fb.get(key)))
    return out


def _key(r) -> tuple:
    return (r.method, r.path, r.body if r.method == "MERGE" else b"")


def retry_waits(requests: list) -> list[tuple[float, float]]:
    """(Retry-After asked, seconds until the same request came again) for every throttled
    request in the log (batch parts included); a throttled request never resent shows inf."""
    out = []
    for i, r in enumerate(requests):
        if r.status not in (429, 503):
            continue
        asked = r.retry_after
        again = next((n.at for n in requests[i + 1:] if _key(n) == _key(r)), float("inf"))
        out.append((asked, again - r.at))
    return out
