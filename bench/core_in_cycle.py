"""CPU (and garbage-collector) time of run_checks and plan_updates inside real cycles on M.

Not a test: ``PYTHONPATH=src python bench/core_in_cycle.py``. Builds the M site of
``bench/incremental_read.py`` in a sandbox and runs three cycles with a state store (the first,
the one after spsync's own writes, an unchanged one; no report), timing the two pure steps where
the cycle calls them. Inside a cycle the heap holds the shell's data too, so the collector's full
passes cost more than in ``core_equivalence.py``'s isolated runs; their share is shown.
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    from incremental_read import build

    import spsync.cycle as cycle
    from spsync.auth import sandbox_token
    from spsync.config import config_from_dict
    from spsync.jobs import run_once
    from spsync.sandbox import SandboxServer
    from spsync.sharepoint import SharePointGateway
    from spsync.state import open_state

    collector = {"total": 0.0, "started": 0.0}

    def on_gc(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            collector["started"] = time.process_time()
        else:
            collector["total"] += time.process_time() - collector["started"]

    gc.callbacks.append(on_gc)
    spent: dict[str, list[float]] = {}

    def timed(name: str) -> None:
        inner: Callable[..., Any] = getattr(cycle, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            gc_before, started = collector["total"], time.process_time()
            result = inner(*args, **kwargs)
            entry = spent.setdefault(name, [0.0, 0.0])
            entry[0] += time.process_time() - started
            entry[1] += collector["total"] - gc_before
            return result
        setattr(cycle, name, wrapper)

    timed("run_checks")
    timed("plan_updates")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "site.db"
        build(db, 2000, 100_000)
        with SandboxServer(db) as server:
            config = config_from_dict({
                "site": {"url": server.site_url}, "auth": {"mode": "sandbox"},
                "state": {"path": str(Path(tmp) / "state.db")},
                "report": {"output_dir": str(Path(tmp) / "out"), "pdf": "off",
                           "upload": False}})
            gateway = SharePointGateway(server.site_url, sandbox_token)
            store = open_state(config.state)
            (Path(tmp) / "outbox").mkdir()
            for label in ("first", "after own writes", "unchanged"):
                spent.clear()
                run_once(gateway, config, date(2026, 5, 15), outbox=Path(tmp) / "outbox",
                         store=store, make_report=False)
                print(f"{label:<17} " + ", ".join(
                    f"{name} {cpu:.3f} s CPU (of which GC {in_gc:.3f})"
                    for name, (cpu, in_gc) in spent.items()), flush=True)
            store.close()
            gateway.close()


if __name__ == "__main__":
    main()
