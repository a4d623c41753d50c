"""A daemon process with one slow injected sync job, for the SIGTERM test.

    python slow_daemon.py CONFIG MARKER SECONDS

Each sync run appends "started N" to MARKER, sleeps SECONDS, then appends "finished N".
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from types import SimpleNamespace

from spsync.cli.app import setup_logging
from spsync.config import load_config
from spsync.daemon import Daemon

__all__: list[str] = []


def main() -> int:
    config = load_config(sys.argv[1])
    marker, seconds = Path(sys.argv[2]), float(sys.argv[3])
    count = 0

    def sync(_config, *, on_response=None, store=None):
        nonlocal count
        count += 1
        with marker.open("a") as fh:
            fh.write(f"started {count}\n")
        time.sleep(seconds)
        with marker.open("a") as fh:
            fh.write(f"finished {count}\n")
        return SimpleNamespace(exit_code=0, written={})

    def nothing(*_args, **_kwargs):
        return {}

    setup_logging(1)
    return Daemon(config, {"sync": sync, "alerts": nothing, "report": nothing}).run()


if __name__ == "__main__":
    sys.exit(main())
